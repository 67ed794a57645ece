"""A set menu for the bistro of `world`: soup | salad, then steak, then crème brûlée | a glass of port (21%)."""

from dataclasses import dataclass
from decimal import Decimal

from orders.models import Item, SetMenuCourse, TaxRate
from orders.services import LineRequest, SetChoice
from tests.factories import CategoryFactory, ItemFactory


@dataclass
class SetMenu:
    item: Item
    dessert: Item
    port: Item


def build_set_menu(world, *, dessert=None) -> SetMenu:
    high = TaxRate.objects.get_or_create(name="High", percent=Decimal("21.00"))[0]
    menu = world.salad.category.menu
    sets = CategoryFactory(menu=menu, name="Set menus", default_course=1)
    item = ItemFactory(category=sets, name="3-course set menu", price=3950, tax_rate=world.salad.tax_rate)
    if dessert is None:
        desserts = CategoryFactory(menu=menu, name="Desserts", default_course=3)
        dessert = ItemFactory(category=desserts, name="Crème brûlée", price=850, tax_rate=world.salad.tax_rate)
    port = ItemFactory(category=dessert.category, name="Glass of port", price=650, tax_rate=high)
    for course, choices in ((1, [world.soup, world.salad]), (2, [world.steak]), (3, [dessert, port])):
        SetMenuCourse.objects.create(set_item=item, course=course).choices.set(choices)
    return SetMenu(item=item, dessert=dessert, port=port)


def set_request(world, set_menu: SetMenu, *, starter=None, dessert=None, seat=1, qty=1) -> LineRequest:
    """The set with soup (or `starter`), the steak rare with fries, and the port (or `dessert`)."""
    return LineRequest(
        item_id=set_menu.item.pk,
        seat=seat,
        qty=qty,
        set_choices=[
            SetChoice(course=1, item_id=(starter or world.soup).pk),
            SetChoice(course=2, item_id=world.steak.pk, modifier_ids=[world.rare.pk, world.fries.pk]),
            SetChoice(course=3, item_id=(dessert or set_menu.port).pk),
        ],
    )
