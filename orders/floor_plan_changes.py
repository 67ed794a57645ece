"""orders' side of the floor-plan editor: tables tells of a change, orders audits it and tells the floors.

tables cannot import orders or staff, so the audit entry is written here, inside the
tables service's transaction (it commits or rolls back with the change), and the
waiters' floors hear on commit: each moved or reshaped table's full state (its open
order and colour with it, so a live floor keeps them), and a "layout" message that
says whether the floor must fetch the whole plan (areas or tables came or went).
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _

from orders.broadcasts import floor_group, send_messages, table_messages
from orders.models import Order
from staff.services import record_audit
from tables.models import Table
from tables.signals import floor_plan_changed


def open_order_reasons(tables: list[Table]) -> dict[int, str]:
    """A table with an open order may not leave the plan: the order would have nowhere to be."""
    busy = set(
        Order.objects.filter(table__in=[t.pk for t in tables], status=Order.Status.OPEN).values_list(
            "table_id", flat=True
        )
    )
    return {
        table.pk: _("Table %(number)s has an open order: settle it or move it to another table first.")
        % {"number": table.number}
        for table in tables
        if table.pk in busy
    }


@receiver(floor_plan_changed, dispatch_uid="orders.audit_and_announce_floor_plan_change")
def audit_and_announce_floor_plan_change(sender, *, outlet, by, action, subject, table_ids, reload, details, **kwargs):
    record_audit(actor=by, action=f"floor_plan:{action}", subject=subject or outlet, details=details)
    outlet_id, version = outlet.pk, outlet.layout_version
    layout = {"type": "floor.layout", "layout": {"outlet": outlet_id, "version": version, "reload": reload}}

    def announce() -> None:
        send_messages([*(table_messages(table_ids) if table_ids else []), (floor_group(outlet_id), layout)])

    transaction.on_commit(announce)
