// The pass (expo): every fired course of the outlet as one card with each station's
// progress. Complete ones turn green; Bump sends the order out (with an override when a
// station is still open), Recall brings the last one back. Print alarms show on top.
import { h, setBusy } from "/static/waiter/dom.js";
import { gettext, interpolate, ngettext } from "/static/waiter/i18n.js";
import {
  allergenLine,
  clockTime,
  command,
  confirmDialog,
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

const board = document.getElementById("board");
const firesBox = document.getElementById("fires");
const alarmsBox = document.getElementById("alarms");
const loadBox = document.getElementById("station-load");
const recentBox = document.getElementById("recent");
const countsBox = document.getElementById("counts");
const stationId = Number(board.dataset.stationId);
const warn = Number(board.dataset.warnAfter) || 5;
const late = Number(board.dataset.lateAfter) || 10;
const RECENT_MAX = 5;

const fires = new Map(); // id -> fire JSON (fired or ready: what is at the pass)
const cards = new Map(); // id -> {json, element}
let alarms = [];
let recent = [];
let loaded = false;

const sound = createSound(document.getElementById("sound"));
startClock(document.getElementById("clock"));
const refreshTimers = startTimers(firesBox, { warn, late });
const feed = createFeed({
  stationId,
  onBoard: (data) => {
    fires.clear();
    for (const fire of data.fires) fires.set(fire.id, fire);
    alarms = data.alarms || [];
    recent = data.recent || [];
    loaded = true;
    render();
  },
  onChanges: (message) => {
    for (const fire of message.fires || []) apply(fire, { live: true });
    if (message.alarms) alarms = message.alarms;
    render();
  },
  onFire: (fire, message) => {
    apply(fire, { live: true });
    // Each fire message carries the outlet's print alarms as they stand now.
    alarms = message.alarms || alarmsFromFires();
    render();
  },
  onStatus: (online) => showOnline(document.getElementById("online"), online),
});

// ---- state -----------------------------------------------------------------------------

function apply(fire, { live = false } = {}) {
  const before = fires.get(fire.id);
  if (fire.status === "bumped") {
    fires.delete(fire.id);
    recent = [{ id: fire.id, table: fire.table, bumped_at: fire.bumped_at }, ...recent.filter((r) => r.id !== fire.id)].slice(0, RECENT_MAX);
    return;
  }
  if (fire.status === "held") {
    fires.delete(fire.id); // not the pass's business until it is fired
    return;
  }
  recent = recent.filter((entry) => entry.id !== fire.id);
  fires.set(fire.id, fire);
  if (live && loaded) {
    if (fire.status === "ready" && before?.status !== "ready") sound.play("ready");
    else if (!before) sound.play("new");
  }
}

function alarmsFromFires() {
  const byStation = new Map();
  for (const fire of fires.values()) {
    for (const station of fire.stations) {
      if (!station.print_failed || station.status === "bumped") continue;
      if (!byStation.has(station.station)) byStation.set(station.station, { station: station.station, name: station.name, tables: [] });
      byStation.get(station.station).tables.push(fire.table);
    }
  }
  return [...byStation.values()];
}

function fireTime(fire) {
  return Date.parse(fire.fired_at || fire.created_at) || 0;
}

// As the server sorts: complete ones first (they go out now), rush first, then oldest.
function ordered() {
  return [...fires.values()].sort(
    (a, b) =>
      (a.status !== "ready") - (b.status !== "ready") || b.rush - a.rush || fireTime(a) - fireTime(b) || a.id - b.id,
  );
}

// ---- drawing ---------------------------------------------------------------------------

function render() {
  const elements = ordered().map(cardFor);
  for (const id of [...cards.keys()]) if (!fires.has(id)) cards.delete(id);
  if (!elements.length) {
    firesBox.replaceChildren(
      h("div", { class: "board-empty" }, h("p", { class: "board-empty__title" }, gettext("The pass is clear")), h("p", null, gettext("Fired orders appear here by themselves."))),
    );
  } else {
    placeInOrder(firesBox, elements);
  }
  firesBox.setAttribute("aria-busy", "false");
  refreshTimers();
  renderAlarms();
  renderLoad();
  renderRecent();
  renderCounts();
}

function cardFor(fire) {
  const json = JSON.stringify(fire);
  const cached = cards.get(fire.id);
  if (cached && cached.json === json) return cached.element;
  const element = fireCard(fire);
  cards.set(fire.id, { json, element });
  return element;
}

const STATION_STATUS = {
  held: gettext("On hold"),
  new: gettext("New"),
  in_progress: gettext("Cooking"),
  ready: gettext("Ready"),
  bumped: gettext("Done"),
};

function fireCard(fire) {
  const ready = fire.status === "ready";
  const meta = [
    interpolate(gettext("#%s"), [fire.order]),
    fire.course_name || interpolate(gettext("Course %s"), [fire.course]),
    fire.waiter,
    coversText(fire.covers),
  ].filter(Boolean);
  const timer = h("span", { class: "card__timer", "data-since": fire.fired_at || fire.created_at }, "");
  const badges = [
    fire.rush ? h("span", { class: "badge badge--rush" }, gettext("Rush")) : null,
    ready ? h("span", { class: "badge badge--complete" }, gettext("Complete")) : null,
  ];
  const done = fire.stations.filter((s) => s.status === "bumped").length;
  return h(
    "article",
    {
      class: "card card--fire",
      "data-fire-id": fire.id,
      "data-status": fire.status,
      "data-table": fire.table,
      "data-rush": fire.rush ? "true" : "false",
      "data-age": "ok",
      "aria-label": interpolate(gettext("%(table)s, %(done)s of %(total)s stations done"), { table: fire.table, done, total: fire.stations.length }, true),
    },
    h(
      "header",
      { class: "card__head" },
      h("div", { class: "card__head-row" }, tableHead(fire.table), timer),
      h("div", { class: "card__meta" }, meta.map((text) => h("span", null, text))),
      badges.some(Boolean) ? h("div", { class: "card__badges" }, badges) : null,
    ),
    // Each station's progress, with the items it cooks for this order under it.
    h(
      "div",
      { class: "progress" },
      fire.stations.map((station) =>
        h(
          "section",
          { class: "progress__station", "data-station-id": station.station, "data-status": station.status },
          h(
            "div",
            { class: "progress__row" },
            h("span", { class: "progress__name" }, station.name),
            station.print_failed ? h("span", { class: "badge badge--unprinted badge--small" }, gettext("Not printed")) : null,
            h("span", { class: "progress__count" }, `${station.ready_items}/${station.items}`),
            h("span", { class: `chip chip--${station.status}` }, STATION_STATUS[station.status] || station.status),
          ),
          h(
            "ol",
            { class: "card__items" },
            fire.items.filter((item) => item.station === station.name).map(itemRow),
          ),
        ),
      ),
    ),
    h(
      "footer",
      { class: "card__actions" },
      h(
        "button",
        {
          type: "button",
          class: ready ? "kbutton kbutton--bump kbutton--bump-ready" : "kbutton kbutton--bump",
          "data-action": "bump",
          onclick: (event) => bump(fire, event.currentTarget),
        },
        ready ? gettext("Bump · Send out") : gettext("Bump"),
      ),
    ),
  );
}

function itemRow(item) {
  return h(
    "li",
    { class: `kitem kitem--${item.status}`, "data-status": item.status },
    h(
      "div",
      { class: "kitem__body" },
      h(
        "span",
        { class: "kitem__line" },
        h("span", { class: "kitem__qty" }, String(item.qty)),
        h("span", { class: "kitem__name" }, item.name),
        seatTag(item.seat),
        item.status === "void" ? h("span", { class: "kitem__void" }, gettext("VOID")) : null,
      ),
      item.for_item ? h("span", { class: "kitem__for" }, interpolate(gettext("for %s"), [item.for_item])) : null,
      modifierList(item.modifiers),
      allergenLine(item.allergens),
      item.note ? h("span", { class: "kitem__note" }, item.note) : null,
    ),
  );
}

async function bump(fire, button, override = false) {
  if (button.getAttribute("aria-busy") === "true") return;
  setBusy(button, true);
  let refused = null;
  const answer = await command(
    kitchenPaths.fire(fire.id, "bump"),
    { override },
    {
      feed,
      // "Still open at: Warm": ask before sending out an order a station has not finished.
      refuse: (error) => {
        if (override || !error.body?.fire) return false;
        refused = error.message;
        return true;
      },
    },
  );
  setBusy(button, false);
  if (answer?.id) {
    apply(answer);
    render();
    return;
  }
  if (refused) {
    const sure = await confirmDialog({
      title: interpolate(gettext("Send out %s anyway?"), [tableName(fire.table)]),
      text: refused,
      confirmLabel: gettext("Bump anyway"),
      danger: true,
    });
    if (sure) bump(fire, button, true);
  }
}

function renderAlarms() {
  alarmsBox.hidden = !alarms.length;
  alarmsBox.replaceChildren(
    ...alarms.map((alarm) =>
      h(
        "div",
        { class: "alarm", "data-station-id": alarm.station },
        h("span", { class: "alarm__icon", "aria-hidden": "true" }, "!"),
        h("strong", { class: "alarm__title" }, interpolate(gettext("%s: tickets not printed"), [alarm.name])),
        h("span", { class: "alarm__tables" }, interpolate(ngettext("Unprinted for table %s", "Unprinted for tables %s", alarm.tables.length), [alarm.tables.join(", ")])),
        h("span", { class: "alarm__hint" }, gettext("Check the printer. The tickets are on the station's screen.")),
      ),
    ),
  );
}

// Per station: how many of the pass's courses it still has open.
function renderLoad() {
  const counts = new Map();
  for (const fire of fires.values()) {
    for (const station of fire.stations) {
      if (!counts.has(station.name)) counts.set(station.name, 0);
      if (station.status !== "bumped") counts.set(station.name, counts.get(station.name) + 1);
    }
  }
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  loadBox.replaceChildren(
    ...(rows.length
      ? rows.map(([name, open]) => h("li", { class: open ? "all-day__row" : "all-day__row all-day__row--done", "data-name": name }, h("span", { class: "all-day__qty" }, String(open)), h("span", { class: "all-day__name" }, name)))
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
                "data-fire-id": entry.id,
                "data-action": "recall",
                title: gettext("Bring it back to the pass"),
                onclick: (event) => recall(kitchenPaths.fire(entry.id, "recall"), event.currentTarget),
              },
              h("span", { class: "recent__table" }, tableName(entry.table)),
              h("span", { class: "recent__time" }, clockTime(entry.bumped_at)),
              h("span", { class: "recent__action" }, gettext("Recall")),
            ),
          ),
        )
      : [h("li", { class: "all-day__empty" }, gettext("Nothing sent out yet"))]),
  );
}

function renderCounts() {
  const all = [...fires.values()];
  const complete = all.filter((fire) => fire.status === "ready").length;
  const parts = [h("span", { class: "count", "data-count": "open" }, interpolate(ngettext("%s order", "%s orders", all.length), [all.length]))];
  if (complete) parts.push(h("span", { class: "count count--ready" }, interpolate(gettext("%s complete"), [complete])));
  countsBox.replaceChildren(...parts);
}

async function recall(url, button) {
  if (button.getAttribute("aria-busy") === "true") return;
  setBusy(button, true);
  const answer = await command(url, {}, { feed });
  setBusy(button, false);
  if (answer?.id) {
    apply(answer);
    alarms = alarmsFromFires();
    render();
  }
}

document.getElementById("recall").addEventListener("click", (event) => recall(kitchenPaths.recallLast(stationId), event.currentTarget));
