"""Past-tense domain signals: how orders tells higher apps (kitchen, billing) of a change.

Sent inside the service's transaction, so a receiver's writes (kitchen tickets)
commit or roll back with the order; receivers broadcast only on commit.
"""

from django.dispatch import Signal

# order, by
order_opened = Signal()
# order, lines, by
lines_added = Signal()
# order, lines, by
order_sent = Signal()
# order, line, by, reason, approval
line_voided = Signal()
# order, line, by  (a note changed on a line the kitchen already has)
line_note_changed = Signal()
# order, from_table, to_table, by
order_transferred = Signal()
# source, target, by
orders_merged = Signal()
# order, from_waiter, to_waiter, by
order_assigned = Signal()
# items, by
item_availability_changed = Signal()
