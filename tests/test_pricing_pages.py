"""The manager's Prices and Import / export pages, through the Django test client."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import HappyHour, Item, Menu, PriceList
from orders.selectors import local_now
from staff.models import Role
from tests.factories import OutletFactory, StaffFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("get", "/manager/prices/"),
    ("post", "/manager/prices/"),
    ("get", "/manager/menu-transfer/"),
    ("post", "/manager/menu-transfer/"),
    ("get", "/manager/menu-transfer/export/{outlet}/"),
    ("post", "/manager/prices/lists/{price_list}/cancel/"),
    ("post", "/manager/prices/happy-hours/{happy_hour}/remove/"),
]


def next_monday() -> datetime.date:
    today = local_now().date()
    return today + datetime.timedelta(days=7 - today.weekday())


@pytest.fixture
def manager(client, world):
    client.force_login(world.manager)
    return client


@pytest.fixture
def rows(world):
    price_list = PriceList.objects.create(
        outlet=world.outlet, name="Later", starts_on=next_monday(), created_by=world.manager
    )
    happy_hour = HappyHour.objects.create(
        outlet=world.outlet, name="Borrel", weekdays="4", starts_at="16:00", ends_at="18:00"
    )
    return {"outlet": world.outlet.pk, "price_list": price_list.pk, "happy_hour": happy_hour.pk}


@pytest.mark.parametrize("role", [Role.WAITER, Role.CASHIER, Role.KITCHEN, Role.FRONT_DESK, Role.BARTENDER])
def test_only_a_manager_opens_or_posts_to_them(client, world, rows, role):
    client.force_login(StaffFactory(role=role))
    for method, path in PAGES:
        assert getattr(client, method)(path.format(**rows)).status_code == 403, (method, path)
    assert PriceList.objects.get().cancelled_at is None
    assert HappyHour.objects.exists()


def test_signed_out_goes_to_sign_in(client, world, rows):
    for method, path in PAGES:
        response = getattr(client, method)(path.format(**rows))
        assert response.status_code == 302 and "next=" in response["Location"], (method, path)


def test_the_preview_shows_old_and_new_prices_and_apply_schedules_the_list(manager, world):
    form = {
        "outlet": world.outlet.pk,
        "category": world.salad.category_id,
        "percent": "5",
        "rounding": "1",
        "starts_on": next_monday().isoformat(),
    }
    preview = manager.post("/manager/prices/", {**form, "action": "preview"})

    page = preview.content.decode()
    assert preview.status_code == 200
    assert 'id="price-preview"' in page and "€9.50" in page and "€9.98" in page
    assert not PriceList.objects.exists()

    applied = manager.post("/manager/prices/", {**form, "action": "apply"}, follow=True)

    price_list = PriceList.objects.get()
    assert sorted(price_list.entries.values_list("price", flat=True)) == [788, 998]
    assert "Scheduled from" in applied.content.decode()
    assert Item.objects.get(pk=world.salad.pk).price == 950


def test_a_dutch_manager_types_a_dutch_percentage_and_sees_dutch_money(manager, world):
    manager.cookies["django_language"] = "nl"
    response = manager.post(
        "/manager/prices/", {"outlet": world.outlet.pk, "percent": "2,5", "rounding": "10", "action": "preview"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "€\u00a024,50" in page and "€\u00a025,10" in page  # steak 24,50 -> 25,11 -> 25,10


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"percent": "lots"}, "percent"),
        ({"percent": "0"}, "percent"),
        ({"percent": "5", "rounding": "3"}, "rounding"),
        ({"percent": "5", "starts_on": "2020-01-01"}, "starts_on"),
    ],
)
def test_bad_input_answers_400_naming_the_field(manager, world, form, field):
    response = manager.post("/manager/prices/", {"outlet": world.outlet.pk, "rounding": "1", "action": "apply", **form})
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not PriceList.objects.exists()
    assert Item.objects.get(pk=world.steak.pk).price == 2450


def test_a_scheduled_list_is_cancelled_from_the_page(manager, rows):
    response = manager.post(f"/manager/prices/lists/{rows['price_list']}/cancel/", follow=True)
    assert response.status_code == 200
    assert PriceList.objects.get().cancelled_at is not None
    assert "cancelled" in response.content.decode()


def test_a_happy_hour_is_added_and_removed(manager, world):
    response = manager.post(
        "/manager/prices/",
        {
            "outlet": world.outlet.pk,
            "action": "happy_hour",
            "name": "Borrel",
            "weekdays": ["4", "5"],
            "starts_at": "16:00",
            "ends_at": "18:00",
            "category": world.salad.category_id,
            "percent_off": "20",
            "item": world.steak.pk,
            "price": "19,50",
        },
        follow=True,
    )
    happy_hour = HappyHour.objects.get()
    assert response.status_code == 200
    assert happy_hour.weekdays == "45"
    assert {(r.item_id, r.price, r.category_id, r.percent_off) for r in happy_hour.prices.all()} == {
        (world.steak.pk, 1950, None, None),
        (None, None, world.salad.category_id, 20),
    }
    assert "Fri, Sat 16:00\u201318:00" in response.content.decode()

    manager.post(f"/manager/prices/happy-hours/{happy_hour.pk}/remove/")
    assert not HappyHour.objects.exists()


def test_a_happy_hour_without_days_or_with_half_a_rule_is_400(manager, world):
    response = manager.post(
        "/manager/prices/",
        {"outlet": world.outlet.pk, "action": "happy_hour", "name": "x", "starts_at": "16:00", "ends_at": "18:00",
         "item": world.steak.pk},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 400
    assert 'data-field="weekdays"' in page and 'data-field="price"' in page
    assert not HappyHour.objects.exists()


def test_export_then_import_through_the_page_and_a_bad_file_lists_its_rows(manager, world):
    exported = manager.get(f"/manager/menu-transfer/export/{world.outlet.pk}/")
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()
    terrace = OutletFactory(name="Terrace")

    good = manager.post(
        "/manager/menu-transfer/",
        {"action": "import", "outlet": terrace.pk, "file": SimpleUploadedFile("menu.csv", text.encode())},
    )
    bad = manager.post(
        "/manager/menu-transfer/",
        {
            "action": "import",
            "outlet": terrace.pk,
            "file": SimpleUploadedFile("menu.csv", text.replace("24.50", "lots").encode()),
        },
    )

    assert good.status_code == 302
    assert Item.objects.filter(category__menu__outlet=terrace).count() == 3
    assert bad.status_code == 400
    assert 'id="file-errors"' in bad.content.decode() and "<td>price</td>" in bad.content.decode()
    assert manager.get(f"/manager/menu-transfer/export/{terrace.pk}/").content.decode() == text


def test_copy_menu_from_the_page_and_to_itself_is_400(manager, world):
    terrace = OutletFactory(name="Terrace")
    same = manager.post(
        "/manager/menu-transfer/", {"action": "copy", "source": world.outlet.pk, "target": world.outlet.pk}
    )
    copied = manager.post(
        "/manager/menu-transfer/", {"action": "copy", "source": world.outlet.pk, "target": terrace.pk}
    )

    assert same.status_code == 400 and 'data-field="target"' in same.content.decode()
    assert copied.status_code == 302
    assert Menu.objects.filter(outlet=terrace).count() == 1
