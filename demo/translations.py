"""The demo's names in English and Dutch: each text as the demo types it -> (English, Dutch).

The menu is typed as a Dutch bistro writes it (dishes and categories in Dutch, the
modifiers and courses in English); `translate_demo` puts each name in both languages.
"""

from billing.models import Tender
from kitchen.models import Station
from orders.models import Category, Course, Item, Menu, Modifier, ModifierGroup
from tables.models import Area, Outlet

MENUS = {
    "À la carte": ("À la carte", "À la carte"),
    "Lunch": ("Lunch", "Lunch"),
    "Bar": ("Bar", "Bar"),
    "Room service": ("Room service", "Room service"),
}
CATEGORIES = {
    "Voorgerechten": ("Starters", "Voorgerechten"),
    "Hoofdgerechten": ("Mains", "Hoofdgerechten"),
    "Nagerechten": ("Desserts", "Nagerechten"),
    "Keuzemenu": ("Set menu", "Keuzemenu"),
    "Frisdrank & koffie": ("Soft drinks & coffee", "Frisdrank & koffie"),
    "Bier & wijn": ("Beer & wine", "Bier & wijn"),
    "Lunch": ("Lunch", "Lunch"),
    "Drankjes": ("Drinks", "Drankjes"),
    "Bar snacks": ("Bar snacks", "Borrelhapjes"),
    "Gerechten": ("Dishes", "Gerechten"),
    "Dranken": ("Drinks", "Dranken"),
}
ITEMS = {
    "Soep van de dag": ("Soup of the day", "Soep van de dag"),
    "Bitterballen (8 st.)": ("Bitterballen (8 pcs)", "Bitterballen (8 st.)"),
    "Carpaccio": ("Carpaccio", "Carpaccio"),
    "Steak tartaar": ("Steak tartare", "Steak tartaar"),
    "Geitenkaassalade": ("Goat cheese salad", "Geitenkaassalade"),
    "Garnalenkroketten (2 st.)": ("Shrimp croquettes (2 pcs)", "Garnalenkroketten (2 st.)"),
    "Vitello tonnato": ("Vitello tonnato", "Vitello tonnato"),
    "Brood met aioli": ("Bread with aioli", "Brood met aioli"),
    "Steak": ("Steak", "Steak"),
    "Bistro burger": ("Bistro burger", "Bistro burger"),
    "Dagvangst": ("Catch of the day", "Dagvangst"),
    "Lamsrack": ("Rack of lamb", "Lamsrack"),
    "Kipsaté": ("Chicken satay", "Kipsaté"),
    "Wiener Schnitzel": ("Wiener schnitzel", "Wiener Schnitzel"),
    "Stoofvlees": ("Beef stew", "Stoofvlees"),
    "Zalmfilet": ("Salmon fillet", "Zalmfilet"),
    "Paddenstoelenrisotto": ("Mushroom risotto", "Paddenstoelenrisotto"),
    "Dame Blanche": ("Dame Blanche", "Dame Blanche"),
    "Crème brûlée": ("Crème brûlée", "Crème brûlée"),
    "3-gangen keuzemenu": ("3-course set menu", "3-gangen keuzemenu"),
    "Chocolademousse": ("Chocolate mousse", "Chocolademousse"),
    "Appeltaart met slagroom": ("Apple pie with cream", "Appeltaart met slagroom"),
    "Kaasplankje": ("Cheese board", "Kaasplankje"),
    "Koffie": ("Coffee", "Koffie"),
    "Cappuccino": ("Cappuccino", "Cappuccino"),
    "Latte macchiato": ("Latte macchiato", "Latte macchiato"),
    "Thee": ("Tea", "Thee"),
    "Verse jus d'orange": ("Fresh orange juice", "Verse jus d'orange"),
    "Coca-Cola": ("Coca-Cola", "Coca-Cola"),
    "Spa rood": ("Sparkling water", "Spa rood"),
    "Spa blauw": ("Still water", "Spa blauw"),
    "Heineken (tap)": ("Heineken (draught)", "Heineken (tap)"),
    "Heineken 0.0": ("Heineken 0.0", "Heineken 0.0"),
    "La Chouffe": ("La Chouffe", "La Chouffe"),
    "Affligem Blond": ("Affligem Blond", "Affligem Blond"),
    "Huiswijn rood (glas)": ("House red (glass)", "Huiswijn rood (glas)"),
    "Huiswijn wit (glas)": ("House white (glass)", "Huiswijn wit (glas)"),
    "Rosé (glas)": ("Rosé (glass)", "Rosé (glas)"),
    "Cava (glas)": ("Cava (glass)", "Cava (glas)"),
    "Fles huiswijn rood": ("Bottle of house red", "Fles huiswijn rood"),
    "Fles Sancerre": ("Bottle of Sancerre", "Fles Sancerre"),
    "Uitsmijter ham & kaas": ("Fried eggs, ham & cheese", "Uitsmijter ham & kaas"),
    "Broodje kroket": ("Croquette roll", "Broodje kroket"),
    "Tosti ham-kaas": ("Ham & cheese toastie", "Tosti ham-kaas"),
    "Gin tonic": ("Gin and tonic", "Gin tonic"),
    "Nacho's": ("Nachos", "Nacho's"),
    "Portie oude kaas": ("Aged cheese bites", "Portie oude kaas"),
    "Club sandwich": ("Club sandwich", "Clubsandwich"),
    "Caesar salad": ("Caesar salad", "Caesarsalade"),
    "Heineken (fles)": ("Heineken (bottle)", "Heineken (fles)"),
}
KITCHEN_NAMES = {
    "Soep": ("Soup", "Soep"),
    "Bitterballen": ("Bitterballen", "Bitterballen"),
    "Tartaar": ("Tartare", "Tartaar"),
    "Geitenkaas": ("Goat cheese", "Geitenkaas"),
    "Garnalenkroket": ("Shrimp croq.", "Garnalenkroket"),
    "Brood": ("Bread", "Brood"),
    "Burger": ("Burger", "Burger"),
    "Lam": ("Lamb", "Lam"),
    "Schnitzel": ("Schnitzel", "Schnitzel"),
    "Zalm": ("Salmon", "Zalm"),
    "Risotto": ("Risotto", "Risotto"),
    "Choc. mousse": ("Choc. mousse", "Choc. mousse"),
    "Appeltaart": ("Apple pie", "Appeltaart"),
    "Latte": ("Latte", "Latte"),
    "Jus d'orange": ("Orange juice", "Jus d'orange"),
    "Cola": ("Cola", "Cola"),
    "Heineken": ("Heineken", "Heineken"),
    "Heineken 0.0": ("Heineken 0.0", "Heineken 0.0"),
    "Affligem": ("Affligem", "Affligem"),
    "Rood glas": ("Red glass", "Rood glas"),
    "Wit glas": ("White glass", "Wit glas"),
    "Rosé glas": ("Rosé glass", "Rosé glas"),
    "Cava glas": ("Cava glass", "Cava glas"),
    "Fles rood": ("Bottle red", "Fles rood"),
    "Fles Sancerre": ("Bottle Sancerre", "Fles Sancerre"),
    "Uitsmijter": ("Uitsmijter", "Uitsmijter"),
    "Br. kroket": ("Croq. roll", "Br. kroket"),
    "Tosti": ("Toastie", "Tosti"),
    "Oude kaas": ("Aged cheese", "Oude kaas"),
}
DESCRIPTIONS = {
    "Soup of the day": ("Ask for today's soup", "Vraag naar de soep van vandaag"),
    "Truffelmayonaise, Parmezaan, pijnboompitten": (
        "Truffle mayonnaise, Parmesan, pine nuts",
        "Truffelmayonaise, Parmezaan, pijnboompitten",
    ),
    "Goat cheese salad, honey, walnuts": ("Goat cheese, honey, walnuts", "Geitenkaas, honing, walnoten"),
    "Bread with aioli and olive oil": ("With aioli and olive oil", "Met aioli en olijfolie"),
    "200 g, peperjus": ("200 g, pepper sauce", "200 g, peperjus"),
    "Catch of the day": ("Ask for today's fish", "Vraag naar de vis van vandaag"),
    "Chicken satay, peanut sauce, kroepoek": ("Peanut sauce, prawn crackers", "Pindasaus, kroepoek"),
    "Beef stewed in dark beer": ("Beef stewed in dark beer", "Rundvlees gestoofd in donker bier"),
    "Mushroom risotto (v)": ("Mushrooms, Parmesan (v)", "Paddenstoelen, Parmezaan (v)"),
    "Dutch cheeses, apple syrup": ("Dutch cheeses, apple syrup", "Hollandse kazen, appelstroop"),
    "Tea": ("A choice of teas", "Keuze uit thee"),
    "Sparkling water": ("Sparkling mineral water", "Bruisend mineraalwater"),
    "Still water": ("Still mineral water", "Plat mineraalwater"),
    "Three fried eggs on bread": ("Three fried eggs on bread", "Drie gebakken eieren op brood"),
    "Two croquettes, mustard": ("Two croquettes, mustard", "Twee kroketten, mosterd"),
    "Hendrick's, Fever-Tree": ("Hendrick's, Fever-Tree", "Hendrick's, Fever-Tree"),
    "Cheese, jalapeños, guacamole": ("Cheese, jalapeños, guacamole", "Kaas, jalapeños, guacamole"),
    "Chicken, bacon, egg, fries": ("Chicken, bacon, egg, fries", "Kip, spek, ei, friet"),
}
MODIFIER_GROUPS = {
    "Dressing": ("Dressing", "Dressing"),
    "Cooking": ("Cooking", "Bereiding"),
    "Side": ("Side", "Bijgerecht"),
    "Extras": ("Extras", "Extra's"),
    "Milk": ("Milk", "Melk"),
    "Size": ("Size", "Maat"),
}
MODIFIERS = {
    "Vinaigrette": ("Vinaigrette", "Vinaigrette"),
    "Yoghurt-mint": ("Yoghurt-mint", "Yoghurt-munt"),
    "No dressing": ("No dressing", "Geen dressing"),
    "Rare": ("Rare", "Rood"),
    "Medium rare": ("Medium rare", "Rosé"),
    "Medium": ("Medium", "Medium"),
    "Well done": ("Well done", "Doorbakken"),
    "Fries": ("Fries", "Friet"),
    "Side salad": ("Side salad", "Salade"),
    "Mashed potatoes": ("Mashed potatoes", "Aardappelpuree"),
    "Bacon": ("Bacon", "Spek"),
    "Cheese": ("Cheese", "Kaas"),
    "Egg": ("Egg", "Ei"),
    "Fried onions": ("Fried onions", "Gebakken uien"),
    "Oat milk": ("Oat milk", "Havermelk"),
    "Lactose-free": ("Lactose-free", "Lactosevrij"),
    "Vaasje 25 cl": ("Glass 25 cl", "Vaasje 25 cl"),
    "Pint 50 cl": ("Pint 50 cl", "Pint 50 cl"),
}
COURSES = {
    "Starters": ("Starters", "Voorgerechten"),
    "Mains": ("Mains", "Hoofdgerechten"),
    "Desserts": ("Desserts", "Nagerechten"),
}
# Proper names stay the same in both languages (the seed finds its outlets by them).
OUTLETS = {
    "Bistro De Tafel": ("Bistro De Tafel", "Bistro De Tafel"),
    "Hotelbar": ("Hotelbar", "Hotelbar"),
    "Room service": ("Room service", "Room service"),
}
AREAS = {
    "Restaurant": ("Restaurant", "Restaurant"),
    "Terras": ("Terrace", "Terras"),
    "Bar": ("Bar", "Bar"),
}
STATIONS = {
    "Koud": ("Cold", "Koud"),
    "Warm": ("Hot", "Warm"),
    "Dessert": ("Dessert", "Dessert"),
    "Bar": ("Bar", "Bar"),
    "Expo": ("Expo", "Expo"),
    "Keuken": ("Kitchen", "Keuken"),
}
TENDERS = {
    "Contant": ("Cash", "Contant"),
    "Pin (Stripe)": ("Card (Stripe)", "Pin (Stripe)"),
    "Op kamer": ("Room charge", "Op kamer"),
    "Cadeaubon": ("Gift voucher", "Cadeaubon"),
    "Externe pinautomaat": ("External card terminal", "Externe pinautomaat"),
}

