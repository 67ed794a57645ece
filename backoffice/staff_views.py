"""The manager's staff pages: the staff list, adding a person, and one person's page
(names and roles, PIN, PIN wait, active or not)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backoffice.staff_forms import NewPersonForm, PersonForm, PinForm, apply_service_errors
from staff import pin_guard, roster, selectors, services
from staff.models import Role, User
from staff.page_access import manager_page


@manager_page
@require_GET
def staff_list(request):
    inactive = request.GET.get("show") == "inactive"
    people = selectors.staff_list(active=not inactive)
    labels = dict(Role.choices)
    for person in people:
        person.role_labels = [(role, labels.get(role, role)) for role in person.roles]
    return render(request, "manager/staff/list.html", {"people": people, "inactive": inactive})


@manager_page
@require_http_methods(["GET", "POST"])
def add_person(request):
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = roster.add_person(
                manager=request.user,
                display_name=form.cleaned_data["display_name"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                pin=form.cleaned_data["pin"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s can now sign in with the PIN.") % {"name": person})
            return redirect("manager:staff")
    status = 400 if form.errors else 200
    return render(request, "manager/staff/add.html", {"form": form}, status=status)


def _person_page(request, person: User, *, status: int = 200, **forms):
    person_form = forms.get("person_form") or PersonForm(
        initial={
            "display_name": person.display_name,
            "full_name": person.get_full_name(),
            "roles": sorted(person.role_names()),
        }
    )
    wait = pin_guard.waits_for(person_ids=[person.pk], client=pin_guard.PinClient(key="manager-view"))[person.pk]
    context = {
        "person": person,
        "person_form": person_form,
        "pin_form": forms.get("pin_form") or PinForm(),
        "new_pin": forms.get("new_pin"),
        "person_waits": wait > 0,
        "is_me": person.pk == request.user.pk,
        "problem": forms.get("problem"),
    }
    return render(request, "manager/staff/person.html", context, status=status)


@manager_page
@require_http_methods(["GET", "POST"])
def person_page(request, person_id: int):
    person = get_object_or_404(User, pk=person_id)
    if request.method == "GET":
        return _person_page(request, person)
    form = PersonForm(request.POST)
    if form.is_valid():
        try:
            roster.update_person(
                manager=request.user,
                person=person,
                display_name=form.cleaned_data["display_name"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("manager:person", person_id=person.pk)
    return _person_page(request, person, status=400, person_form=form)


@manager_page
@require_POST
def reset_pin(request, person_id: int):
    person = get_object_or_404(User, pk=person_id)
    form = PinForm(request.POST)
    if form.is_valid():
        try:
            pin = roster.reset_pin(
                manager=request.user,
                person=person,
                pin=None if form.cleaned_data["generate"] else form.cleaned_data["pin"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if form.cleaned_data["generate"]:
                # Shown on this answer only: it is stored hashed and never sent again.
                return _person_page(request, person, new_pin=pin)
            messages.success(request, _("The new PIN is set."))
            return redirect("manager:person", person_id=person.pk)
    return _person_page(request, person, status=400, pin_form=form)


@manager_page
@require_POST
def clear_pin_wait(request, person_id: int):
    person = get_object_or_404(User, pk=person_id)
    services.unlock_pin(person=person, manager=request.user)
    messages.success(request, _("%(name)s can try their PIN again now.") % {"name": person})
    return redirect("manager:person", person_id=person.pk)


@manager_page
@require_POST
def set_active(request, person_id: int):
    person = get_object_or_404(User, pk=person_id)
    active = request.POST.get("active")
    if active not in ("yes", "no"):
        return _person_page(request, person, status=400, problem=_("active: say yes or no."))
    try:
        if active == "yes":
            roster.reactivate_person(manager=request.user, person=person)
            messages.success(request, _("%(name)s is active again.") % {"name": person})
        else:
            roster.deactivate_person(manager=request.user, person=person)
            messages.success(request, _("%(name)s is deactivated and signed out everywhere.") % {"name": person})
    except ValidationError as error:
        return _person_page(request, person, status=400, problem=" ".join(error.messages))
    return redirect("manager:person", person_id=person.pk)
