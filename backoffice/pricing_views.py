"""The manager's Prices page (a percentage change with its preview, price lists, happy hours) and
the Import / export page (a menu file in and out, a menu copied to another outlet).

Server-rendered forms: nothing here needs a script. Each write is one service call; a
refused one comes back as the page with the field's error and a 400.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.pricing_forms import WEEKDAYS, CopyMenuForm, HappyHourForm, ImportForm, PriceChangeForm
from orders import services
from orders.menu_file import MenuFileErrors, menu_csv
from orders.models import HappyHour, PriceList
from orders.selectors import local_now
from staff.page_access import manager_page
from tables.models import Outlet


def _outlet(request) -> Outlet | None:
    outlet_id = request.GET.get("outlet") or request.POST.get("outlet")
    outlets = Outlet.objects.filter(is_active=True).order_by("name", "pk")
    if outlet_id and str(outlet_id).isdigit():
        return outlets.filter(pk=outlet_id).first() or outlets.first()
    return outlets.first()


def _to_form(form, error: ValidationError) -> None:
    """A service's refusal shown on the field it names (else above the form)."""
    for field, errors in error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]:
        form.add_error(field if field in form.fields else None, errors)


def _prices_url(outlet: Outlet) -> str:
    return f"{reverse('manager:prices')}?outlet={outlet.pk}"


def _prices_page(request, outlet, *, change_form=None, happy_form=None, preview=None, status=200):
    today = local_now().date()
    price_lists = [
        {"list": price_list, "state": price_list.state_on(today), "entries": list(price_list.entries.all())}
        for price_list in PriceList.objects.filter(outlet=outlet)
        .select_related("created_by", "cancelled_by")
        .prefetch_related("entries__item")[:30]
    ]
    happy_hours = [
        {"hour": hour, "days": ", ".join(str(label) for code, label in WEEKDAYS if code in hour.weekdays)}
        for hour in HappyHour.objects.filter(outlet=outlet).prefetch_related("prices__item", "prices__category")
    ]
    return render(
        request,
        "manager/prices.html",
        {
            "outlet": outlet,
            "outlets": Outlet.objects.filter(is_active=True).order_by("name", "pk"),
            "change_form": change_form or PriceChangeForm(outlet=outlet, initial={"rounding": 1}),
            "happy_form": happy_form or HappyHourForm(outlet=outlet),
            "preview": preview,
            "price_lists": price_lists,
            "happy_hours": happy_hours,
            "states": PriceList.State,
        },
        status=status,
    )


@manager_page
def prices(request):
    outlet = _outlet(request)
    if outlet is None:
        return render(request, "manager/prices.html", {"outlet": None})
    if request.method != "POST":
        return _prices_page(request, outlet)
    action = request.POST.get("action")
    if action == "happy_hour":
        return _add_happy_hour(request, outlet)
    form = PriceChangeForm(request.POST, outlet=outlet)
    if not form.is_valid():
        return _prices_page(request, outlet, change_form=form, status=400)
    data = form.cleaned_data
    try:
        if action == "apply":
            result = services.change_prices_by_percentage(
                outlet=outlet,
                by=request.user,
                percent=data["percent"],
                category=data["category"],
                rounding=data["rounding"],
                starts_on=data["starts_on"],
                name=data["name"],
            )
            if isinstance(result, PriceList):
                messages.success(request, _("Price list “%(name)s” scheduled.") % {"name": result.name})
            else:
                messages.success(request, _("%(n)d prices changed.") % {"n": len(result)})
            return redirect(_prices_url(outlet))
        preview = services.preview_percentage_change(
            outlet=outlet,
            percent=data["percent"],
            category=data["category"],
            rounding=data["rounding"],
            starts_on=data["starts_on"],
        )
    except ValidationError as error:
        _to_form(form, error)
        return _prices_page(request, outlet, change_form=form, status=400)
    return _prices_page(request, outlet, change_form=form, preview=preview)


def _add_happy_hour(request, outlet):
    form = HappyHourForm(request.POST, outlet=outlet)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.save_happy_hour(
                outlet=outlet,
                by=request.user,
                name=data["name"],
                weekdays="".join(data["weekdays"]),
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                item_prices={data["item"].pk: data["price"]} if data.get("item") else {},
                category_percents={data["category"].pk: data["percent_off"]} if data.get("category") else {},
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("Happy hour “%(name)s” saved.") % {"name": data["name"]})
            return redirect(_prices_url(outlet))
    return _prices_page(request, outlet, happy_form=form, status=400)


@manager_page
@require_POST
def cancel_price_list(request, price_list_id: int):
    price_list = get_object_or_404(PriceList, pk=price_list_id)
    try:
        services.cancel_price_list(price_list=price_list, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_prices_url(price_list.outlet))
    messages.success(request, _("Price list “%(name)s” cancelled.") % {"name": price_list.name})
    return redirect(_prices_url(price_list.outlet))


@manager_page
@require_POST
def remove_happy_hour(request, happy_hour_id: int):
    happy_hour = get_object_or_404(HappyHour, pk=happy_hour_id)
    outlet = happy_hour.outlet
    services.remove_happy_hour(happy_hour=happy_hour, by=request.user)
    messages.success(request, _("Happy hour “%(name)s” removed.") % {"name": happy_hour.name})
    return redirect(_prices_url(outlet))


def _transfer_page(request, *, import_form=None, copy_form=None, file_errors=None, status=200):
    return render(
        request,
        "manager/menu_transfer.html",
        {
            "outlets": Outlet.objects.order_by("name", "pk"),
            "import_form": import_form or ImportForm(),
            "copy_form": copy_form or CopyMenuForm(),
            "file_errors": file_errors,
        },
        status=status,
    )


@manager_page
def menu_transfer(request):
    if request.method != "POST":
        return _transfer_page(request)
    if request.POST.get("action") == "copy":
        form = CopyMenuForm(request.POST)
        if form.is_valid():
            try:
                copied = services.copy_menu(
                    source=form.cleaned_data["source"], target=form.cleaned_data["target"], by=request.user
                )
            except ValidationError as error:
                _to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Copied %(menus)d menus, %(categories)d categories and %(items)d items.")
                    % {"menus": copied.menus, "categories": copied.categories, "items": copied.items},
                )
                return redirect("manager:menu-transfer")
        return _transfer_page(request, copy_form=form, status=400)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _transfer_page(request, import_form=form, status=400)
    try:
        result = services.import_menu_file(
            outlet=form.cleaned_data["outlet"], by=request.user, text=form.cleaned_data["file"]
        )
    except MenuFileErrors as error:
        return _transfer_page(request, import_form=form, file_errors=error.errors, status=400)
    messages.success(request, _("Menu read: %(created)d items added, %(updated)d updated.") % result.__dict__)
    return redirect("manager:menu-transfer")


@manager_page
@require_GET
def export_menu(request, outlet_id: int):
    outlet = get_object_or_404(Outlet, pk=outlet_id)
    response = HttpResponse(menu_csv(outlet), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="menu-{outlet.pk}.csv"'
    return response
