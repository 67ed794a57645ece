"""Tell the tablets of an outlet how a payment went, after commit, over the floor socket.

Money taken (or given back) can turn a table "part paid" or back, so each message goes with
the table's state as it stands, for the floor to redraw it.

The tablet that started a card payment also polls its status: a lost message costs
a second at most.
"""

from billing.models import Payment
from orders.broadcasts import floor_group, send_messages, table_messages
from orders.languages import message_in_every_language
from orders.models import Order


def payment_message(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "check": payment.guest_check_id,
        "order": payment.guest_check.order_id,
        "state": payment.state,
        "amount": payment.amount,
        "tip": payment.tip,
        "tender": payment.tender.name,
        "kind": payment.tender.kind,
        "reader": payment.reader.label if payment.reader_id else "",
        "provider_status": payment.provider_status,
        "failure_message": payment.failure_message,
        "detail": payment.reference,
    }


def announce_payment(payment_id: int) -> None:
    payment = Payment.objects.select_related("guest_check__order", "tender", "reader").get(pk=payment_id)
    order = payment.guest_check.order
    tables = table_messages([order.table_id]) if order.table_id else []
    send_messages(
        [
            (
                floor_group(order.outlet_id),
                # The tender's name in every language: each tablet shows its own.
                message_in_every_language(
                    {"type": "floor.relay"},
                    lambda: {"message": {"type": "payment", "payment": payment_message(payment)}},
                ),
            ),
            *tables,
        ]
    )


def announce_bill_changed(*, order_id: int, outlet_id: int) -> None:
    """Tell every tablet of the outlet that an order's checks changed: an open bill screen fetches it again."""
    table_id = Order.objects.filter(pk=order_id).values_list("table_id", flat=True).first()
    tables = table_messages([table_id]) if table_id else []
    send_messages(
        [(floor_group(outlet_id), {"type": "floor.relay", "message": {"type": "bill", "order": order_id}}), *tables]
    )
