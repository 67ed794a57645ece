// A prep station's screen: ticket cards oldest first (rush first, held last), all-day
// counts, recall, live over the station's numbered feed. Tap an item to start it, again
// when it is ready; Bump clears the ticket.
import { h, setBusy } from "/static/waiter/dom.js";
import { gettext, interpolate, ngettext } from "/static/waiter/i18n.js";
import { onLongPress } from "/static/waiter/longpress.js";
import {
  allergenLine,
  clockTime,
  command,
  coversText,
  createFeed,
  createSound,
  kitchenPaths,
  modifierList,
  placeInOrder,
  seatTag,
  showOnline,
  startClock,
  startTimers,
  tableHead,
  tableName,
} from "./kds.js";
import { openSoldOutPanel } from "./soldoutpanel.js";

const board = document.getElementById("board");
const ticketsBox = document.getElementById("tickets");
const allDayBox = document.getElementById("all-day");
const recentBox = document.getElementById("recent");
const countsBox = document.getElementById("counts");
const stationId = Number(board.dataset.stationId);
const warn = Number(board.dataset.warnAfter) || 5;
const late = Number(board.dataset.lateAfter) || 10;

const NOTE_FLASH_MS = 60000;
const RECENT_MAX = 5;

const tickets = new Map(); // id -> ticket JSON, as the server last said
const cards = new Map(); // id -> {json, element}
let recent = []; // [{id, table, bumped_at}], newest first
let loaded = false;

const sound = createSound(document.getElementById("sound"));
startClock(document.getElementById("clock"));
const refreshTimers = startTimers(ticketsBox, { warn, late });
const feed = createFeed({
  stationId,
  onBoard: (data) => {
    tickets.clear();
    for (const ticket of data.tickets) tickets.set(ticket.id, ticket);
    recent = data.recent || [];
    loaded = true;
    render();
  },
  onChanges: (message) => {
    for (const ticket of message.tickets || []) apply(ticket, { live: true });
    render();
  },
  onTicket: (ticket) => {
    apply(ticket, { live: true });
    render();
  },
  onStatus: (online) => showOnline(document.getElementById("online"), online),
});

// ---- state -----------------------------------------------------------------------------

function apply(ticket, { live = false } = {}) {
  const before = tickets.get(ticket.id);
  if (ticket.status === "bumped") {
    tickets.delete(ticket.id);
    if (before || !recent.some((entry) => entry.id === ticket.id)) {
      recent = [{ id: ticket.id, table: ticket.table, bumped_at: ticket.bumped_at }, ...recent.filter((r) => r.id !== ticket.id)].slice(0, RECENT_MAX);
    }
    return;
  }
  recent = recent.filter((entry) => entry.id !== ticket.id);
  tickets.set(ticket.id, ticket);
  // A new ticket on the board, or a held course just fired: tell the cooks.
  const arrived = (!before || before.status === "held") && ticket.status !== "held";
  if (live && loaded && arrived) sound.play(ticket.kind === "void" ? "void" : "new");
}

function fireTime(ticket) {
  return Date.parse(ticket.fired_at || ticket.created_at) || 0;
}

// As the server sorts: held last, rush first, then oldest first.
function ordered() {
  return [...tickets.values()].sort(
    (a, b) =>
      (a.status === "held") - (b.status === "held") || b.rush - a.rush || fireTime(a) - fireTime(b) || a.id - b.id,
  );
}

