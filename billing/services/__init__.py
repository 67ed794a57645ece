"""Every state change of bills. Views, tasks and receivers call these; reads live in `billing.selectors`.

One module per subject, read in this order:

- `checks`: the bill opened, split, shared, moved and merged, the pro forma printed
- `adjustments`: discounts, comps and the service charge
- `payments`: cash and other tenders, the check closed once paid
- `receipts`: the guest's receipt printed, e-mailed or linked (QR code), and the company invoice
- `card_payments`: the card terminal (Stripe), its follow-up and webhook
- `room_charges`: charges to a hotel room through the PMS gateway
- `refunds`: money given back to its tender, a paid check reopened
- `drawers`: cash drawers, their float, pay-ins and pay-outs and the blind count, by note and coin
- `drawer_shifts`: the drawer opened without a sale, and handed over between shifts
- `business_day`: the day money lands in, and its close (the Z)

Each service runs in one transaction and locks the order (or the drawer, or the day)
first, so two tablets paying one table are served one after the other and never
over-collect. The names below are the package's interface: callers import them from
`billing.services`, never from a module of it.
"""

from billing.selectors import check_total, expected_cash, open_drawer_for
from billing.services.adjustments import comp_line, give_discount, remove_discount, set_service_charge
from billing.services.business_day import business_date, close_business_day, current_business_day, print_z_report
from billing.services.card_payments import (
    cancel_card_payment,
    follow_card_payment_later,
    receive_card_event,
    settle_card_payment,
    start_card_payment,
)
from billing.services.checks import (
    BILLING_ROLES,
    CASHIER_ROLES,
    MAX_SPLIT,
    merge_checks,
    move_items,
    open_bill,
    print_bill,
    share_item,
    split_check_by_seat,
    split_check_evenly,
)
from billing.services.drawer_shifts import hand_over_drawer, open_cash_drawer_without_sale
from billing.services.drawers import (
    close_drawer,
    counted_total,
    kick_drawer,
    open_drawer,
    record_cash_movement,
    stock_denominations,
)
from billing.services.payments import pay_cash, pay_other
from billing.services.receipts import (
    ReceiptLink,
    ReceiptNotSent,
    email_receipt,
    print_check_receipt,
    receipt_link,
    set_invoice_details,
)
from billing.services.refunds import refund_payment, reopen_check
from billing.services.room_charges import (
    charge_to_room,
    find_room_guests,
    follow_redirected_posting,
    note_room_charge_unanswered,
    record_room_charge_posted,
    record_room_charge_refused,
    withdraw_room_charge,
)

__all__ = [
    "BILLING_ROLES",
    "CASHIER_ROLES",
    "MAX_SPLIT",
    "ReceiptLink",
    "ReceiptNotSent",
    "business_date",
    "cancel_card_payment",
    "charge_to_room",
    "check_total",
    "close_business_day",
    "close_drawer",
    "comp_line",
    "counted_total",
    "current_business_day",
    "email_receipt",
    "expected_cash",
    "find_room_guests",
    "follow_card_payment_later",
    "follow_redirected_posting",
    "give_discount",
    "hand_over_drawer",
    "kick_drawer",
    "merge_checks",
    "move_items",
    "note_room_charge_unanswered",
    "open_bill",
    "open_cash_drawer_without_sale",
    "open_drawer",
    "open_drawer_for",
    "pay_cash",
    "pay_other",
    "print_bill",
    "print_check_receipt",
    "print_z_report",
    "receipt_link",
    "receive_card_event",
    "record_cash_movement",
    "record_room_charge_posted",
    "record_room_charge_refused",
    "refund_payment",
    "remove_discount",
    "reopen_check",
    "set_invoice_details",
    "set_service_charge",
    "settle_card_payment",
    "share_item",
    "split_check_by_seat",
    "split_check_evenly",
    "start_card_payment",
    "stock_denominations",
    "withdraw_room_charge",
]
