"""Bills and receipts on paper (the outlet's receipt printer) and on screen, from a check's figures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import Check, Discount, OutletBilling, Payment, Refund
from billing.selectors import billing_settings, order_bill, paid_towards
from orders.models import Order, OrderLine
from printing.models import PrintJob
from printing.receipts import (
    Receipt,
    ReceiptLine,
    ReceiptModifier,
    ReceiptRefund,
    ReceiptTaxRow,
    ReceiptTender,
    receipt_text,
    render_receipt,
)
from printing.services import queue_print_job
from staff.models import User

TAX_CODES = "ABCDEFGH"


def _table_label(order: Order) -> str:
    if order.table_id:
        return _("Table %(number)s") % {"number": order.table.number}
    if order.room_number:
        return _("Room %(number)s") % {"number": order.room_number}
    return order.tab_name


def _discount_label(discount: Discount) -> str:
    if discount.kind == Discount.Kind.COMP:
        return _("Comp (%(reason)s)") % {"reason": discount.reason}
    if discount.percent is not None:
        return _("Discount %(percent)s%% (%(reason)s)") % {
            "percent": format(discount.percent.normalize(), "f"),
            "reason": discount.reason,
        }
    return _("Discount (%(reason)s)") % {"reason": discount.reason}


def _invoice_parts(check: Check, title: str) -> dict:
    """The title and the "Invoice to" block: a paid check with a company on it reads as an invoice."""
    if not check.is_invoice:
        return {"title": title, "customer_lines": ()}
    lines = [check.invoice_company, *(line for line in check.invoice_address.splitlines() if line.strip())]
    if check.invoice_vat_number:
        lines.append(_("VAT no. %(number)s") % {"number": check.invoice_vat_number})
    if check.status == Check.Status.CLOSED:
        title = f"{_('INVOICE')} - {title}" if title else _("INVOICE")
    return {"title": title, "customer_lines": tuple(lines)}


def receipt_for(*, check: Check, title: str = "") -> Receipt:
    """What the guest's paper says for this check, now."""
    order = Order.objects.select_related("outlet", "table", "waiter").get(pk=check.order_id)
    checks, totals = order_bill(order=order)
    check = next(c for c in checks if c.pk == check.pk)
    figures = totals[check.pk]
    rules: OutletBilling = billing_settings(order.outlet_id)
    codes = {r.tax_percent: TAX_CODES[i] for i, r in enumerate(sorted(figures.rates, key=lambda r: r.tax_percent))}
    lines_by_id: dict[int, OrderLine] = check.lines_by_id
    receipt_lines = []
    for share in figures.shares:
        line = lines_by_id[share.line]
        item = next(i for i in line.check_items.all() if i.pk == share.key)
        discounts = list(line.discounts.all())
        qty = f"{line.qty}" if item.shares == item.of_shares else f"{line.qty * item.shares}/{item.of_shares}"
        receipt_lines.append(
            ReceiptLine(
                qty_label=qty,
                name=line.name,
                amount=share.amount,
                modifiers=tuple(ReceiptModifier(name=m.name) for m in line.modifiers.all()),
                discount_label=_discount_label(discounts[0]) if discounts and share.discount else "",
                discount_amount=share.discount,
                tax_code=codes.get(line.tax_percent, ""),
                is_void=line.status == OrderLine.Status.VOID,
            )
        )
    check_discounts = tuple((_discount_label(d), figures.discount_amounts.get(d.pk, 0)) for d in check.discounts.all())
    payments = [p for p in check.payments.all() if p.state == Payment.State.CAPTURED]
    return Receipt(
        **_invoice_parts(check, title),
        business_name=rules.business_name or order.outlet.name,
        address_lines=tuple(line for line in rules.address.splitlines() if line.strip()),
        vat_number=rules.vat_number,
        outlet_name=order.outlet.name,
        check_label=_("Check %(order)s-%(number)s") % {"order": order.pk, "number": check.number},
        table_label=_table_label(order),
        waiter_name=str(order.waiter),
        covers=order.covers,
        printed_at=timezone.now(),
        lines=tuple(receipt_lines),
        subtotal=figures.goods,
        check_discounts=check_discounts,
        service_charge_label=_("Service %(percent)s%%") % {"percent": format(figures.service_percent.normalize(), "f")}
        if figures.service_charge
        else "",
        service_charge=figures.service_charge,
        tax_rows=tuple(
            ReceiptTaxRow(
                code=codes[r.tax_percent],
                percent=format(r.tax_percent.normalize(), "f"),
                net=r.net,
                tax=r.tax,
                gross=r.gross,
            )
            for r in sorted(figures.rates, key=lambda r: r.tax_percent)
        ),
        prices_include_tax=figures.prices_include_tax,
        total=figures.total,
        tenders=tuple(
            ReceiptTender(label=p.tender.name, amount=p.amount, tip=p.tip, change=p.change_due, detail=p.reference)
            for p in payments
        ),
        tips_total=sum(p.tip for p in payments),
        cash_rounding=sum(p.rounding for p in payments),
        balance_due=max(figures.total - paid_towards(check), 0),
        footer_lines=tuple(line for line in rules.receipt_footer.splitlines() if line.strip()),
        refunds=_refunds_of(check),
        currency=settings.CURRENCY,
    )


