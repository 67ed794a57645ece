"""Billing's answers to what the PMS gateway announces. Each hands over to one service."""

from django.dispatch import receiver

from billing import services
from pms_integration.signals import (
    charge_accepted_offline,
    charge_posted,
    charge_rejected,
    charge_unanswered,
    posting_redirected,
    posting_withdrawn,
)


@receiver(charge_posted, dispatch_uid="billing.room_charge_posted")
def room_charge_posted(sender, *, posting, by=None, **kwargs):
    services.record_room_charge_posted(posting=posting, by=by)


@receiver(charge_rejected, dispatch_uid="billing.room_charge_rejected")
def room_charge_rejected(sender, *, posting, by=None, **kwargs):
    services.record_room_charge_refused(posting=posting, by=by)


@receiver(charge_unanswered, dispatch_uid="billing.room_charge_unanswered")
def room_charge_unanswered(sender, *, posting, **kwargs):
    services.note_room_charge_unanswered(posting=posting)


@receiver(charge_accepted_offline, dispatch_uid="billing.room_charge_accepted_offline")
def room_charge_accepted_offline(sender, *, posting, **kwargs):
    # The house's word stands in for the PMS's, as for a charge taken offline at the table.
    services.record_room_charge_posted(posting=posting)


@receiver(posting_redirected, dispatch_uid="billing.room_charge_redirected")
def room_charge_redirected(sender, *, old, new, **kwargs):
    services.follow_redirected_posting(old=old, new=new)


@receiver(posting_withdrawn, dispatch_uid="billing.room_charge_withdrawn")
def room_charge_withdrawn(sender, *, posting, by, reason, **kwargs):
    services.withdraw_room_charge(posting=posting, by=by, reason=reason)
