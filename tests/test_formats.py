"""One format per language for money, dates and times on every page: Dutch conventions in Dutch
("€ 1.234,50", "4-3-2025 09:05"), a 24-hour clock and "€1,234.50" in English; the same strings
as the pages' scripts make (static/waiter/money.js and when.js, checked in Chromium in
tests/e2e/test_tender_and_formats.py)."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from billing import services
from billing.models import Check
from billing.templatetags.money import money_text
from tests.billing.test_checks import first_check, table_for_four

NBSP = "\u00a0"
# 08:05 UTC is 09:05 in Amsterdam (the default TIME_ZONE) in March.
OPENED = datetime.datetime(2025, 3, 4, 8, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "cents", "expected"),
    [
        ("nl", 6000, f"€{NBSP}60,00"),
        ("nl", 123450, f"€{NBSP}1.234,50"),
        ("nl", -490, f"€{NBSP}-4,90"),
        ("nl", 100000000, f"€{NBSP}1.000.000,00"),
        ("en", 6000, "€60.00"),
        ("en", 123450, "€1,234.50"),
        ("en", -490, "-€4.90"),
        ("en", 5, "€0.05"),
    ],
)
def test_the_money_filter_has_one_format_per_language(language, cents, expected, settings):
    settings.CURRENCY, settings.CURRENCY_DECIMALS = "EUR", 2
    with translation.override(language):
        assert Template("{% load money %}{{ cents|money }}").render(Context({"cents": cents})) == expected


def test_money_is_integer_cents_never_a_float():
    with pytest.raises(TypeError):
        money_text(12.5, currency="EUR", decimals=2, language="nl")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["4-3-2025 09:05", "09:05", "4-3-2025"]),
        ("en", ["4 Mar 2025 09:05", "09:05", "4 Mar 2025"]),
    ],
)
def test_dates_and_times_have_one_format_per_language(language, expected):
    template = Template('{{ at|date:"SHORT_DATETIME_FORMAT" }}|{{ at|time }}|{{ at|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"at": OPENED})).split("|") == expected


@pytest.mark.parametrize(
    ("language", "opened", "total"),
    [("nl", "4-3-2025 09:05", f"€{NBSP}0,00"), ("en", "4 Mar 2025 09:05", "€0.00")],
)
def test_the_day_report_shows_dates_and_money_in_the_pages_language(client, world, language, opened, total):
    services.current_business_day()  # the open day, as the first sale opens it
    check = first_check(table_for_four(world), world)
    Check.objects.filter(pk=check.pk).update(opened_at=OPENED)
    client.force_login(world.manager)

    page = client.get("/manager/day/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    assert f'<html lang="{language}">' in page
    assert f"<td>{opened}</td>" in page
    assert f'<td class="num">{total}</td>' in page
    assert "p.m." not in page and " PM" not in page and " AM" not in page