NAMES = [
    (Menu, "name", MENUS),
    (Category, "name", CATEGORIES),
    (Item, "name", ITEMS),
    (Item, "short_name", KITCHEN_NAMES),
    (Item, "description", DESCRIPTIONS),
    (ModifierGroup, "name", MODIFIER_GROUPS),
    (Modifier, "name", MODIFIERS),
    (Course, "name", COURSES),
    (Outlet, "name", OUTLETS),
    (Area, "name", AREAS),
    (Station, "name", STATIONS),
    (Tender, "name", TENDERS),
]


def translate_demo() -> int:
    """Give every demo name its English and Dutch; returns how many rows changed.

    A name not yet translated (one language empty, or both the same text as typed) is
    looked up by what was typed; a name someone translated already is left alone, so a
    second run (or a demo loaded before names had languages) changes only what is due.
    """
    changed = 0
    for model, field, table in NAMES:
        english_field, dutch_field = f"{field}_en", f"{field}_nl"
        updates = []
        for row in model.objects.all():
            english, dutch = getattr(row, english_field) or "", getattr(row, dutch_field) or ""
            typed = dutch or english
            if english and dutch and english != dutch:
                continue
            if typed not in table or (english, dutch) == table[typed]:
                continue
            setattr(row, english_field, table[typed][0])
            setattr(row, dutch_field, table[typed][1])
            updates.append(row)
        model.objects.bulk_update(updates, [english_field, dutch_field])
        changed += len(updates)
    return changed
