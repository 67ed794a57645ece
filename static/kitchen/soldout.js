// The 86 board: every item of the outlet's menus by category, with 86 / back on and its
// countdown, and every choice sold out or back. Live over the outlet's floor socket: a
// change on another tablet shows at once.
import { api, paths } from "/static/waiter/api.js";
import { h, toast } from "/static/waiter/dom.js";
import { gettext } from "/static/waiter/i18n.js";
import { liveSocket } from "/static/waiter/socket.js";
import { itemRow, modifierRow, nameMatches } from "/static/waiter/soldout.js";

const root = document.getElementById("sold-out");
const boardBox = document.getElementById("sold-out-board");
const search = document.getElementById("sold-out-search");
const onlySoldOut = document.getElementById("sold-out-only");
const outletId = root ? Number(root.dataset.outletId) : null;

let board = null;
const items = new Map(); // id -> item
const modifiers = new Map(); // id -> modifier

function counting(item) {
  return item.is_86d || (item.remaining_qty !== null && item.remaining_qty !== undefined);
}

function shown(entry, isItem) {
  if (!nameMatches(entry.name, search.value)) return false;
  if (!onlySoldOut.checked) return true;
  return isItem ? counting(entry) : !entry.is_available;
}

async function changeItem(item, body) {
  try {
    const answer = await api("POST", paths.itemAvailability(item.id), { body });
    applyItem(answer);
  } catch (error) {
    toast(error.message);
  }
}

async function changeModifier(modifier, body) {
  try {
    const answer = await api("POST", paths.modifierAvailability(modifier.id), { body });
    applyModifier(answer);
  } catch (error) {
    toast(error.message);
  }
}

function render() {
  if (!board) return;
  const sections = [];
  for (const category of board.categories) {
    const rows = category.items.map((entry) => items.get(entry.id)).filter((item) => shown(item, true));
    if (!rows.length) continue;
    sections.push(
      h(
        "section",
        { class: "sold-out__category", "data-category-id": category.id },
        h("h2", { class: "sold-out__title" }, category.name, h("span", { class: "sold-out__menu" }, category.menu)),
        h("ul", { class: "sold-out__list" }, rows.map((item) => itemRow(item, (body) => changeItem(item, body)))),
      ),
    );
  }
  const groups = board.modifier_groups
    .map((group) => ({ group, rows: group.modifiers.map((entry) => modifiers.get(entry.id)).filter((m) => shown(m, false)) }))
    .filter(({ rows }) => rows.length);
  if (groups.length) {
    sections.push(
      h(
        "section",
        { class: "sold-out__category sold-out__choices" },
        h("h2", { class: "sold-out__title" }, gettext("Choices")),
        groups.map(({ group, rows }) =>
          h(
            "div",
            { class: "sold-out__group", "data-group-id": group.id },
            h("h3", { class: "sold-out__group-name" }, group.name),
            h("ul", { class: "sold-out__list" }, rows.map((m) => modifierRow(m, (body) => changeModifier(m, body)))),
          ),
        ),
      ),
    );
  }
  boardBox.replaceChildren(...(sections.length ? sections : [h("p", { class: "empty" }, gettext("Nothing matches."))]));
  boardBox.setAttribute("aria-busy", "false");
}

// Redraw only the row that changed (a countdown typed in another row keeps its focus).
function redraw(row, fresh, stillShown) {
  if (row && stillShown) row.replaceWith(fresh());
  else render();
}

function applyItem(change) {
  const item = items.get(change.id);
  if (!item) return;
  Object.assign(item, change);
  redraw(boardBox.querySelector(`.sold-out-item[data-item-id="${item.id}"]`), () => itemRow(item, (body) => changeItem(item, body)), shown(item, true));
}

function applyModifier(change) {
  const modifier = modifiers.get(change.id);
  if (!modifier) return;
  Object.assign(modifier, change);
  redraw(boardBox.querySelector(`.sold-out-item[data-modifier-id="${modifier.id}"]`), () => modifierRow(modifier, (body) => changeModifier(modifier, body)), shown(modifier, false));
}

async function load() {
  try {
    board = await api("GET", paths.soldOutBoard(outletId));
  } catch (error) {
    toast(error.message);
    return;
  }
  items.clear();
  modifiers.clear();
  for (const category of board.categories) for (const item of category.items) items.set(item.id, item);
  for (const group of board.modifier_groups) for (const modifier of group.modifiers) modifiers.set(modifier.id, modifier);
  render();
}

if (root && outletId) {
  search.addEventListener("input", render);
  onlySoldOut.addEventListener("change", render);
  liveSocket(paths.floorSocket(outletId), {
    onMessage: (message) => {
      if (message.type === "item") applyItem(message.item);
      else if (message.type === "modifier") applyModifier(message.modifier);
    },
    // Every (re)connect: take the board again, whatever was missed while away.
    onResync: load,
    onStatus: (online) => (document.getElementById("offline").hidden = online),
    onRefused: () => api("GET", paths.me).catch(() => {}),
  });
}
