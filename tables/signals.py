"""Past-tense signals: how tables tells higher apps (orders owns the floor socket and the audit) of a change.

Sent inside the service's transaction, so a receiver's writes (the audit entry)
commit or roll back with the change; receivers broadcast only on commit.
"""

from django.dispatch import Signal

# outlet, by, action, subject (the table or area, or None for a whole plan), table_ids (active tables
# whose place or look changed), reload (areas or tables came or went: a floor must fetch the plan),
# details (what the audit keeps)
floor_plan_changed = Signal()
