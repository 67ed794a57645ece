"""Small, explicit test worlds built with factory_boy."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from orders.models import Category, Course, Item, ItemModifierGroup, Menu, Modifier, ModifierGroup, TaxRate
from staff.models import Role, User
from tables.models import Area, Outlet, Table

TEST_PIN = "1234"


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    name = factory.Sequence(lambda n: f"Outlet {n}")


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    outlet = factory.SubFactory(OutletFactory)
    name = factory.Sequence(lambda n: f"Area {n}")


class TableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Table

    area = factory.SubFactory(AreaFactory)
    outlet = factory.SelfAttribute("area.outlet")
    number = factory.Sequence(lambda n: str(n + 1))
    seats = 4
    x = factory.Sequence(lambda n: (n % 8) * 110)
    y = factory.Sequence(lambda n: (n // 8) * 110)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    display_name = factory.Sequence(lambda n: f"Staff {n}")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        group, _ = Group.objects.get_or_create(name=extracted or Role.WAITER)
        self.groups.add(group)

    @factory.post_generation
    def pin(self, create, extracted, **kwargs):
        self.set_pin(extracted or TEST_PIN)
        self.save()


class TaxRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxRate

    name = "Low"
    percent = Decimal("9.00")


class MenuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Menu

    outlet = factory.SubFactory(OutletFactory)
    name = "Menu"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    menu = factory.SubFactory(MenuFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    price = 1250
    tax_rate = factory.SubFactory(TaxRateFactory)


class ModifierGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModifierGroup

    name = factory.Sequence(lambda n: f"Group {n}")


class ModifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Modifier

    group = factory.SubFactory(ModifierGroupFactory)
    name = factory.Sequence(lambda n: f"Modifier {n}")
    price_delta = 0


def attach(item: Item, *groups: ModifierGroup) -> None:
    for index, group in enumerate(groups):
        ItemModifierGroup.objects.create(item=item, group=group, sort_order=index)


def courses(outlet: Outlet) -> None:
    for number, name in [(1, "Starters"), (2, "Mains"), (3, "Desserts")]:
        Course.objects.create(outlet=outlet, number=number, name=name)


def friday_evening() -> datetime.datetime:
    return datetime.datetime(2026, 11, 20, 19, 30)
