"""The cashier's pages: who opens them, the bill screen sending a cashier back to them, and the live list."""

import pytest
from channels.db import database_sync_to_async

from billing import services
from billing.models import Check, Tender
from staff.models import Role
from tests.billing.test_checks import first_check, table_for_four
from tests.factories import StaffFactory
from tests.orders.test_floor_socket import connected_socket, receive_until, session_cookie


@pytest.fixture
def cashier(db):
    return StaffFactory(display_name="Carla", role=Role.CASHIER)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/cashier/", "/cashier/closed/"])
def test_the_cashier_and_the_manager_open_the_cashier_pages(client, world, cashier, url):
    for person in (cashier, world.manager):
        client.force_login(person)
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-outlet-id="{world.outlet.pk}"' in html
        assert 'id="tab-open"' in html and 'id="tab-closed"' in html
    client.force_login(world.waiter)
    assert client.get(url)["Location"] == "/"


@pytest.mark.django_db
def test_the_cashier_pages_speak_dutch(client, world, cashier):
    client.force_login(cashier)
    html = client.get("/cashier/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Open rekeningen" in html and "Vandaag betaald" in html


@pytest.mark.django_db
def test_a_cashier_settles_on_the_bill_screen_and_goes_back_to_the_open_checks(client, world, cashier):
    order = table_for_four(world)
    client.force_login(cashier)
    html = client.get(f"/orders/{order.pk}/bill/").content.decode()
    back = f"/cashier/?outlet={world.outlet.pk}"
    assert f'data-return-url="{back}"' in html
    assert 'id="back-to-cashier"' in html and 'id="back-to-order"' not in html
    # The cashier does not take orders: the floor and the order screen stay the waiters'.
    assert client.get("/floor/")["Location"] == "/"
    client.force_login(world.waiter)
    html = client.get(f"/orders/{order.pk}/bill/").content.decode()
    assert "data-return-url" not in html and 'id="back-to-order"' in html


@pytest.mark.django_db
def test_a_manager_keeps_the_floor_and_finds_the_cashier_on_the_manager_page(client, world):
    client.force_login(world.manager)
    assert client.get("/floor/").status_code == 200
    assert 'id="to-cashier" href="/cashier/"' in client.get("/manager/").content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_cashiers_list_hears_a_payment_of_the_outlet(layer, world):
    cashier = await database_sync_to_async(StaffFactory)(display_name="Carla", role=Role.CASHIER)
    cookie = await database_sync_to_async(session_cookie)(cashier)
    order = await database_sync_to_async(table_for_four)(world)
    check = await database_sync_to_async(first_check)(order, world)
    socket = await connected_socket(world.outlet.pk, cookie)
    try:
        voucher = await database_sync_to_async(Tender.objects.create)(name="Voucher", kind=Tender.Kind.OTHER)
        fresh = await database_sync_to_async(Check.objects.get)(pk=check.pk)
        await database_sync_to_async(services.pay_other)(check=fresh, tender=voucher, amount=100, by=world.waiter)
        heard = await receive_until(
            socket,
            lambda m: (
                m.get("type") in ("payment", "bill") and m.get("order", m.get("payment", {}).get("order")) == order.pk
            ),
            "a payment of the outlet",
        )
        assert heard["type"] in ("payment", "bill")
    finally:
        await socket.disconnect()
