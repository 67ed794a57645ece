// The menu side of the order screen: category tabs, item tiles, seat and course pickers.
import { allergenMarks } from "./allergens.js";
import { h, textColourOn } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { onLongPress } from "./longpress.js";
import { money } from "./money.js";
import { seatName } from "./ticket.js";

export function renderCategories(box, categories, selectedId, onPick) {
  box.replaceChildren(
    ...categories.map((category) =>
      h(
        "button",
        {
          type: "button",
          class: "category",
          role: "tab",
          "aria-selected": category.id === selectedId ? "true" : "false",
          "data-category-id": category.id,
          style: `--category-colour:${category.colour};--category-text:${textColourOn(category.colour)}`,
          onclick: () => onPick(category.id),
        },
        category.name,
      ),
    ),
  );
}

// Holding a finger on a tile opens the 86 sheet (set by the order screen).
let onHold = null;
export function onItemHold(handler) {
  onHold = handler;
}

function itemTile(item, onTap) {
  const tile = drawTile(item, onTap);
  if (onHold && !item.is_86d) onLongPress(tile, () => onHold(item));
  return tile;
}

function drawTile(item, onTap) {
  const soldOut = item.is_86d;
  return h(
    "button",
    {
      type: "button",
      class: soldOut ? "item item--86" : "item",
      "data-item-id": item.id,
      "data-86": soldOut ? "true" : "false",
      disabled: soldOut,
      "aria-disabled": soldOut ? "true" : "false",
      style: `--item-colour:${item.colour || "#607d8b"}`,
      onclick: () => onTap(item),
    },
    h("span", { class: "item__name" }, item.name),
    allergenMarks(item.allergens, "allergens item__allergens"),
    h(
      "span",
      { class: "item__foot" },
      h("span", { class: "item__price" }, money(item.price)),
      soldOut
        ? h("span", { class: "item__badge item__badge--86" }, gettext("Sold out"))
        : item.remaining_qty !== null && item.remaining_qty !== undefined
          ? h("span", { class: "item__badge" }, interpolate(gettext("%s left"), [item.remaining_qty]))
          : null,
      item.modifier_groups.length && !soldOut
        ? h("span", { class: "item__more", title: gettext("Has choices") }, "…")
        : null,
    ),
  );
}

// A price list starting or a happy hour opening changes the prices while nobody saves anything:
// take the menu again at the moment the server named. A tablet whose clock runs ahead gets the
// same moment back and tries again shortly; a far moment is re-armed every few hours instead
// (setTimeout cannot wait months).
const PRICE_CHANGE_MARGIN_MS = 1000;
const PRICE_CHANGE_RETRY_MS = 5000;
const PRICE_CHANGE_LONGEST_WAIT_MS = 6 * 60 * 60 * 1000;
let priceChangeTimer = null;
export function reloadWhenPricesChange(menu, reload) {
  clearTimeout(priceChangeTimer);
  priceChangeTimer = null;
  const moment = menu?.prices_change_at ? Date.parse(menu.prices_change_at) : NaN;
  if (Number.isNaN(moment)) return;
  const wait = Math.max(moment - Date.now() + PRICE_CHANGE_MARGIN_MS, PRICE_CHANGE_RETRY_MS);
  priceChangeTimer = setTimeout(reload, Math.min(wait, PRICE_CHANGE_LONGEST_WAIT_MS));
}

export function renderItems(box, items, onTap) {
  if (!items.length) {
    box.replaceChildren(h("p", { class: "empty" }, gettext("No items in this category.")));
    return;
  }
  box.replaceChildren(...items.map((item) => itemTile(item, onTap)));
}

// Redraw one tile after an {"type": "item"} message changed its availability.
export function updateItemTile(box, item, onTap) {
  const tile = box.querySelector(`.item[data-item-id="${item.id}"]`);
  if (tile) tile.replaceWith(itemTile(item, onTap));
}

function pickerButtons(box, label, options, selected, onPick) {
  box.replaceChildren(
    h("span", { class: "picker__label" }, label),
    ...options.map(([value, text]) =>
      h(
        "button",
        {
          type: "button",
          class: "chip",
          role: "radio",
          "aria-checked": value === selected ? "true" : "false",
          "data-value": value === null ? "auto" : value,
          onclick: () => onPick(value),
        },
        text,
      ),
    ),
  );
}

export function renderSeatPicker(box, covers, seat, onPick) {
  const seats = [[0, seatName(0)], ...Array.from({ length: covers }, (_, i) => [i + 1, String(i + 1)])];
  pickerButtons(box, gettext("Seat"), seats, seat, onPick);
}

// "Auto" (null) puts each item in its own course; a picked course overrides it.
export function renderCoursePicker(box, courses, courseName, course, onPick) {
  const options = [[null, gettext("Auto")], ...courses.map((c) => [c.number, courseName(c.number)])];
  pickerButtons(box, gettext("Course"), options, course, onPick);
}
