// The order screen: menu on the left, ticket on the right, live over the floor socket.
import { api, newUuid, paths, whenSignedOut } from "./api.js";
import { closeOnBack, guardLeaving } from "./backbutton.js";
import { h, setBusy, showDialog, toast } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { openPendingLineSheet, openSentLineSheet } from "./linesheet.js";
import {
  onItemHold,
  reloadWhenPricesChange,
  renderCategories,
  renderCoursePicker,
  renderItems,
  renderSeatPicker,
  updateItemTile,
} from "./menu.js";
import { charges, indexModifiers, openModifierDialog } from "./modifiers.js";
import { money } from "./money.js";
import { kindName, orderTitle } from "./orderlabel.js";
import { createReadyCalls } from "./readycalls.js";
import { liveSocket } from "./socket.js";
import { openSetMenuDialog } from "./setmenu.js";
import { openSoldOutSheet } from "./soldoutsheet.js";
import { openOrderActions } from "./tableactions.js";
import { courseNamer, renderTicket } from "./ticket.js";

const root = document.getElementById("order");
const orderId = Number(root.dataset.orderId);
const outletId = Number(root.dataset.outletId);
const $ = (id) => document.getElementById(id);
const DEFAULT_COURSES = [1, 2, 3, 4, 5].map((number) => ({ number, name: "" }));

const state = {
  order: null,
  menu: null,
  modifiers: {}, // modifier id -> modifier, from the menu's groups
  categoryId: null,
  seat: 1,
  course: null, // null: each item's own course
  sending: [], // lines on their way to the server, shown greyed on the ticket
  inFlight: new Set(),
  fires: {}, // course -> {status, rush, course_name}: where each course is in the kitchen
  drafts: new Map(), // item id -> {qty, note, modifiers}: chosen when Back closed its dialog
};

const readyCalls = createReadyCalls();
const loadManagers = async () => (await api("GET", paths.signInTiles)).filter((person) => person.roles.includes("manager"));

// Hold a tile: 86 the item or set its countdown (with a manager's PIN where the outlet says so).
onItemHold((item) =>
  openSoldOutSheet({
    item,
    asksManager: root.dataset.soldOutAsksManager === "true",
    loadManagers,
    onChanged: () => updateItemTile($("items"), item, tapItem),
  }),
);

whenSignedOut(() => location.assign(paths.signInPage));

const courses = () => (state.menu?.courses.length ? state.menu.courses : DEFAULT_COURSES);
const courseName = (number) => courseNamer(courses())(number);
const isOpen = () => state.order?.status === "open";
// Lines the kitchen does not have yet: pending on the server, or still on their way there.
const unsentCount = () =>
  (state.order?.lines.filter((line) => line.status === "pending").length ?? 0) + state.sending.length;

// ---- loading -------------------------------------------------------------------------

async function loadOrder() {
  try {
    applyOrder(await api("GET", paths.order(orderId)));
  } catch (error) {
    toast(error.message);
  }
}

// Answers can arrive out of order: never go back to an older version of the order.
function applyOrder(order) {
  if (state.order && order.version < state.order.version) return;
  state.order = order;
  if (state.seat > order.covers) state.seat = 1;
  renderHeader();
  renderPickers();
  renderTicketPanel();
}

async function loadMenu() {
  try {
    state.menu = await api("GET", paths.menu(outletId));
    state.modifiers = indexModifiers(state.menu.modifier_groups);
    reloadWhenPricesChange(state.menu, loadMenu);
    const ids = state.menu.categories.map((c) => c.id);
    if (!ids.includes(state.categoryId)) state.categoryId = ids[0] ?? null;
    renderMenu();
    renderPickers();
    renderTicketPanel();
  } catch (error) {
    toast(error.message);
    reloadWhenPricesChange(state.menu, loadMenu); // a change already due is tried again shortly
  }
}

function findItem(itemId) {
  for (const category of state.menu?.categories || []) {
    const item = category.items.find((i) => i.id === itemId);
    if (item) return item;
  }
  return null;
}

// ---- drawing -------------------------------------------------------------------------

