"""The Dutch catalogs: complete, compiled, and actually served.

The .po files are the source; the .mo files are committed beside them so a newcomer
needs no gettext tools. These tests read both with the standard library only (no
polib, no msgfmt), so they also run on a machine without gettext installed.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "nl" / "LC_MESSAGES"
DOMAINS = ["django", "djangojs"]
SIGN_IN = "/api/staff/pin-sign-in/"

# printf-style (%s, %(name)d) and brace-style ({name}) placeholders; %% is a literal.
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        """The key of this entry in a compiled catalog (msgctxt EOT msgid)."""
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def parse_po(path: Path) -> list[Entry]:
    """A minimal .po reader, enough for what makemessages writes. Skips obsolete (#~) entries."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] = ("msgid", 0)

    def finish() -> Entry:
        if entry.msgstr:
            entries.append(entry)
            return Entry()
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            entry = finish()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        keyword, _, rest = line.partition(" ") if not line.startswith('"') else ("", "", line)
        value = ast.literal_eval(rest)
        if keyword in ("msgctxt", "msgid"):
            entry = finish()
        if keyword == "":
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        if match := re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword):
            target = ("msgstr", int(match.group(1) or 0))
            entry.msgstr[target[1]] = value
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            target = (keyword, 0)
            setattr(entry, keyword, value)
        else:
            raise ValueError(f"{path}:{number}: cannot read {raw!r}")
    finish()
    return entries


def catalog(domain: str) -> list[Entry]:
    return parse_po(LC_MESSAGES / f"{domain}.po")


def compiled(domain: str) -> gettext.GNUTranslations:
    with (LC_MESSAGES / f"{domain}.mo").open("rb") as mo:
        return gettext.GNUTranslations(mo)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


# --- The catalogs themselves ------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
def test_header_is_dutch_utf8_with_the_dutch_plural_rule(domain):
    header = next(entry for entry in catalog(domain) if entry.msgid == "")
    assert "fuzzy" not in header.flags
    lines = header.msgstr[0].splitlines()
    assert "Language: nl" in lines
    assert "Content-Type: text/plain; charset=UTF-8" in lines
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in lines


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_entry_is_translated_and_not_fuzzy(domain):
    entries = [entry for entry in catalog(domain) if entry.msgid]
    assert len(entries) > 50, "the parser found suspiciously few entries"
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert not fuzzy, f"fuzzy entries in {domain}.po: {fuzzy}"
    for entry in entries:
        forms = [0, 1] if entry.msgid_plural is not None else [0]
        assert sorted(entry.msgstr) == forms, f"{domain}.po: wrong msgstr forms for {entry.msgid!r}"
        empty = [n for n in forms if not entry.msgstr[n].strip()]
        assert not empty, f"{domain}.po: untranslated {entry.msgid!r}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_every_placeholder(domain):
    for entry in catalog(domain):
        if not entry.msgid:
            continue
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for n, source in enumerate(sources):
            assert placeholders(entry.msgstr[n]) == placeholders(source), (
                f"{domain}.po: placeholders differ in {entry.msgid!r} -> {entry.msgstr[n]!r}"
            )


@pytest.mark.parametrize("domain", DOMAINS)
def test_mo_is_compiled_from_the_current_po(domain):
    """Every .po message is in the .mo with the same non-empty text (recompile if not)."""
    mo = compiled(domain)._catalog
    expected = {}
    for entry in catalog(domain):
        if not entry.msgid:
            continue
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            for n, text in entry.msgstr.items():
                expected[(entry.key, n)] = text
    stale = {key: (text, mo.get(key)) for key, text in expected.items() if mo.get(key) != text}
    assert not stale, f"{domain}.mo is stale: run `manage.py compilemessages --ignore=.venv`. Differs: {stale}"
    extra = {key for key in mo if key != "" and key not in expected}
    assert not extra, f"{domain}.mo has messages the .po no longer has: {extra}"


def test_known_strings_translate_from_the_mo():
    django, js = compiled("django"), compiled("djangojs")
    assert django.gettext("Sign in") == "Aanmelden"
    assert django.gettext("Bar tab") == "Barrekening"
    assert django.gettext("Takeaway") == "Afhalen"
    assert django.gettext("Waiter") == "Bediening"
    assert django.ngettext("%(covers)s cover", "%(covers)s covers", 1) == "%(covers)s couvert"
    assert django.ngettext("%(covers)s cover", "%(covers)s covers", 4) == "%(covers)s couverts"
    assert js.gettext("Void line") == "Regel storneren"
    assert js.gettext("Sold out") == "Uitverkocht"
    assert js.ngettext("%s line sent to the kitchen.", "%s lines sent to the kitchen.", 2) == (
        "%s regels naar de keuken verstuurd."
    )


def test_django_picks_up_the_catalog():
    with translation.override("nl"):
        assert translation.gettext("Tap your name") == "Tik op je naam"
        assert translation.ngettext("Wrong PIN. %(n)d try left.", "Wrong PIN. %(n)d tries left.", 1) == (
            "Onjuiste pincode. Nog %(n)d poging over."
        )


# --- Served to the tablet ---------------------------------------------------------


def wrong_pin(client: Client, person, language: str):
    return client.post(
        SIGN_IN,
        {"user": person.pk, "pin": "0000"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def test_wrong_pin_answer_is_dutch_for_a_dutch_tablet(world):
    response = wrong_pin(Client(), world.waiter, "nl")
    assert response.status_code == 400
    tries_left = settings.PIN_TRIES_BEFORE_WAIT - 1
    assert tries_left > 1, "the Dutch text below is the plural form"
    assert response.json() == {"pin": [f"Onjuiste pincode. Nog {tries_left} pogingen over."]}
    assert response["Content-Language"] == "nl"


def test_wrong_pin_answer_is_english_for_an_english_tablet(world):
    response = wrong_pin(Client(), world.waiter, "en")
    assert response.status_code == 400
    tries_left = settings.PIN_TRIES_BEFORE_WAIT - 1
    assert tries_left > 1
    assert response.json() == {"pin": [f"Wrong PIN. {tries_left} tries left."]}
    assert response["Content-Language"] == "en"


def test_javascript_catalog_is_dutch_with_the_language_cookie(db):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    response = client.get("/jsi18n/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Geen verbinding met de server. Controleer de wifi en probeer het opnieuw." in body
    assert "Regel storneren" in body


def test_sign_in_page_renders_in_dutch(db):
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="nl">' in body
    assert "Tik op je naam" in body
    assert "Voer je pincode in" in body
    assert "Tap your name" not in body
