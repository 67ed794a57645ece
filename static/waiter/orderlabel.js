// How people name an order: "Table 7", "Room 214", the tab's name, or "Order 12".
import { gettext, interpolate } from "./i18n.js";

export const ORDER_KINDS = ["bar_tab", "takeaway", "room_service"]; // orders without a table

export function kindName(kind) {
  const names = {
    dine_in: gettext("Dine-in"),
    bar_tab: gettext("Bar tab"),
    takeaway: gettext("Takeaway"),
    room_service: gettext("Room service"),
  };
  return names[kind] || kind;
}

// `table` is {id, number} in an order's detail and the bare number in the open-orders list.
export function tableNumber(order) {
  const table = order.table;
  return table && typeof table === "object" ? table.number : table || null;
}

export function orderTitle(order) {
  const table = tableNumber(order);
  if (table) return interpolate(gettext("Table %s"), [table]);
  if (order.kind === "room_service" && order.room_number) return interpolate(gettext("Room %s"), [order.room_number]);
  if (order.tab_name) return order.tab_name;
  return interpolate(gettext("Order %s"), [order.id]);
}

// "14:05" in the tablet's clock, 24 hours whatever the language.
export function clockTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(document.documentElement.lang || "en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}
