"""The orders app's models, by subject: the menu, and orders with their lines."""

from orders.models.menu import (
    Category,
    Course,
    Item,
    ItemModifierGroup,
    Menu,
    MenuWindow,
    Modifier,
    ModifierGroup,
    SetMenuCourse,
    TaxRate,
)
from orders.models.order import (
    LINE_WORKFLOW,
    ORDER_WORKFLOW,
    LineStatusChange,
    Order,
    OrderLine,
    OrderLineModifier,
    OrderStatusChange,
)
from orders.models.pricing import HappyHour, HappyHourPrice, PriceList, PriceListEntry

__all__ = [
    "LINE_WORKFLOW",
    "ORDER_WORKFLOW",
    "Category",
    "Course",
    "HappyHour",
    "HappyHourPrice",
    "Item",
    "ItemModifierGroup",
    "LineStatusChange",
    "Menu",
    "MenuWindow",
    "Modifier",
    "ModifierGroup",
    "Order",
    "OrderLine",
    "OrderLineModifier",
    "OrderStatusChange",
    "PriceList",
    "PriceListEntry",
    "SetMenuCourse",
    "TaxRate",
]
