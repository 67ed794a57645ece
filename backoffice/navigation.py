"""The navigation every manager page shares: one list, so a new page is one line here."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Page:
    key: str
    url_name: str
    label: str | Promise
    hint: str | Promise

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Section:
    label: str | Promise
    pages: tuple[Page, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        _("Today"),
        (
            Page("home", "manager:home", _("Dashboard"), _("Sales, covers, open checks and the kitchen, live.")),
            Page("day", "billing:day-report", _("Day report"), _("Today's sales so far, and the close of day (Z).")),
            Page(
                "drawers",
                "billing:drawers",
                _("Cash drawers"),
                _("Open drawers, counts and variances by day and person."),
            ),
            Page(
                "cashier",
                "cashier:checks",
                pgettext_lazy("the cashier's screen", "Cashier"),
                _("Every open check, today's paid checks, refunds and reopening."),
            ),
            Page("86", "kitchen:sold-out", _("86 board"), _("Sold out items and choices, countdowns.")),
            Page("front-desk", "frontdesk:home", _("Front desk"), _("Room charges, guests in house and folios.")),
        ),
    ),
    Section(
        _("Reports"),
        (
            Page(
                "reports",
                "manager:reports",
                _("Reports"),
                _("Sales by day and hour, product mix, waiters, tenders, VAT, voids, kitchen times, labour."),
            ),
        ),
    ),
    Section(
        _("Set-up"),
        (
            Page("menu", "manager:menu", _("Menu"), _("Menus, categories, items, prices and choices.")),
            Page("allergens", "manager:allergens", _("Allergens"), _("The 14 EU allergens per dish and choice.")),
            Page(
                "prices", "manager:prices", _("Prices"), _("Price changes by %, price lists from a date, happy hours.")
            ),
            Page(
                "menu-transfer",
                "manager:menu-transfer",
                _("Import / export"),
                _("The menu as a spreadsheet file, and a menu copied to another outlet."),
            ),
            Page("floor", "manager:floor", _("Floor plan"), _("Areas and tables: drag, resize, rotate, add.")),
            Page("printers", "printing:printers", _("Printers"), _("Printer status and slips that did not print.")),
            Page(
                "kitchen-stations",
                "kitchen:stations",
                _("Kitchen screens"),
                _("Pair a screen with its station."),
            ),
        ),
    ),
    Section(
        _("People"),
        (
            Page("staff", "manager:staff", _("Staff"), _("People, roles and PINs; who is active.")),
            Page("timesheets", "manager:timesheets", _("Timesheets"), _("Hours per person per week; corrections.")),
            Page("audit", "manager:audit", _("Audit log"), _("Who did what, and when.")),
        ),
    ),
)


def sections() -> tuple[Section, ...]:
    return SECTIONS


def page_for(path: str) -> Page | None:
    """The page of the navigation that `path` is on: the longest URL that starts it."""
    found = [page for section in SECTIONS for page in section.pages if path.startswith(page.url)]
    return max(found, key=lambda page: len(page.url), default=None)