function renderHeader() {
  const order = state.order;
  const title = orderTitle(order);
  $("order-title").textContent = title;
  document.title = `${title} · ${gettext("Tafel")}`;
  const kind = $("order-kind");
  kind.hidden = Boolean(order.table);
  kind.textContent = kindName(order.kind);
  const actions = $("order-actions");
  actions.hidden = !isOpen();
  $("order-actions-label").textContent = order.table ? gettext("Table") : gettext("Order");
  actions.setAttribute("aria-label", order.table ? gettext("Table actions") : gettext("Order actions"));
  $("order-covers").textContent = interpolate(ngettext("%s cover", "%s covers", order.covers), [order.covers]);
  $("order-waiter").textContent = order.waiter.name;
  const closed = $("order-closed");
  closed.hidden = isOpen();
  if (!isOpen()) {
    closed.replaceChildren(
      order.merged_into
        ? h("a", { href: paths.orderPage(order.merged_into) }, gettext("This order was merged into another table's. Open it."))
        : gettext("This order is closed."),
    );
  }
  root.classList.toggle("order-screen--closed", !isOpen());
}

function renderPickers() {
  if (!state.order) return;
  renderSeatPicker($("seat-picker"), state.order.covers, state.seat, (seat) => {
    state.seat = seat;
    renderPickers();
  });
  renderCoursePicker($("course-picker"), courses(), courseName, state.course, (course) => {
    state.course = course;
    renderPickers();
  });
}

function renderMenu() {
  if (!state.menu) return;
  renderCategories($("categories"), state.menu.categories, state.categoryId, (id) => {
    state.categoryId = id;
    renderMenu();
  });
  const category = state.menu.categories.find((c) => c.id === state.categoryId);
  if (category) renderItems($("items"), category.items, tapItem);
  else $("items").replaceChildren(h("p", { class: "empty" }, gettext("Nothing on the menu is served right now.")));
  $("items").setAttribute("aria-busy", "false");
}

function renderTicketPanel() {
  const order = state.order;
  if (!order) return;
  const lines = [...order.lines, ...state.sending];
  renderTicket($("ticket"), {
    lines,
    courseName,
    onTap: tapLine,
    onServe: isOpen() ? serveCourse : null,
    fires: state.fires,
    onFire: isOpen() ? fireCourse : null,
  });
  renderRush();
  const pending = unsentCount();
  $("total").textContent = money(order.total);
  $("total").dataset.total = order.total;
  const send = $("send");
  send.textContent = pending ? interpolate(gettext("Send (%s)"), [pending]) : gettext("Send");
  if (send.getAttribute("aria-busy") !== "true") send.disabled = !pending || !isOpen();
  // The bill is there once something is ordered (and to look back at a paid one).
  $("bill-link").hidden = !order.lines.length;
  const count = order.lines.length + state.sending.length;
  $("ticket-summary").textContent = count ? `${count} · ${money(order.total)}` : "";
}

// ---- adding lines --------------------------------------------------------------------

function tapItem(item) {
  if (!isOpen() || item.is_86d) return;
  if (item.set_courses?.length) {
    const items = Object.fromEntries(state.menu.categories.flatMap((category) => category.items).map((each) => [each.id, each]));
    openSetMenuDialog({ item, items, groups: state.menu.modifier_groups, courseName, onAdd: (choice) => addLine(item, choice) });
    return;
  }
  if (!item.modifier_groups.length) {
    addLine(item, { qty: 1, note: "", modifiers: [] });
    return;
  }
  // Back closed this item's dialog before: the choices made then are still there.
  const draft = state.drafts.get(item.id) ?? null;
  state.drafts.delete(item.id);
  openModifierDialog({
    item,
    groups: state.menu.modifier_groups,
    initial: draft,
    onAdd: (choice) => addLine(item, choice),
    onBack: (choice) => state.drafts.set(item.id, choice),
  });
}

function addLine(item, { qty, note, modifiers = [], set_choices: setChoices = null }) {
  const clientUuid = newUuid();
  const body = { client_uuid: clientUuid, item: item.id, qty, seat: state.seat, note, modifiers };
  if (setChoices) body.set_choices = setChoices;
  if (state.course !== null) body.course = state.course;
  const charged = charges(modifiers, state.menu.modifier_groups, state.modifiers);
  const placeholder = {
    id: null,
    name: item.name,
    qty,
    seat: state.seat,
    course: body.course ?? item.course,
    note,
    status: "sending",
    total: qty * (item.price + Object.values(charged).reduce((a, b) => a + b, 0)),
    modifiers: modifiers.map((id) => ({ id, name: state.modifiers[id].name, price_delta: charged[id], parent: null })),
  };
  state.sending.push(placeholder);
  renderTicketPanel();
  // Same client UUID and Idempotency-Key on every retry: the line is added once.
  const job = api("POST", paths.lines(orderId), { key: clientUuid, body })
    .then((answer) => applyOrder(answer.order))
    .catch((error) => toast(interpolate(gettext("%(item)s was not added: %(reason)s"), { item: item.name, reason: error.message }, true)))
    .finally(() => {
      state.sending = state.sending.filter((line) => line !== placeholder);
      state.inFlight.delete(job);
      renderTicketPanel();
    });
  state.inFlight.add(job);
}

