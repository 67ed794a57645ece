"""The shapes of the billing API's answers, for the OpenAPI schema (selectors build the bodies).

Money is integer minor units (cents); percentages are decimal strings ("9", "12.5").
"""

from rest_framework import serializers

from pms_integration.responses import InHouseGuestSerializer

# The card provider could not be reached or refused: {"detail": ...}.
PROVIDER_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}


def Percent(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=True, **kwargs)


class BillOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    covers = serializers.IntegerField()
    version = serializers.IntegerField()


class LineDiscountEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    percent = Percent(allow_null=True)
    amount = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class CheckDiscountEntrySerializer(LineDiscountEntrySerializer):
    applied = serializers.IntegerField(help_text="What this discount took off the check.")


class BillItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        allow_null=True, help_text="None for a line on no check yet (a POST to the bill places it)."
    )
    line = serializers.IntegerField()
    name = serializers.CharField()
    qty_label = serializers.CharField(allow_blank=True, help_text='"2", or "1/3" for a share of a line.')
    shares = serializers.IntegerField()
    of_shares = serializers.IntegerField()
    seat = serializers.IntegerField()
    status = serializers.CharField()
    modifiers = serializers.ListField(child=serializers.CharField())
    set_line = serializers.IntegerField(
        allow_null=True, help_text="The set menu's line this dish was chosen in; its amount is its share of the set."
    )
    amount = serializers.IntegerField()
    discount = serializers.IntegerField()
    discounts = LineDiscountEntrySerializer(many=True)


class BillPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tender = serializers.CharField()
    kind = serializers.CharField()
    state = serializers.CharField()
    amount = serializers.IntegerField()
    tip = serializers.IntegerField()
    change_due = serializers.IntegerField()
    rounding = serializers.IntegerField()
    failure_message = serializers.CharField(allow_blank=True)


class TaxRateRowSerializer(serializers.Serializer):
    tax_percent = Percent()
    net = serializers.IntegerField()
    tax = serializers.IntegerField()
    gross = serializers.IntegerField()


class CheckTotalsSerializer(serializers.Serializer):
    items_amount = serializers.IntegerField()
    line_discounts = serializers.IntegerField()
    check_discounts = serializers.IntegerField()
    service_charge = serializers.IntegerField()
    service_percent = Percent()
    tax = serializers.IntegerField()
    total = serializers.IntegerField()
    rates = TaxRateRowSerializer(many=True)


class InvoiceDetailsSerializer(serializers.Serializer):
    company = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    vat_number = serializers.CharField(allow_blank=True)


class BillCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="None for the check a POST to the bill would create.")
    number = serializers.IntegerField()
    label = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    version = serializers.IntegerField()
    frozen = serializers.BooleanField(help_text="Figures kept as they were at the first payment.")
    bill_printed_at = serializers.DateTimeField(allow_null=True)
    bill_print_state = serializers.CharField(
        allow_null=True, help_text="The printed bill's job: queued, printing, printed or failed."
    )
    invoice = InvoiceDetailsSerializer(allow_null=True, help_text="The guest's company: the receipt is an invoice.")
    items = BillItemSerializer(many=True)
    discounts = CheckDiscountEntrySerializer(many=True)
    payments = BillPaymentSerializer(many=True)
    totals = CheckTotalsSerializer()
    paid = serializers.IntegerField()
    balance = serializers.IntegerField()


class BillSerializer(serializers.Serializer):
    order = BillOrderSerializer()
    checks = BillCheckSerializer(many=True)
    unplaced_lines = serializers.IntegerField(help_text="Lines on no check yet; a POST to the bill places them.")


class PrintJobEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    last_error = serializers.CharField(allow_blank=True)
    printed_at = serializers.DateTimeField(allow_null=True)


class BillPrintJobSerializer(serializers.Serializer):
    print_job = PrintJobEntrySerializer(allow_null=True, help_text="None when nothing was queued for this check.")


class BillPrintedSerializer(BillSerializer):
    print_job = PrintJobEntrySerializer(allow_null=True, help_text="Queued is not printed: follow it with GET.")


class TenderEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    allows_tip = serializers.BooleanField()


class ReaderEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()


class BillWithTendersSerializer(BillSerializer):
    tenders = TenderEntrySerializer(many=True)
    readers = ReaderEntrySerializer(many=True)


class CashPaidSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    change_due = serializers.IntegerField()
    rounding = serializers.IntegerField()


class BillAfterCashSerializer(BillSerializer):
    payment = CashPaidSerializer()


class OtherPaidSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class BillAfterOtherPaymentSerializer(BillSerializer):
    payment = OtherPaidSerializer()


class PaymentAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    check = serializers.IntegerField()
    order = serializers.IntegerField()
    state = serializers.CharField()
    amount = serializers.IntegerField()
    tip = serializers.IntegerField()
    tender = serializers.CharField()
    kind = serializers.CharField()
    reader = serializers.CharField(allow_blank=True)
    provider_status = serializers.CharField(allow_blank=True)
    failure_message = serializers.CharField(allow_blank=True)
    detail = serializers.CharField(allow_blank=True, help_text="The payment's reference.")
    check_status = serializers.CharField()
    order_status = serializers.CharField()


class RoomGuestsSerializer(serializers.Serializer):
    guests = InHouseGuestSerializer(many=True)


class WebhookOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["duplicate", "ignored", "settled"])


class ReceiptTextSerializer(serializers.Serializer):
    text = serializers.CharField()


class RefundAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    amount = serializers.IntegerField()
    failure_message = serializers.CharField(allow_blank=True)


class DayClosedSerializer(serializers.Serializer):
    date = serializers.DateField()
    z_number = serializers.IntegerField()
    report = serializers.JSONField(help_text="The Z report: totals by tender, tax, category and waiter.")


class DrawerAnswerSerializer(serializers.Serializer):
    """Blind count: what the drawer should hold is shown only once it is closed."""

    id = serializers.IntegerField()
    outlet = serializers.IntegerField()
    opening_float = serializers.IntegerField()
    open = serializers.BooleanField()
    counted = serializers.IntegerField(required=False, allow_null=True, help_text="Once closed.")
    expected = serializers.IntegerField(required=False, allow_null=True, help_text="Once closed.")
    variance = serializers.IntegerField(required=False, allow_null=True, help_text="Once closed.")
    float_counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="The float by note and coin: {value in cents: pieces}."
    )
    close_counts = serializers.DictField(
        child=serializers.IntegerField(), required=False, allow_null=True, help_text="Once closed."
    )
    count_slip_printed_on = serializers.CharField(
        required=False, allow_blank=True, help_text="Once closed: the printer the count slip went to."
    )
    count_slip_problem = serializers.CharField(
        required=False, allow_blank=True, help_text="Once closed: why no count slip was printed ('' if queued)."
    )


class DrawerNoSaleAnswerSerializer(DrawerAnswerSerializer):
    kick_problem = serializers.CharField(
        allow_blank=True, help_text="Why the drawer was not pulsed open ('' when the kick went to the printer)."
    )


class DrawerHandOverAnswerSerializer(serializers.Serializer):
    closed = DrawerAnswerSerializer(help_text="The outgoing session, closed with its variance.")
    opened = DrawerAnswerSerializer(help_text="The incoming person's session, its float the cash counted.")


class CashMovementAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    amount = serializers.IntegerField()
    reason = serializers.CharField()
    reason_code = serializers.CharField(allow_blank=True)


class OpenCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="None: lines on no check yet, placed when the bill opens.")
    order = serializers.IntegerField()
    number = serializers.IntegerField()
    label = serializers.CharField()
    kind = serializers.CharField()
    table = serializers.CharField(allow_blank=True)
    waiter = serializers.CharField()
    waiter_id = serializers.IntegerField()
    opened_at = serializers.DateTimeField()
    total = serializers.IntegerField()
    paid = serializers.IntegerField()
    due = serializers.IntegerField()
    bill_printed = serializers.BooleanField()
    part_paid = serializers.BooleanField()
    waiting_for_hotel = serializers.BooleanField()
    card_under_way = serializers.BooleanField()


class ClosedPaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tender = serializers.CharField()
    kind = serializers.CharField()
    amount = serializers.IntegerField()
    tip = serializers.IntegerField()
    refunded = serializers.IntegerField()
    refundable = serializers.IntegerField()


class RefundLineEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    qty = serializers.IntegerField()
    amount = serializers.IntegerField()


class ClosedRefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment = serializers.IntegerField()
    tender = serializers.CharField()
    amount = serializers.IntegerField()
    state = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField()
    lines = RefundLineEntrySerializer(many=True)


class ClosedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    units = serializers.IntegerField()
    refunded = serializers.IntegerField()
    amount = serializers.IntegerField()


class ClosedCheckSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    number = serializers.IntegerField()
    label = serializers.CharField()
    waiter = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField()
    payments = ClosedPaymentSerializer(many=True)
    refunds = ClosedRefundSerializer(many=True)
    items = ClosedItemSerializer(many=True)


class ReceiptEmailedSerializer(serializers.Serializer):
    sent_to = serializers.CharField(help_text="The address the mail server took the receipt for.")


class ReceiptLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The public page with the PDF copy; no sign-in.")
    qr_svg = serializers.CharField(help_text="The link as a QR code (SVG image, same origin).")
    expires_at = serializers.DateTimeField()


class ReceiptNotSentSerializer(serializers.Serializer):
    email = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="503: the mail server is down or refused the mail."
    )
    detail = serializers.CharField(required=False, help_text="429: this check's receipt was mailed too often.")
