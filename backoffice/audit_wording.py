"""The audit log in words: a label for each action and its details as short readable lines."""

import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import AuditEntry, Role

ACTION_LABELS = {
    "signed_in": gettext_lazy("Signed in"),
    "clocked_in": gettext_lazy("Clocked in"),
    "clocked_out": gettext_lazy("Clocked out"),
    "pin_changed": gettext_lazy("PIN changed"),
    "pin_unlocked": gettext_lazy("PIN wait cleared"),
    "pin_guessing": gettext_lazy("Wrong PINs (guessing?)"),
    "person_added": gettext_lazy("Person added"),
    "person_changed": gettext_lazy("Person changed"),
    "person_deactivated": gettext_lazy("Person deactivated"),
    "person_reactivated": gettext_lazy("Person reactivated"),
    "shift_corrected": gettext_lazy("Shift corrected"),
    "shift_added": gettext_lazy("Forgotten shift added"),
    "line_voided": gettext_lazy("Line voided"),
    "line_comped": gettext_lazy("Line comped"),
    "discount_given": gettext_lazy("Discount given"),
    "refund_given": gettext_lazy("Refund given"),
    "check_reopened": gettext_lazy("Check reopened"),
    "business_day_closed": gettext_lazy("Day closed (Z)"),
    "drawer_opened": gettext_lazy("Drawer opened"),
    "drawer_closed": gettext_lazy("Drawer closed"),
}

FIELD_LABELS = {
    "clocked_in_at": gettext_lazy("clocked in"),
    "clocked_out_at": gettext_lazy("clocked out"),
    "name": gettext_lazy("name"),
    "roles": gettext_lazy("roles"),
    "person_name": gettext_lazy("person"),
    "client": gettext_lazy("from"),
    "where": gettext_lazy("where"),
}


def action_label(action: str) -> str:
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    if action.startswith("approved:"):
        return _("Approved: %(action)s") % {"action": action_label(action.removeprefix("approved:"))}
    return action.replace("_", " ").capitalize()


def _field(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def _value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "\u2013"
    if name == "roles" and isinstance(value, list):
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(role, role)) for role in value)
    if isinstance(value, str) and name.endswith("_at"):
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(value, list):
        return ", ".join(_value(name, each) for each in value)
    if isinstance(value, dict):
        return "; ".join(f"{_field(key)}: {_value(key, each)}" for key, each in value.items())
    return str(value)


def entry_lines(entry: AuditEntry) -> list[str]:
    """The details as lines a manager reads: before → after where the entry has both."""
    details = dict(entry.details or {})
    lines = []
    before, after = details.pop("before", None), details.pop("after", None)
    details.pop("person", None)  # an id: the person's name is beside it
    for name, value in details.items():
        lines.append(f"{_field(name)}: {_value(name, value)}")
    if isinstance(after, dict):
        before = before if isinstance(before, dict) else {}
        for name, value in after.items():
            if name in before and _value(name, before[name]) == _value(name, value):
                continue  # the same moment, written in another time zone
            if name in before:
                lines.append(f"{_field(name)}: {_value(name, before[name])} → {_value(name, value)}")
            else:
                lines.append(f"{_field(name)}: {_value(name, value)}")
    return lines
