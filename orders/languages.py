"""Names in every language: snapshots that keep each language, and names read through `values()`.

A line copies the menu's names when it is ordered, once per language, so that a Dutch
kitchen screen and an English waiter each read their own and a later menu edit changes
neither. Reads across a relation in `values()` bypass modeltranslation's fallback:
`translated()` gives the same answer as the model's accessor, in the database.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from modeltranslation.utils import get_language, resolution_order


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def in_every_language(read: Callable[[], Any]) -> dict[str, Any]:
    """{"en": read() with English active, "nl": read() with Dutch active}."""
    values = {}
    for language in language_codes():
        with translation.override(language):
            values[language] = read()
    return values


def snapshot(source: Any, **reads: Callable[[Any], Any]) -> dict[str, Any]:
    """Keyword arguments for a model with translated fields: `name_en`, `name_nl`, ... read per language.

    `snapshot(item, name=attrgetter("name"))` reads the item's name with each language
    active (so with modeltranslation's fallback) and gives {"name_en": ..., "name_nl": ...}.
    """
    values = {}
    for field, read in reads.items():
        for language, value in in_every_language(lambda read=read: read(source)).items():
            values[f"{field}_{language}"] = value
    return values


def translated(lookup: str) -> Coalesce:
    """`lookup` ("tender__name") in the active language, else its fallback, for `values()` and `annotate()`."""
    languages = resolution_order(get_language())
    return Coalesce(
        *(NullIf(f"{lookup}_{language}", Value("")) for language in languages),
        lookup,
        output_field=CharField(),
    )


def message_in_every_language(fixed: dict[str, Any], read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A channel-layer message whose names come in every language: each socket sends its screen's.

    `read()` shapes the translated parts from rows already read (no query per language).
    The site's language rides at the top level too, for a listener that does not choose.
    """
    languages = in_every_language(read)
    default = languages.get(settings.LANGUAGE_CODE) or languages[settings.MODELTRANSLATION_DEFAULT_LANGUAGE]
    return {**fixed, **default, "in_languages": languages}


def in_language(event: dict[str, Any], key: str, language: str) -> Any:
    """`event[key]` in `language` when the sender gave every language (message_in_every_language)."""
    return event.get("in_languages", {}).get(language, event).get(key, event.get(key))


def first_filled(row: Any, *fields: str) -> str:
    """The first of `fields` filled in the active language, else in the fallback's.

    A kitchen name is the short name, else the name: in English that is the English
    name before the Dutch short name, which field-by-field fallback would pick.
    """
    for language in resolution_order(get_language()):
        for field in fields:
            value = getattr(row, f"{field}_{language}", None)
            if value:
                return value
    return getattr(row, fields[-1]) or ""