def _refunds_of(check: Check) -> tuple[ReceiptRefund, ...]:
    """The money given back on the check (a failed refund gave nothing back), oldest first."""
    refunds = (
        Refund.objects.filter(payment__guest_check=check, state=Refund.State.SUCCEEDED)
        .select_related("payment__tender")
        .prefetch_related("lines__item__line")
        .order_by("created_at", "pk")
    )
    return tuple(
        ReceiptRefund(
            at=refund.created_at,
            tender=refund.payment.tender.name,
            amount=refund.amount,
            lines=tuple(f"{line.qty}x {line.item.line.name}" for line in refund.lines.all()),
            reason=refund.reason,
        )
        for refund in refunds
    )


def receipt_as_text(*, check: Check, title: str = "") -> str:
    """The on-screen copy: the very layout the printer gets."""
    return receipt_text(receipt_for(check=check, title=title))


def receipt_printer_problem(*, outlet_id: int) -> str:
    """Why the outlet cannot print a bill now ("" when it can): a waiter is told, never a false "printed"."""
    printer = billing_settings(outlet_id).receipt_printer
    if printer is None:
        return _("No receipt printer is set up for this outlet.")
    if not printer.is_active:
        return _("The receipt printer of this outlet is switched off in the back office.")
    return ""


def receipt_choice_first(*, outlet_id: int) -> str:
    """The receipt choice picked first after a payment: the outlet's default, but never "print" with no printer."""
    choice = billing_settings(outlet_id).receipt_default
    if choice == OutletBilling.ReceiptChoice.PRINT and receipt_printer_problem(outlet_id=outlet_id):
        return OutletBilling.ReceiptChoice.NONE
    return choice


def queue_receipt(*, check: Check, by: User, title: str = "") -> PrintJob | None:
    """Queue the receipt (or pro-forma bill) on the outlet's receipt printer; None if it has none."""
    rules = billing_settings(check.order.outlet_id)
    printer = rules.receipt_printer
    if printer is None or not printer.is_active:
        return None
    payload = render_receipt(
        receipt_for(check=check, title=title), width_chars=printer.paper_width_chars, profile=printer.profile
    )
    if not payload:
        raise ValidationError({"check": _("Nothing to print.")})
    return queue_print_job(
        printer=printer,
        payload=payload,
        title=_("Check %(order)s-%(number)s") % {"order": check.order_id, "number": check.number},
        source=f"billing.check:{check.pk}",
        by=by,
    )


def receipt_as_pdf(*, check: Check, title: str = "") -> bytes:
    """The PDF copy: the same layout again, on a page."""
    from printing.receipt_pdf import receipt_pdf

    return receipt_pdf(receipt_for(check=check, title=title))
