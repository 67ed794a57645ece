"""The demo's staff, their PINs, and the float counted into each till."""

from staff.models import Role

# The float in each till: 50 + 2x20 + 3x10 + 2x5 notes, and coins down to 0.10: 150.00.
DEMO_FLOAT = {"5000": 1, "2000": 2, "1000": 3, "500": 2, "200": 5, "100": 5, "50": 6, "20": 5, "10": 10}

# Display name -> (role, PIN). The username is the lower-cased display name.
DEMO_PINS: dict[str, tuple[str, str]] = {
    "Anna": (Role.WAITER.value, "1111"),
    "Bram": (Role.WAITER.value, "2222"),
    "Daan": (Role.WAITER.value, "6666"),
    "Sanne": (Role.BARTENDER.value, "2323"),
    "Kees": (Role.KITCHEN.value, "3333"),
    "Carla": (Role.CASHIER.value, "4444"),
    "Fleur": (Role.FRONT_DESK.value, "5555"),
    "Mila": (Role.MANAGER.value, "9999"),
}
LAST_NAMES = {
    "Anna": "de Vries",
    "Bram": "Jansen",
    "Daan": "Mulder",
    "Sanne": "Bakker",
    "Kees": "Visser",
    "Carla": "Smit",
    "Fleur": "Meijer",
    "Mila": "de Boer",
}
