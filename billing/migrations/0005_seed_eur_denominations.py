"""The euro's notes and coins, as a drawer is counted (500.00 down to 0.01)."""

from django.db import migrations

EUR_NOTES = (50000, 20000, 10000, 5000, 2000, 1000, 500)
EUR_COINS = (200, 100, 50, 20, 10, 5, 2, 1)


def seed_euro(apps, schema_editor):
    Denomination = apps.get_model("billing", "Denomination")
    rows = [("note", value) for value in EUR_NOTES] + [("coin", value) for value in EUR_COINS]
    for sort_order, (kind, value) in enumerate(rows):
        Denomination.objects.update_or_create(
            currency="EUR", value=value, defaults={"kind": kind, "sort_order": sort_order, "is_active": True}
        )


def keep_rows(apps, schema_editor):
    """Going back leaves the rows: drawer counts refer to them by value."""


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_denominations_and_drawer_counts")]

    operations = [migrations.RunPython(seed_euro, keep_rows)]