function allDay() {
  const counts = new Map();
  for (const ticket of tickets.values()) {
    if (ticket.status === "held" || ticket.status === "bumped" || ticket.kind !== "order") continue;
    for (const item of ticket.items) {
      if (item.status === "new" || item.status === "in_progress") counts.set(item.name, (counts.get(item.name) || 0) + item.qty);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

// ---- drawing ---------------------------------------------------------------------------

function render() {
  const elements = ordered().map(cardFor);
  for (const id of [...cards.keys()]) if (!tickets.has(id)) cards.delete(id);
  if (!elements.length) {
    ticketsBox.replaceChildren(
      h("div", { class: "board-empty" }, h("p", { class: "board-empty__title" }, gettext("All clear")), h("p", null, gettext("New tickets appear here by themselves."))),
    );
  } else {
    placeInOrder(ticketsBox, elements);
  }
  ticketsBox.setAttribute("aria-busy", "false");
  refreshTimers();
  renderAllDay();
  renderRecent();
  renderCounts();
}

function cardFor(ticket) {
  const json = JSON.stringify(ticket);
  const cached = cards.get(ticket.id);
  if (cached && cached.json === json) return cached.element;
  const element = ticketCard(ticket);
  cards.set(ticket.id, { json, element });
  return element;
}

const STATUS_LABELS = {
  held: gettext("On hold"),
  new: gettext("New"),
  in_progress: gettext("Cooking"),
  ready: gettext("Ready"),
};

function ticketCard(ticket) {
  const held = ticket.status === "held";
  const isVoid = ticket.kind === "void";
  const badges = [
    ticket.rush ? h("span", { class: "badge badge--rush" }, gettext("Rush")) : null,
    ticket.print_failed
      ? h(
          "button",
          {
            type: "button",
            class: "badge badge--unprinted",
            "data-action": "reprint",
            title: gettext("Tap to print it again"),
            onclick: (event) => act(event.currentTarget, kitchenPaths.ticket(ticket.id, "reprint")),
          },
          gettext("Not printed"),
        )
      : null,
    held ? h("span", { class: "badge badge--held" }, gettext("On hold")) : null,
    ticket.status === "ready" ? h("span", { class: "badge badge--ready" }, gettext("Ready")) : null,
  ];
  const timer = held
    ? h("span", { class: "card__timer card__timer--held" }, gettext("Held"))
    : h("span", { class: "card__timer", "data-since": ticket.fired_at || ticket.created_at }, "");
  const meta = [
    interpolate(gettext("#%s"), [ticket.order]),
    ticket.course_name || interpolate(gettext("Course %s"), [ticket.course]),
    ticket.waiter,
    coversText(ticket.covers),
  ].filter(Boolean);
  return h(
    "article",
    {
      class: `card card--${ticket.kind}`,
      "data-ticket-id": ticket.id,
      "data-status": ticket.status,
      "data-table": ticket.table,
      "data-kind": ticket.kind,
      "data-rush": ticket.rush ? "true" : "false",
      "data-age": "ok",
      "aria-label": interpolate(gettext("Ticket for %(table)s, %(status)s"), { table: ticket.table, status: STATUS_LABELS[ticket.status] || ticket.status }, true),
    },
    isVoid ? h("div", { class: "card__void-banner" }, gettext("VOID")) : null,
    h(
      "header",
      { class: "card__head" },
      h("div", { class: "card__head-row" }, tableHead(ticket.table), timer),
      h("div", { class: "card__meta" }, meta.map((text) => h("span", null, text))),
      badges.some(Boolean) ? h("div", { class: "card__badges" }, badges) : null,
    ),
    h("ol", { class: "card__items" }, ticket.items.map((item) => itemRow(ticket, item))),
    actions(ticket),
  );
}

function itemRow(ticket, item) {
  const workable = ticket.kind === "order" && ticket.status !== "held" && item.status !== "void";
  const noteFresh = item.note_changed_at && Date.now() - Date.parse(item.note_changed_at) < NOTE_FLASH_MS;
  const content = [
    h(
      "span",
      { class: "kitem__line" },
      h("span", { class: "kitem__qty", "aria-label": interpolate(gettext("%s times"), [item.qty]) }, String(item.qty)),
      h("span", { class: "kitem__name" }, item.name),
      seatTag(item.seat),
      item.status === "void" ? h("span", { class: "kitem__void" }, gettext("VOID")) : null,
    ),
    itemState(item.status),
    item.for_item ? h("span", { class: "kitem__for" }, interpolate(gettext("for %s"), [item.for_item])) : null,
    modifierList(item.modifiers),
    allergenLine(item.allergens),
    item.note
      ? h(
          "span",
          { class: noteFresh ? "kitem__note kitem__note--fresh" : "kitem__note", "data-changed": noteFresh ? "true" : "false" },
          ticket.kind === "void" ? interpolate(gettext("Reason: %s"), [item.note]) : item.note,
        )
      : null,
  ];
  if (noteFresh) {
    // Stop flashing once the note is a minute old.
    const left = NOTE_FLASH_MS - (Date.now() - Date.parse(item.note_changed_at));
    setTimeout(() => {
      cards.delete(ticket.id);
      render();
    }, Math.max(1000, left));
  }
  const props = { class: `kitem kitem--${item.status}`, "data-item-id": item.id, "data-menu-item": item.menu_item, "data-status": item.status };
  if (!workable) return soldOutOnHold(h("li", props, h("div", { class: "kitem__body" }, content)), item);
  const next = item.status === "new" ? "start" : item.status === "in_progress" ? "ready" : "start";
  const label = {
    start: item.status === "ready" ? gettext("Tap to cook again") : gettext("Tap to start"),
    ready: gettext("Tap when ready"),
  }[next];
  return soldOutOnHold(
    h(
      "li",
      props,
      h(
        "button",
        { type: "button", class: "kitem__body", title: label, onclick: (event) => act(event.currentTarget, kitchenPaths.item(item.id, next)) },
        content,
      ),
    ),
    item,
  );
}

// Hold a finger on an item to 86 it or set its countdown (a tap still starts it).
function soldOutOnHold(row, item) {
  if (item.menu_item) onLongPress(row, () => openSoldOutPanel({ stationId, itemId: item.menu_item }));
  return row;
}

// Cooking and ready read from across the kitchen as colour (the item's bar and its count);
// the words are there for the cooks who stand close, and for screen readers.
function itemState(status) {
  if (status === "in_progress") return h("span", { class: "kitem__state" }, gettext("Cooking"));
  if (status === "ready") return h("span", { class: "kitem__state kitem__state--ready" }, gettext("Ready"));
  return null;
}

function actions(ticket) {
  if (ticket.status === "held") {
    return h("footer", { class: "card__actions card__actions--held" }, h("span", null, gettext("Waiting for the waiter to fire this course")));
  }
  const start =
    ticket.kind === "order" && ticket.status === "new"
      ? h("button", { type: "button", class: "kbutton kbutton--start", "data-action": "start", onclick: (event) => act(event.currentTarget, kitchenPaths.ticket(ticket.id, "start")) }, gettext("Start"))
      : null;
  const bump = h(
    "button",
    {
      type: "button",
      class: ticket.status === "ready" || ticket.kind === "void" ? "kbutton kbutton--bump kbutton--bump-ready" : "kbutton kbutton--bump",
      "data-action": "bump",
      onclick: (event) => act(event.currentTarget, kitchenPaths.ticket(ticket.id, "bump")),
    },
    ticket.kind === "void" ? gettext("Seen · Bump") : gettext("Bump"),
  );
  return h("footer", { class: "card__actions" }, start, bump);
}

async function act(button, url, body = {}) {
  if (button.getAttribute("aria-busy") === "true") return;
  setBusy(button, true);
  const answer = await command(url, body, { feed });
  setBusy(button, false);
  if (answer && answer.id) {
    apply(answer);
    render();
  }
}

function renderAllDay() {
  const rows = allDay();
  allDayBox.replaceChildren(
    ...(rows.length
      ? rows.map(([name, qty]) => h("li", { class: "all-day__row", "data-name": name, "data-qty": qty }, h("span", { class: "all-day__qty" }, String(qty)), h("span", { class: "all-day__name" }, name)))
      : [h("li", { class: "all-day__empty" }, gettext("Nothing open"))]),
  );
}

function renderRecent() {
  recentBox.replaceChildren(
    ...(recent.length
      ? recent.map((entry) =>
          h(
            "li",
            null,
            h(
              "button",
              {
                type: "button",
                class: "recent__button",
                "data-ticket-id": entry.id,
                "data-action": "recall",
                title: gettext("Bring it back on the screen"),
                onclick: (event) => act(event.currentTarget, kitchenPaths.ticket(entry.id, "recall")),
              },
              h("span", { class: "recent__table" }, tableName(entry.table)),
              h("span", { class: "recent__time" }, clockTime(entry.bumped_at)),
              h("span", { class: "recent__action" }, gettext("Recall")),
            ),
          ),
        )
      : [h("li", { class: "all-day__empty" }, gettext("Nothing bumped yet"))]),
  );
}

function renderCounts() {
  const open = [...tickets.values()].filter((t) => t.status !== "held");
  const held = tickets.size - open.length;
  const lateCount = ticketsBox.querySelectorAll('.card[data-age="late"]:not([data-status="held"])').length;
  const parts = [h("span", { class: "count", "data-count": "open" }, interpolate(ngettext("%s ticket", "%s tickets", open.length), [open.length]))];
  if (lateCount) parts.push(h("span", { class: "count count--late" }, interpolate(gettext("%s late"), [lateCount])));
  if (held) parts.push(h("span", { class: "count count--held" }, interpolate(gettext("%s on hold"), [held])));
  countsBox.replaceChildren(...parts);
}

setInterval(() => loaded && renderCounts(), 5000);

document.getElementById("open-86").addEventListener("click", () => openSoldOutPanel({ stationId }));
document.getElementById("recall").addEventListener("click", (event) => act(event.currentTarget, kitchenPaths.recallLast(stationId)));
