"""One outlet's menu as a CSV file (a spreadsheet's): the columns, writing it, and reading its rows.

One row per item, with its menu and category by name, names in every language, the price
in euros ("12.50"; "12,50" is read too), the VAT rate in percent, the course, the
colour and whether it is available. An item is found again by its code when it has one,
else by its menu, category and name (in the default language). Reading checks every
row and reports each fault by row and column; writing is `services.import_menu_file`.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from orders.models import Item, TaxRate
from orders.prices import cents_from_euros, euros_text

LANGUAGES = [code for code, _name in settings.LANGUAGES]
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
# Translated text: (column prefix, model field). The one list to change when a name is added.
NAMED = [("menu", "name"), ("category", "name"), ("name", "name"), ("kitchen_name", "short_name"),
         ("description", "description")]  # fmt: skip
MAX_LENGTHS = {"menu": 80, "category": 80, "name": 80, "kitchen_name": 40, "description": 200}
REQUIRED = ("menu", "category", "name")


def _localized(prefix: str) -> list[str]:
    return [f"{prefix}_{language}" for language in LANGUAGES]


COLUMNS = [
    "code",
    *(column for prefix, _field in NAMED for column in _localized(prefix)),
    "price",
    "vat",
    "takeaway_vat",
    "course",
    "colour",
    "available",
]
YES, NO = ("yes", "ja", "true", "1", ""), ("no", "nee", "false", "0")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _percent_text(percent: Decimal) -> str:
    text = format(percent.normalize(), "f")
    return text


def _names(obj, model_field: str) -> list[str]:
    return [getattr(obj, f"{model_field}_{language}") or "" for language in LANGUAGES]


def _first_name(texts: dict[str, str]) -> str:
    return texts.get(DEFAULT_LANGUAGE) or next((text for text in texts.values() if text), "")


def key_name(obj, model_field: str = "name") -> str:
    """What finds a row's menu, category or item again, whatever the screen's language."""
    return _first_name(dict(zip(LANGUAGES, _names(obj, model_field), strict=True)))


def menu_rows(outlet) -> list[list[str]]:
    """The outlet's items as rows of COLUMNS, in menu order (one query), whatever the screen's language."""
    with translation.override(DEFAULT_LANGUAGE):
        return _menu_rows(outlet)


def _menu_rows(outlet) -> list[list[str]]:
    items = (
        Item.objects.filter(category__menu__outlet=outlet)
        .select_related("category__menu", "tax_rate", "takeaway_tax_rate")
        .order_by(
            "category__menu__sort_order",
            "category__menu__name",
            "category__menu__pk",
            "category__sort_order",
            "category__name",
            "category__pk",
            "sort_order",
            "name",
            "pk",
        )
    )
    rows = []
    for item in items:
        category, menu = item.category, item.category.menu
        rows.append(
            [
                item.code,
                *_names(menu, "name"),
                *_names(category, "name"),
                *_names(item, "name"),
                *_names(item, "short_name"),
                *_names(item, "description"),
                euros_text(item.price),
                _percent_text(item.tax_rate.percent),
                _percent_text(item.takeaway_tax_rate.percent) if item.takeaway_tax_rate_id else "",
                str(item.default_course or ""),
                item.colour,
                "yes" if item.is_available else "no",
            ]
        )
    return rows


def menu_csv(outlet) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(menu_rows(outlet))
    return out.getvalue()


@dataclass
class MenuRow:
    """One checked row, ready to write."""

    number: int
    code: str
    names: dict[str, dict[str, str]] = field(default_factory=dict)  # prefix -> language -> text
    price: int = 0
    tax_rate: TaxRate | None = None
    takeaway_tax_rate: TaxRate | None = None
    course: int | None = None
    colour: str = ""
    is_available: bool = True

    def name(self, prefix: str) -> str:
        """The name in the default language, else the first given (what finds the row again)."""
        return _first_name(self.names[prefix])

    @property
    def key(self) -> tuple:
        return (
            ("code", self.code) if self.code else ("name", self.name("menu"), self.name("category"), self.name("name"))
        )


class MenuFileErrors(Exception):
    """Every fault of a file: (row, column, message), row 1 being the header."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(errors)
        self.errors = errors

    def as_dict(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for row, column, message in self.errors:
            result.setdefault(f"row {row}: {column}", []).append(message)
        return result


MAX_ROWS = 2000


def read_menu_csv(text: str) -> list[MenuRow]:
    """Check every row of a menu file; raises MenuFileErrors naming each fault, else the rows."""
    text = text.removeprefix("\ufeff")  # a spreadsheet's byte-order mark
    first_line = text.split("\n", 1)[0]
    # A Dutch spreadsheet writes ";" (its decimal comma takes ","): the header tells which.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [column for column in ("price", "vat") if column not in header]
    missing += [prefix for prefix in REQUIRED if not any(c in header for c in _localized(prefix))]
    if missing:
        raise MenuFileErrors([(1, column, _("This column is missing.")) for column in missing])
    reader.fieldnames = header
    rates = {rate.percent.normalize(): rate for rate in TaxRate.objects.order_by("-pk")}
    errors: list[tuple[int, str, str]] = []
    rows: list[MenuRow] = []
    seen: dict[tuple, int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append((number, "", _("A file has at most %(n)d items.") % {"n": MAX_ROWS}))
            break
        raw = {key: (value or "").strip() for key, value in raw.items() if key is not None}
        if not any(raw.values()):
            continue  # a blank line a spreadsheet left
        row = _read_row(number, raw, rates, errors)
        if row.key in seen:
            errors.append(
                (number, "code" if row.code else "name", _("The same item as row %(row)d.") % {"row": seen[row.key]})
            )
        seen.setdefault(row.key, number)
        rows.append(row)
    if errors:
        raise MenuFileErrors(errors)
    if not rows:
        raise MenuFileErrors([(2, "", _("The file has no items."))])
    return rows


def _read_row(number: int, raw: dict[str, str], rates: dict, errors: list) -> MenuRow:
    def fault(column: str, message: str) -> None:
        errors.append((number, column, message))

    row = MenuRow(number=number, code=raw.get("code", ""))
    if len(row.code) > 20:
        fault("code", _("At most %(n)d characters.") % {"n": 20})
    for prefix, _model_field in NAMED:
        row.names[prefix] = {language: raw.get(f"{prefix}_{language}", "") for language in LANGUAGES}
        for language, text in row.names[prefix].items():
            if len(text) > MAX_LENGTHS[prefix]:
                fault(f"{prefix}_{language}", _("At most %(n)d characters.") % {"n": MAX_LENGTHS[prefix]})
        if prefix in REQUIRED and not row.name(prefix):
            fault(f"{prefix}_{DEFAULT_LANGUAGE}", _("A name is needed."))
    try:
        row.price = cents_from_euros(raw.get("price", ""))
        if row.price < 0:
            raise ValueError
    except ValueError:
        fault("price", _("A price in euros, e.g. 12.50."))
    for column in ("vat", "takeaway_vat"):
        text = raw.get(column, "")
        if not text and column == "takeaway_vat":
            continue
        try:
            rate = rates.get(Decimal(text.replace(",", ".").rstrip("%")).normalize())
        except InvalidOperation:
            rate = None
        if rate is None:
            fault(column, _("No VAT rate of %(rate)s%% is set up.") % {"rate": text})
        elif column == "vat":
            row.tax_rate = rate
        else:
            row.takeaway_tax_rate = rate
    course = raw.get("course", "")
    if course:
        if not course.isascii() or not course.isdigit() or not 1 <= int(course) <= 99:
            fault("course", _("A course number from 1 to 99, or empty."))
        else:
            row.course = int(course)
    row.colour = raw.get("colour", "")
    if row.colour and not COLOUR.fullmatch(row.colour):
        fault("colour", _("A colour like #607d8b, or empty."))
    available = raw.get("available", "").lower()
    if available not in YES + NO:
        fault("available", _("Yes or no."))
    row.is_available = available in YES
    return row
