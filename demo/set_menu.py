"""The demo bistro's set menu: "3-gangen keuzemenu" for 39,50, a starter, a main and a dessert of the à la carte."""

from orders.models import Category, Item, Menu, SetMenuCourse
from tables.models import Outlet

SET_MENU_CATEGORY = "Keuzemenu"
SET_MENU_NAME = "3-gangen keuzemenu"
SET_MENU_COURSES = [
    (1, ["Soep van de dag", "Carpaccio"]),
    (2, ["Steak", "Paddenstoelenrisotto"]),
    (3, ["Crème brûlée", "Kaasplankje"]),
]


def add_set_menu(*, outlet: Outlet, taxes: dict, after: int) -> None:
    """The set as the last category of the outlet's à la carte (`after` categories come before it)."""
    menu = Menu.objects.get(outlet=outlet, name="À la carte")
    category = Category.objects.create(
        menu=menu, name=SET_MENU_CATEGORY, colour="#00695c", default_course=1, sort_order=after
    )
    item = Item.objects.create(
        category=category, name=SET_MENU_NAME, price=3950, tax_rate=taxes["low"], colour="#00897b"
    )
    for course, names in SET_MENU_COURSES:
        choices = Item.objects.filter(category__menu=menu, name__in=names)
        SetMenuCourse.objects.create(set_item=item, course=course).choices.set(choices)
