"""Tell the tablets of an outlet what changed, after the change is committed.

The database is the truth; these are notifications. A lost message costs nothing:
a tablet that reconnects fetches the floor (or order) again.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from orders.models import Item, Modifier, Order
from orders.prices import effective_price, next_price_change
from orders.selectors import item_availability, local_now, price_rules, table_states
from tables.models import Outlet

logger = logging.getLogger(__name__)


def floor_group(outlet_id: int) -> str:
    return f"floor.{outlet_id}"


def waiter_group(user_id: int) -> str:
    """One waiter's tablets, wherever they are signed in (kitchen "ready" calls)."""
    return f"waiter.{user_id}"


def send_messages(messages: list[tuple[str, dict]]) -> None:
    """Send (group, message) pairs in one trip; a dead layer is logged, never raised."""
    _send(messages)


def _send(messages: list[tuple[str, dict]]) -> None:
    """Send (group, message) pairs in one trip into the event loop."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all() -> None:
        for group, message in messages:
            await layer.group_send(group, message)

    try:
        async_to_sync(send_all)()
    except Exception:  # the layer being down must never undo or fail a committed order
        logger.warning("Could not broadcast %d floor messages; tablets will resync", len(messages), exc_info=True)


def table_messages(table_ids: list[int]) -> list[tuple[str, dict]]:
    """The floor's {"type": "table"} messages for these tables as they stand (for send_messages)."""
    return [
        (floor_group(state["outlet"]), {"type": "floor.table", "table": state})
        for state in table_states(table_ids=table_ids)
    ]


def announce_tables(table_ids: list[int]) -> None:
    _send(table_messages(table_ids))


def announce_items(item_ids: list[int]) -> None:
    _send(
        [
            (floor_group(item.category.menu.outlet_id), {"type": "floor.item", "item": item_availability(item)})
            for item in Item.objects.select_related("category__menu").filter(pk__in=item_ids)
        ]
    )


def announce_tables_on_commit(table_ids: list[int]) -> None:
    table_ids = [pk for pk in table_ids if pk]
    if table_ids:
        transaction.on_commit(lambda: announce_tables(table_ids))


def announce_items_on_commit(item_ids: list[int]) -> None:
    if item_ids:
        transaction.on_commit(lambda: announce_items(list(item_ids)))


def announce_menu_on_commit(outlet_ids: list[int]) -> None:
    """After commit: the manager changed these outlets' menu; their tablets take it again."""
    outlet_ids = sorted(set(outlet_ids))
    if outlet_ids:
        messages = [(floor_group(pk), {"type": "floor.menu", "menu": {"outlet": pk}}) for pk in outlet_ids]
        transaction.on_commit(lambda: _send(messages))


def announce_order_on_commit(order: Order, *, other_tables: tuple[int | None, ...] = ()) -> None:
    """After commit: the order's new version to its outlet, and the state of its table(s).

    Values are captured now, so announcing costs only the table-state read after commit.
    """
    message = {
        "type": "floor.order",
        "order": {
            "id": order.pk,
            "version": order.version,
            "status": order.status,
            "kind": order.kind,
            "table": order.table_id,
        },
    }
    group = floor_group(order.outlet_id)
    table_ids = [pk for pk in {order.table_id, *other_tables} if pk]

    def announce() -> None:
        _send([*(table_messages(table_ids) if table_ids else []), (group, message)])

    transaction.on_commit(announce)


def announce_modifier_on_commit(modifier: Modifier) -> None:
    """After commit: a choice sold out or back, to every outlet whose items offer its group."""
    message = {"type": "floor.modifier", "modifier": {"id": modifier.pk, "is_available": modifier.is_available}}
    group_id = modifier.group_id

    def announce() -> None:
        outlets = Outlet.objects.filter(menus__categories__items__modifier_groups=group_id).distinct()
        # A group opened by another group's choice (Side salad -> Dressing) reaches its outlets too.
        openers = Outlet.objects.filter(menus__categories__items__modifier_groups__modifiers__opens_group=group_id)
        ids = set(outlets.values_list("pk", flat=True)) | set(openers.values_list("pk", flat=True))
        _send([(floor_group(outlet_id), message) for outlet_id in sorted(ids)])

    transaction.on_commit(announce)


def announce_prices_on_commit(outlet_id: int, item_ids: list[int]) -> None:
    """After commit: the changed items with their price now, as the `floor.item` an 86 sends.

    A tablet merges the message into its menu and redraws the tile, price included; each
    message also says when the prices next change by themselves (a happy hour just saved
    may open later), so the tablet takes its menu again then.
    """
    item_ids = sorted(set(item_ids))
    if not item_ids:
        return

    def announce() -> None:
        at = local_now()
        # Every item's lists (not only these items'): the next moment is the outlet's.
        rules = price_rules(outlet_id=outlet_id, on=at.date(), upcoming=True)
        change = next_price_change(rules=rules, at=at)
        items = Item.objects.filter(pk__in=item_ids, category__menu__outlet_id=outlet_id)
        price = {
            item.pk: effective_price(
                item_id=item.pk, category_id=item.category_id, price=item.price, rules=rules, at=at
            )
            for item in items
        }
        _send(
            [
                (
                    floor_group(outlet_id),
                    {
                        "type": "floor.item",
                        "item": {**item_availability(item), "price": price[item.pk]},
                        "prices_change_at": change.isoformat() if change else None,
                    },
                )
                for item in items
            ]
        )

    transaction.on_commit(announce)