// ---- changing lines ------------------------------------------------------------------

async function changeOrder(method, url, body) {
  applyOrder(await api(method, url, { key: newUuid(), body }));
}

function tapLine(line) {
  if (!isOpen()) return;
  if (line.status === "pending") {
    const item = findItem(line.item);
    openPendingLineSheet({
      line,
      covers: state.order.covers,
      courses: courses(),
      courseName,
      onSave: (changes) => changeOrder("PATCH", paths.line(orderId, line.id), changes).catch((e) => toast(e.message)),
      onRemove: () => changeOrder("DELETE", paths.line(orderId, line.id)).catch((e) => toast(e.message)),
      // Only an item with modifier groups (on the menu as it stands) has choices to change.
      onChangeChoices: item?.modifier_groups.length ? (changes) => changeChoices(line, item, changes) : null,
    });
  } else if (line.status === "sent" || line.status === "served") {
    openSentLineSheet({
      line,
      loadManagers,
      onVoid: (approval) => changeOrder("POST", paths.voidLine(orderId, line.id), approval),
      onNote: async (note) => {
        try {
          await changeOrder("POST", paths.lineNote(orderId, line.id), { note });
          toast(gettext("The kitchen has the note."), "ok");
        } catch (error) {
          toast(error.message);
          throw error;
        }
      },
    });
  }
}

// The modifier dialog again, prefilled with the line's choices, qty and note (as the line
// sheet left them); Save sends one PATCH with what changed, the sheet's seat and course too.
function changeChoices(line, item, sheetChanges) {
  const { qty = line.qty, note = line.note, ...rest } = sheetChanges;
  const current = line.modifiers.map((modifier) => modifier.id);
  openModifierDialog({
    // The line keeps the item's price from when it was added; only the choices are repriced.
    item: { ...item, price: line.unit_price },
    groups: state.menu.modifier_groups,
    initial: { qty, note, modifiers: current },
    saveLabel: gettext("Save · %s"),
    onAdd: async (choice) => {
      const changes = { ...rest };
      if (choice.modifiers.join() !== current.join()) changes.modifiers = choice.modifiers;
      if (choice.qty !== line.qty) changes.qty = choice.qty;
      if (choice.note !== line.note) changes.note = choice.note;
      if (Object.keys(changes).length) await changeOrder("PATCH", paths.line(orderId, line.id), changes);
    },
  });
}

// True when the lines went; an error is shown and the answer is false.
async function send() {
  const button = $("send");
  setBusy(button, true);
  await Promise.allSettled([...state.inFlight]); // lines still on their way go too
  try {
    const answer = await api("POST", paths.send(orderId), { key: newUuid(), body: {} });
    applyOrder(answer.order);
    loadFires();
    const count = answer.sent.length;
    toast(interpolate(ngettext("%s line sent to the kitchen.", "%s lines sent to the kitchen.", count), [count]), "ok");
    return true;
  } catch (error) {
    toast(error.message);
    return false;
  } finally {
    setBusy(button, false);
    renderTicketPanel();
  }
}

