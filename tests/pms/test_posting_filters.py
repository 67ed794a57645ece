"""The front desk's posting list: a filter that names no row is bad input (400 naming it), never a 500."""

import pytest


@pytest.mark.parametrize(
    ("query", "field"),
    [("outlet=" + "9" * 25, "outlet"), ("outlet=0", "outlet"), ("outlet=bar", "outlet"), ("date=12-2026", "date")],
)
def test_a_bad_filter_is_refused_naming_it(world, api_as, query, field):
    answer = api_as(world.manager).get(f"/api/pms/postings/?{query}")

    assert answer.status_code == 400
    assert field in answer.json()


def test_the_filters_still_filter(world, api_as):
    answer = api_as(world.manager).get(f"/api/pms/postings/?outlet={world.outlet.pk}&room=214&date=2026-12-07")

    assert answer.status_code == 200
    assert answer.json()["postings"] == []
