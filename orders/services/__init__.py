"""Every state change of menus and orders. Views and consumers call these; nothing else writes.

One module per subject: `lifecycle` (an order opened, closed, reopened, and what every
service shares), `lines` (lines added, changed, removed before sending), `sending`
(send, serve, void), `table_actions` (transfer, merge, assign, covers) and
`availability` (86 and countdowns) and `menu_editing` (the manager's menu editor). Each service runs in one transaction, locks the
order row it changes (so two tablets on one table never lose each other's lines), and
announces the change after commit. Callers import from `orders.services`.
"""

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
    "ServingWindow",
    "StationScreen",
    "add_line",
    "add_lines",
    "assign_order",
    "change_covers",
    "change_sent_line_note",
    "close_order",
    "mark_bill_printed",
    "merge_orders",
    "open_order",
    "remove_pending_line",
    "reopen_order",
    "reorder_categories",
    "reorder_items",
    "save_category",
    "save_item",
    "save_menu",
    "save_modifier_group",
    "send_to_kitchen",
    "serve_lines",
    "set_item_availability",
    "set_modifier_availability",
    "transfer_order",
    "update_pending_line",
    "void_line",
]