// Leaving with lines the kitchen does not have: they stay on the order (they are saved), but
// a waiter who walks away from them usually meant to send them. Send first, stay, or leave.
let leaveDialog = null;
function askBeforeLeaving(leave) {
  if (leaveDialog?.open) return;
  const count = unsentCount();
  const goOn = async (button, sendFirst) => {
    for (const each of leaveDialog.querySelectorAll("button")) each.disabled = true;
    setBusy(button, true);
    await Promise.allSettled([...state.inFlight]); // a line on its way is saved before we go
    if (sendFirst && !(await send())) {
      leaveDialog.close();
      return;
    }
    leave();
  };
  const sendAndLeave = h("button", { type: "button", class: "button button--primary", "data-action": "send-and-leave" }, gettext("Send and leave"));
  const leaveAnyway = h("button", { type: "button", class: "button", "data-action": "leave" }, gettext("Leave without sending"));
  sendAndLeave.addEventListener("click", () => goOn(sendAndLeave, true));
  leaveAnyway.addEventListener("click", () => goOn(leaveAnyway, false));
  leaveDialog = h(
    "dialog",
    { class: "sheet leave-dialog", "aria-labelledby": "leave-title" },
    h(
      "h2",
      { id: "leave-title", class: "sheet__title" },
      interpolate(ngettext("%s line is not at the kitchen yet", "%s lines are not at the kitchen yet", count), [count]),
    ),
    h("p", { class: "sheet__text" }, gettext("They stay on this order, but the kitchen only starts on them once they are sent.")),
    h(
      "footer",
      { class: "sheet__actions leave-dialog__actions" },
      h("button", { type: "button", class: "button", "data-action": "stay", onclick: () => leaveDialog.close() }, gettext("Keep ordering")),
      leaveAnyway,
      sendAndLeave,
    ),
  );
  showDialog(leaveDialog);
}

// The waiter brought a course to the table: its sent lines become served.
async function serveCourse(course, button) {
  setBusy(button, true);
  try {
    const answer = await api("POST", paths.serve(orderId), { key: newUuid(), body: { course } });
    applyOrder(answer.order);
    toast(interpolate(gettext("%s served."), [courseName(course)]), "ok");
  } catch (error) {
    toast(error.message);
    setBusy(button, false);
  }
}

// ---- the kitchen: held courses, firing, rush ----------------------------------------

// Several fires of one course (a second round of starters) read as one: held wins, then fired.
function firesByCourse(fires) {
  const rank = { held: 0, fired: 1, ready: 2, bumped: 3 };
  const byCourse = {};
  for (const fire of fires) {
    const known = byCourse[fire.course];
    if (!known) byCourse[fire.course] = { ...fire };
    else {
      if ((rank[fire.status] ?? 9) < (rank[known.status] ?? 9)) Object.assign(known, { status: fire.status, id: fire.id });
      known.rush = known.rush || (fire.rush && fire.status !== "bumped");
    }
  }
  return byCourse;
}

let firesAsked = 0;
async function loadFires() {
  const asked = ++firesAsked;
  try {
    const answer = await api("GET", paths.orderFires(orderId));
    if (asked !== firesAsked) return; // a newer answer is on its way
    state.fires = firesByCourse(answer.fires);
    renderTicketPanel();
  } catch {
    // The kitchen's view is extra: the ticket works without it.
  }
}

async function fireCourse(course, button) {
  setBusy(button, true);
  try {
    const answer = await api("POST", paths.fireCourse(orderId), { key: newUuid(), body: { course } });
    firesAsked += 1;
    state.fires = firesByCourse(answer.fires);
    renderTicketPanel();
    toast(interpolate(gettext("%s fired."), [courseName(course)]), "ok");
  } catch (error) {
    toast(error.message);
    setBusy(button, false);
    loadFires();
  }
}

function renderRush() {
  const open = Object.values(state.fires).filter((fire) => fire.status !== "bumped");
  const button = $("rush");
  button.hidden = !isOpen() || !open.length;
  const rushed = open.length > 0 && open.every((fire) => fire.rush);
  if (button.getAttribute("aria-busy") !== "true") button.disabled = rushed;
  button.textContent = rushed ? gettext("Rushed") : gettext("Rush");
  button.dataset.rushed = rushed ? "true" : "false";
}

function askRush() {
  const confirm = h("button", { type: "button", class: "button button--danger", "data-action": "confirm-rush" }, gettext("Rush"));
  const dialog = h(
    "dialog",
    { class: "sheet", "aria-labelledby": "rush-title" },
    h("h2", { id: "rush-title", class: "sheet__title" }, interpolate(gettext("Rush %s?"), [orderTitle(state.order)])),
    h("p", { class: "sheet__text" }, gettext("The kitchen puts this order first on every station.")),
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")), confirm),
  );
  confirm.addEventListener("click", async () => {
    setBusy(confirm, true);
    try {
      const answer = await api("POST", paths.rushOrder(orderId), { key: newUuid(), body: {} });
      firesAsked += 1;
      state.fires = firesByCourse(answer.fires);
      dialog.close();
      renderTicketPanel();
      toast(gettext("The kitchen knows: rush."), "ok");
    } catch (error) {
      setBusy(confirm, false);
      toast(error.message);
    }
  });
  showDialog(dialog);
  closeOnBack(dialog);
}

