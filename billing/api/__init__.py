"""Billing API, one module per subject; thin views over `billing.services` and `billing.selectors`."""

from billing.api.cashier import ClosedChecksView, OpenChecksView
from billing.api.checks import (
    BillView,
    CompView,
    DiscountView,
    MergeChecksView,
    MoveItemsView,
    PrintBillView,
    RemoveDiscountView,
    ServiceChargeView,
    ShareItemView,
    SplitBySeatView,
    SplitEvenlyView,
)
from billing.api.day import CloseDayView
from billing.api.drawers import (
    CashMovementView,
    DrawerCloseView,
    DrawerHandOverView,
    DrawerNoSaleView,
    DrawerView,
)
from billing.api.payments import (
    CancelPaymentView,
    CardPaymentView,
    CardWebhookView,
    CashPaymentView,
    OtherPaymentView,
    PaymentView,
    RoomChargePaymentView,
    RoomGuestsView,
)
from billing.api.receipts import EmailReceiptView, InvoiceDetailsView, ReceiptLinkView, ReceiptPdfView, ReceiptView
from billing.api.refunds import RefundView, ReopenView

__all__ = [
    "BillView",
    "CancelPaymentView",
    "CardPaymentView",
    "CardWebhookView",
    "CashMovementView",
    "CashPaymentView",
    "CloseDayView",
    "ClosedChecksView",
    "CompView",
    "DiscountView",
    "DrawerCloseView",
    "DrawerHandOverView",
    "DrawerNoSaleView",
    "DrawerView",
    "EmailReceiptView",
    "InvoiceDetailsView",
    "MergeChecksView",
    "MoveItemsView",
    "OpenChecksView",
    "OtherPaymentView",
    "PaymentView",
    "PrintBillView",
    "ReceiptLinkView",
    "ReceiptPdfView",
    "ReceiptView",
    "RefundView",
    "RemoveDiscountView",
    "ReopenView",
    "RoomChargePaymentView",
    "RoomGuestsView",
    "ServiceChargeView",
    "ShareItemView",
    "SplitBySeatView",
    "SplitEvenlyView",
]
