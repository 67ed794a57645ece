from django.urls import path

from billing import api

urlpatterns = [
    path("orders/<int:order_id>/bill/", api.BillView.as_view(), name="bill"),
    path("checks/<int:check_id>/split-by-seat/", api.SplitBySeatView.as_view(), name="check-split-by-seat"),
    path("checks/<int:check_id>/split-evenly/", api.SplitEvenlyView.as_view(), name="check-split-evenly"),
    path("checks/<int:check_id>/move/", api.MoveItemsView.as_view(), name="check-move-items"),
    path("checks/<int:check_id>/merge/", api.MergeChecksView.as_view(), name="check-merge"),
    path("checks/<int:check_id>/discounts/", api.DiscountView.as_view(), name="check-discount"),
    path("checks/<int:check_id>/comps/", api.CompView.as_view(), name="check-comp"),
    path("checks/<int:check_id>/service-charge/", api.ServiceChargeView.as_view(), name="check-service-charge"),
    path("checks/<int:check_id>/print/", api.PrintBillView.as_view(), name="check-print"),
    path("checks/<int:check_id>/payments/cash/", api.CashPaymentView.as_view(), name="check-pay-cash"),
    path("checks/<int:check_id>/payments/other/", api.OtherPaymentView.as_view(), name="check-pay-other"),
    path("checks/<int:check_id>/payments/card/", api.CardPaymentView.as_view(), name="check-pay-card"),
    path("checks/<int:check_id>/room-guests/", api.RoomGuestsView.as_view(), name="check-room-guests"),
    path("checks/<int:check_id>/payments/room/", api.RoomChargePaymentView.as_view(), name="check-pay-room"),
    path("payments/<int:payment_id>/", api.PaymentView.as_view(), name="payment"),
    path("payments/<int:payment_id>/cancel/", api.CancelPaymentView.as_view(), name="payment-cancel"),
    path("stripe/webhook/", api.CardWebhookView.as_view(), name="stripe-webhook"),
    path("checks/<int:check_id>/receipt/", api.ReceiptView.as_view(), name="check-receipt"),
    path("checks/<int:check_id>/receipt.pdf", api.ReceiptPdfView.as_view(), name="check-receipt-pdf"),
    path("checks/<int:check_id>/reopen/", api.ReopenView.as_view(), name="check-reopen"),
    path("payments/<int:payment_id>/refunds/", api.RefundView.as_view(), name="payment-refund"),
    path("days/close/", api.CloseDayView.as_view(), name="day-close"),
    path("drawers/", api.DrawerView.as_view(), name="drawer-open"),
    path("drawers/<int:session_id>/close/", api.DrawerCloseView.as_view(), name="drawer-close"),
    path("drawers/<int:session_id>/movements/", api.CashMovementView.as_view(), name="drawer-movement"),
    path("check-items/<int:item_id>/share/", api.ShareItemView.as_view(), name="check-item-share"),
    path("discounts/<int:discount_id>/remove/", api.RemoveDiscountView.as_view(), name="discount-remove"),
]