function openActions() {
  if (!isOpen()) return;
  openOrderActions({ getOrder: () => state.order, onChanged: applyOrder });
}

function askCovers() {
  if (!isOpen()) return;
  const most = Math.max(12, state.order.covers + 4);
  const dialog = h(
    "dialog",
    { class: "sheet covers-dialog", "aria-labelledby": "covers-title" },
    h("h2", { id: "covers-title", class: "sheet__title" }, gettext("How many guests?")),
    h(
      "div",
      { class: "covers-grid" },
      Array.from({ length: most }, (_, i) => i + 1).map((n) =>
        h(
          "button",
          {
            type: "button",
            class: "cover-button",
            "aria-pressed": n === state.order.covers ? "true" : "false",
            onclick: () => {
              dialog.close();
              changeOrder("POST", paths.covers(orderId), { covers: n }).catch((e) => toast(e.message));
            },
          },
          String(n),
        ),
      ),
    ),
    h("div", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel"))),
  );
  showDialog(dialog);
  closeOnBack(dialog);
}

// ---- live updates --------------------------------------------------------------------

function onMessage(message) {
  if (message.type === "order" && message.order.id === orderId) {
    if (!state.order || message.order.version > state.order.version) loadOrder();
    loadFires();
  } else if (message.type === "ready") {
    readyCalls.add(message.fire);
    if (message.fire.order === orderId) loadFires();
  } else if (message.type === "menu") {
    // The manager changed the menu (an item added, a price, the order): take it again.
    loadMenu();
  } else if (message.type === "item") {
    if (state.menu && message.prices_change_at !== undefined) {
      // A price list or happy hour was saved: the moment the prices next change may have moved.
      state.menu.prices_change_at = message.prices_change_at;
      reloadWhenPricesChange(state.menu, loadMenu);
    }
    const item = findItem(message.item.id);
    if (!item) return;
    Object.assign(item, message.item);
    updateItemTile($("items"), item, tapItem);
  } else if (message.type === "menu") {
    // A manager changed the menu's allergens: take it again, so tiles and dialogs show them.
    loadMenu();
  } else if (message.type === "modifier") {
    // A choice sold out or back: tell the waiter now, and the next modifier dialog shows it.
    const { id, is_available: available } = message.modifier;
    let name = null;
    for (const group of Object.values(state.menu?.modifier_groups || {})) {
      const modifier = group.modifiers.find((m) => m.id === id);
      if (modifier) {
        modifier.is_available = available;
        name = modifier.name;
      }
    }
    if (state.modifiers?.[id]) state.modifiers[id].is_available = available;
    if (name) {
      toast(interpolate(available ? gettext("%s is back.") : gettext("Sold out: %s"), [name]), available ? "ok" : "info");
    }
  }
}

function showView(view) {
  root.dataset.view = view;
  $("show-menu").setAttribute("aria-selected", view === "menu" ? "true" : "false");
  $("show-ticket").setAttribute("aria-selected", view === "ticket" ? "true" : "false");
}

$("send").addEventListener("click", send);
guardLeaving({ mustAsk: () => isOpen() && unsentCount() > 0, ask: askBeforeLeaving, link: $("back"), fallbackUrl: $("back").href });
// Closing the tab or reloading while a line is still on its way could lose it: the browser asks.
window.addEventListener("beforeunload", (event) => {
  if (state.sending.length) event.preventDefault();
});
$("rush").addEventListener("click", askRush);
$("order-covers").addEventListener("click", askCovers);
$("order-actions").addEventListener("click", openActions);
$("show-menu").addEventListener("click", () => showView("menu"));
$("show-ticket").addEventListener("click", () => showView("ticket"));

loadOrder();
loadMenu();
let firstConnect = true;
liveSocket(paths.floorSocket(outletId), {
  onMessage,
  onResync: () => {
    // Whatever happened while we were away: take the order and the menu again.
    if (!firstConnect) loadMenu();
    firstConnect = false;
    loadOrder();
    loadFires();
    readyCalls.load();
  },
  onStatus: (online) => ($("offline").hidden = online),
  onRefused: () => api("GET", paths.me).catch(() => {}),
});
