"""Every state change of menus and orders. Views and consumers call these; nothing else writes.

One module per subject: `lifecycle` (an order opened, closed, reopened, and what every
service shares), `lines` (lines added, changed, removed before sending), `sending`
(send, serve, void), `table_actions` (transfer, merge, assign, covers) and
`availability` (86 and countdowns); for the manager: `menu_editing` (the menu editor),
`allergens`, `pricing` (price changes, price lists, happy hours) and `menu_transfer` (copy,
CSV). Each service runs in one transaction, locks the
order row it changes (so two tablets on one table never lose each other's lines), and
announces the change after commit. Callers import from `orders.services`.
"""

from orders.services.allergens import set_allergens
from orders.services.availability import (
    AVAILABILITY_ROLES,
    FLOOR_SOCKET_ROLES,
    KITCHEN_86_ROLES,
    StationScreen,
    set_item_availability,
    set_modifier_availability,
)
from orders.services.lifecycle import (
    FLOOR_ROLES,
    FLOOR_WATCH_ROLES,
    close_order,
    mark_bill_printed,
    open_order,
    reopen_order,
)
from orders.services.lines import (
    DEFAULT_COURSE_COUNT,
    MAX_LINE_QTY,
    LineRequest,
    SetChoice,
    add_line,
    add_lines,
    change_sent_line_note,
    remove_pending_line,
    update_pending_line,
)
from orders.services.menu_editing import (
    MENU_EDITOR_ROLES,
    TRANSLATED_NAMES,
    Choice,
    ServingWindow,
    reorder_categories,
    reorder_items,
    save_category,
    save_item,
    save_menu,
    save_modifier_group,
)
from orders.services.menu_transfer import MenuCopy, MenuImport, copy_menu, import_menu_file
from orders.services.pricing import (
    PriceChange,
    cancel_price_list,
    change_prices_by_percentage,
    preview_percentage_change,
    remove_happy_hour,
    save_happy_hour,
    schedule_price_list,
)
from orders.services.sending import send_to_kitchen, serve_lines, void_line
from orders.services.table_actions import assign_order, change_covers, merge_orders, transfer_order

__all__ = [
    "AVAILABILITY_ROLES",
    "DEFAULT_COURSE_COUNT",
    "FLOOR_ROLES",
    "FLOOR_SOCKET_ROLES",
    "FLOOR_WATCH_ROLES",
    "KITCHEN_86_ROLES",
    "MAX_LINE_QTY",
    "MENU_EDITOR_ROLES",
    "TRANSLATED_NAMES",
    "Choice",
    "LineRequest",
    "MenuCopy",
    "MenuImport",
    "PriceChange",
    "ServingWindow",
    "SetChoice",
    "StationScreen",
    "add_line",
    "add_lines",
    "assign_order",
    "cancel_price_list",
    "change_covers",
    "change_prices_by_percentage",
    "change_sent_line_note",
    "close_order",
    "copy_menu",
    "import_menu_file",
    "mark_bill_printed",
    "merge_orders",
    "open_order",
    "preview_percentage_change",
    "remove_happy_hour",
    "remove_pending_line",
    "reopen_order",
    "reorder_categories",
    "reorder_items",
    "save_category",
    "save_happy_hour",
    "save_item",
    "save_menu",
    "save_modifier_group",
    "schedule_price_list",
    "send_to_kitchen",
    "serve_lines",
    "set_allergens",
    "set_item_availability",
    "set_modifier_availability",
    "transfer_order",
    "update_pending_line",
    "void_line",
]
