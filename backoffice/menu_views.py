"""The menu editor's page: one outlet at a time; the JS module edits through `menu_api`."""

from django.conf import settings
from django.shortcuts import render

from staff.page_access import manager_page
from tables.models import Outlet


@manager_page
def menu_editor_page(request):
    outlets = list(Outlet.objects.filter(is_active=True).order_by("name"))
    chosen = request.GET.get("outlet", "")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    return render(
        request,
        "manager/menu.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            # Each name is edited in every language: [["en", "English"], ["nl", "Dutch"]] in the page's language.
            "languages": [[code, str(label)] for code, label in settings.LANGUAGES],
            "currency": settings.CURRENCY,
            "currency_decimals": settings.CURRENCY_DECIMALS,
        },
    )
