"""The allergen matrix (a manager ticks the 14 per dish and choice) and the guests' allergen card."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import ensure_csrf_cookie

from orders.allergen_selectors import outlet_allergens
from orders.allergens import ALLERGEN_DETAILS, ALLERGEN_MARKS, Allergen
from staff.models import Role
from staff.page_access import manager_page, role_page
from tables.selectors import active_outlets


def _legend() -> list[dict[str, str]]:
    return [
        {"code": code, "name": str(label), "mark": str(ALLERGEN_MARKS[code]), "detail": str(ALLERGEN_DETAILS[code])}
        for code, label in Allergen.choices
    ]


def _chosen_outlet(request):
    outlets = list(active_outlets())
    chosen = request.GET.get("outlet", "")
    return outlets, next((o for o in outlets if str(o.pk) == chosen), outlets[0] if outlets else None)


def _ticked(rows: list[dict], legend: list[dict]) -> None:
    """Each row gets its 14 cells in legend order, for the template."""
    for row in rows:
        have = set(row["allergens"])
        row["cells"] = [{**allergen, "ticked": allergen["code"] in have} for allergen in legend]


@manager_page
@ensure_csrf_cookie
def allergen_matrix(request):
    """Items by category and every choice offered with them, against the 14; saved by the page's script."""
    outlets, outlet = _chosen_outlet(request)
    legend = _legend()
    board = outlet_allergens(outlet=outlet) if outlet else {"categories": [], "modifier_groups": []}
    for category in board["categories"]:
        _ticked(category["items"], legend)
    for group in board["modifier_groups"]:
        _ticked(group["modifiers"], legend)
    return render(
        request,
        "manager/allergens.html",
        {"outlets": outlets, "outlet": outlet, "legend": legend, **board},
    )


@role_page(*Role.values)
def allergen_card(request):
    """The card a guest reads: each dish (and choice) with its allergens, printable, in the language asked for."""
    outlets, outlet = _chosen_outlet(request)
    languages = dict(settings.LANGUAGES)
    language = request.GET.get("lang") or translation.get_language()
    if language not in languages:
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        legend = _legend()
        names = {allergen["code"]: allergen["name"] for allergen in legend}
        board = (
            outlet_allergens(outlet=outlet, only_active=True) if outlet else {"categories": [], "modifier_groups": []}
        )
        for row in [item for c in board["categories"] for item in c["items"]] + [
            m for g in board["modifier_groups"] for m in g["modifiers"]
        ]:
            row["names"] = [names[code] for code in row["allergens"]]
        return render(
            request,
            "manager/allergen_card.html",
            {
                "outlets": outlets,
                "outlet": outlet,
                "legend": legend,
                "card_language": language,
                "languages": settings.LANGUAGES,
                **board,
            },
        )
