"""The manager's floor-plan editor: the page; its reads and its save are in backoffice.floor_api."""

from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from staff.page_access import manager_page
from tables.selectors import active_outlets, floor_plan_for_editing

GRID = 10  # plan units a dragged table snaps to


@manager_page
@ensure_csrf_cookie
def floor_editor(request):
    """One outlet's areas and tables to drag, resize, rotate, add and remove; saved in one go."""
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet", "")
    outlet = next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)
    return render(
        request,
        "manager/floor_editor.html",
        {
            "outlets": outlets,
            "outlet": outlet,
            "plan": floor_plan_for_editing(outlet=outlet) if outlet else None,
            "grid": GRID,
        },
    )
