"""The demo menu's allergens, as a bistro's chef would declare them (EU Annex II codes)."""

from orders.allergens import in_annex_order
from orders.models import Item, Modifier

# By the dish's name on the demo menus (the same dish on two outlets' menus is the same recipe).
ITEM_ALLERGENS = {
    "Soep van de dag": ["gluten", "milk", "celery"],
    "Bitterballen (8 st.)": ["gluten", "milk", "celery", "mustard"],
    "Carpaccio": ["eggs", "milk", "nuts", "mustard"],
    "Steak tartaar": ["eggs", "mustard", "sulphites"],
    "Geitenkaassalade": ["milk", "nuts", "mustard", "sulphites"],
    "Garnalenkroketten (2 st.)": ["gluten", "crustaceans", "eggs", "milk"],
    "Vitello tonnato": ["eggs", "fish", "mustard"],
    "Brood met aioli": ["gluten", "eggs", "sesame"],
    "Steak": ["milk", "celery", "sulphites"],
    "Bistro burger": ["gluten", "eggs", "milk", "mustard", "sesame"],
    "Dagvangst": ["fish", "milk", "molluscs"],
    "Lamsrack": ["celery", "sulphites"],
    "Kipsaté": ["peanuts", "soybeans", "crustaceans"],
    "Wiener Schnitzel": ["gluten", "eggs", "milk"],
    "Stoofvlees": ["gluten", "celery", "mustard", "sulphites"],
    "Zalmfilet": ["fish", "milk"],
    "Paddenstoelenrisotto": ["milk", "celery", "sulphites"],
    "Dame Blanche": ["milk", "eggs", "soybeans"],
    "Crème brûlée": ["milk", "eggs"],
    "Chocolademousse": ["milk", "eggs", "soybeans"],
    "Appeltaart met slagroom": ["gluten", "eggs", "milk"],
    "Kaasplankje": ["milk", "nuts", "sulphites"],
    "Heineken (tap)": ["gluten"],
    "Heineken (fles)": ["gluten"],
    "Heineken 0.0": ["gluten"],
    "La Chouffe": ["gluten"],
    "Affligem Blond": ["gluten"],
    "Huiswijn rood (glas)": ["sulphites"],
    "Huiswijn wit (glas)": ["sulphites"],
    "Rosé (glas)": ["sulphites"],
    "Cava (glas)": ["sulphites"],
    "Fles huiswijn rood": ["sulphites"],
    "Fles Sancerre": ["sulphites"],
    "Uitsmijter ham & kaas": ["gluten", "eggs", "milk"],
    "Broodje kroket": ["gluten", "milk", "celery", "mustard"],
    "Tosti ham-kaas": ["gluten", "milk"],
    "Nacho's": ["milk"],
    "Portie oude kaas": ["milk", "mustard"],
    "Club sandwich": ["gluten", "eggs", "milk", "mustard"],
    "Caesar salad": ["gluten", "eggs", "fish", "milk", "mustard"],
}
MODIFIER_ALLERGENS = {
    "Vinaigrette": ["mustard", "sulphites"],
    "Yoghurt-mint": ["milk"],
    "Mashed potatoes": ["milk"],
    "Cheese": ["milk"],
    "Egg": ["eggs"],
    "Fried onions": ["gluten"],
}


def declare_demo_allergens() -> None:
    """Set the demo menu's allergens (the seed writes the menu first, then this)."""
    for name, codes in ITEM_ALLERGENS.items():
        Item.objects.filter(name=name).update(allergens=in_annex_order(codes))
    for name, codes in MODIFIER_ALLERGENS.items():
        Modifier.objects.filter(name=name).update(allergens=in_annex_order(codes))
