"""The browser libraries from npm are served as static files under vendor/, and only those files."""

from django.contrib.staticfiles import finders


def test_the_chart_and_sortable_libraries_are_found_under_vendor():
    chart = finders.find("vendor/chart.umd.min.js")
    sortable = finders.find("vendor/sortable.esm.js")

    assert chart and chart.endswith("node_modules/chart.js/dist/chart.umd.min.js")
    with open(chart, encoding="utf-8") as file:
        assert "Chart.js v4" in file.read(200)
    with open(sortable, encoding="utf-8") as file:
        assert sortable and "export" in file.read()


def test_no_other_file_of_the_packages_is_served():
    assert finders.find("vendor/chart.js") is None
    assert finders.find("vendor/../package.json") is None
    assert finders.find("chart.js/dist/chart.umd.min.js") is None
