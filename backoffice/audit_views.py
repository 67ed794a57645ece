"""The audit log for the manager: who did what, when, filtered, newest first, readable."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from backoffice.audit_wording import action_label, entry_lines
from backoffice.staff_forms import AuditFilterForm
from staff import selectors
from staff.models import User
from staff.page_access import manager_page


@manager_page
@require_GET
def audit_log(request):
    people = User.objects.order_by("display_name", "username")
    form = AuditFilterForm(request.GET, people=people, actions=selectors.audit_actions(), action_label=action_label)
    if not form.is_valid():
        return render(request, "manager/staff/audit.html", {"form": form, "entries": None}, status=400)
    data = form.cleaned_data
    page = selectors.audit_page(
        actor_id=data["actor"],
        action=data["action"] or None,
        since=data["since"],
        until=data["until"],
        page=data["page"] or 1,
    )
    entries = [{"entry": entry, "label": action_label(entry.action), "lines": entry_lines(entry)} for entry in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "manager/staff/audit.html",
        {"form": form, "page": page, "entries": entries, "query": query.urlencode()},
    )
