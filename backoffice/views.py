"""The manager's pages of the back office."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from backoffice.dashboard.selectors import dashboard
from backoffice.navigation import sections
from staff.page_access import manager_page
from tables.selectors import active_outlets

# The page fetches its live part this often. A fragment every few seconds from the one or two
# managers looking costs a dozen small queries each; a socket would need every app below to
# broadcast for the dashboard.
REFRESH_MS = 5000


def _outlet_asked(request, outlets: list) -> int | None:
    """The outlet of `?outlet=`, None for the house; a 404 naming the field for anything else."""
    raw = request.GET.get("outlet", "")
    if not raw:
        return None
    if not raw.isdigit() or int(raw) not in {outlet.pk for outlet in outlets}:
        raise Http404(_("outlet: no such outlet."))
    return int(raw)


@manager_page
def home(request):
    """The manager's home: the live dashboard of the house or one outlet, and a way to every page."""
    outlets = list(active_outlets())
    outlet_id = _outlet_asked(request, outlets)
    context = {"board": dashboard(outlet_id=outlet_id), "outlet_id": outlet_id, "outlets": outlets}
    if request.GET.get("part") == "live":
        return render(request, "manager/_dashboard.html", context)
    return render(request, "manager/home.html", {**context, "sections": sections(), "refresh_ms": REFRESH_MS})
