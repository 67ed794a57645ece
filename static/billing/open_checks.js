// The cashier's open checks: every open check of the outlet, oldest first, live over the
// outlet's floor socket (any order, check or payment change fetches the list again).
import { api, paths } from "../waiter/api.js";
import { h } from "../waiter/dom.js";
import { gettext, interpolate, ngettext } from "../waiter/i18n.js";
import { money } from "../waiter/money.js";
import { liveSocket, versionWatch } from "../waiter/socket.js";
import { age, outletId } from "./cashier.js";

const list = document.getElementById("open-checks");
const summary = document.getElementById("open-summary");
const search = document.getElementById("search");
const kindFilter = document.getElementById("filter-kind");
const stateFilter = document.getElementById("filter-state");
const waiterFilter = document.getElementById("filter-waiter");
const offlineBadge = document.getElementById("offline");

const BADGES = {
  bill_printed: () => gettext("Bill printed"),
  part_paid: () => gettext("Part paid"),
  waiting_for_hotel: () => gettext("Waiting for the hotel"),
  card_under_way: () => gettext("Card under way"),
};
const KINDS = {
  dine_in: () => gettext("Table"),
  bar_tab: () => gettext("Tab"),
  takeaway: () => gettext("Takeaway"),
  room_service: () => gettext("Room service"),
};
const REFRESH_AGES_MS = 30000;

let rows = [];
let asked = 0;
let reloadTimer = null;

async function load() {
  const mine = ++asked;
  try {
    const answer = await api("GET", `/api/billing/outlets/${outletId}/open-checks/`);
    if (mine !== asked) return;
    rows = answer;
    drawWaiters();
    draw();
  } catch (problem) {
    if (mine === asked) summary.textContent = problem.message;
  }
  list.setAttribute("aria-busy", "false");
}

// Several messages at once (a payment, its bill, the table): one fetch.
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(load, 150);
}

function drawWaiters() {
  const chosen = waiterFilter.value;
  const names = new Map(rows.map((row) => [String(row.waiter_id), row.waiter]));
  waiterFilter.replaceChildren(
    h("option", { value: "" }, gettext("All")),
    ...[...names].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h("option", { value: id }, name)),
  );
  waiterFilter.value = names.has(chosen) ? chosen : "";
}

function shown() {
  const words = search.value.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (!kindFilter.value || row.kind === kindFilter.value) &&
      (!stateFilter.value || row[stateFilter.value]) &&
      (!waiterFilter.value || String(row.waiter_id) === waiterFilter.value) &&
      (!words ||
        row.label.toLowerCase().includes(words) ||
        String(row.order) === words ||
        `${row.order}-${row.number}` === words ||
        row.waiter.toLowerCase().includes(words)),
  );
}

function draw() {
  const now = Date.now();
  const visible = shown();
  const due = visible.reduce((sum, row) => sum + row.due, 0);
  summary.textContent = interpolate(ngettext("%s open check, %s to collect", "%s open checks, %s to collect", visible.length), [visible.length, money(due)]);
  if (!visible.length) {
    list.replaceChildren(h("li", { class: "empty" }, rows.length ? gettext("No open check matches.") : gettext("No open checks.")));
    return;
  }
  list.replaceChildren(
    ...visible.map((row) =>
      h(
        "li",
        { class: "cashier-row", "data-order-id": row.order, "data-check-id": row.id ?? "" },
        h(
          "a",
          { class: "cashier-row__open", href: paths.billPage(row.order) },
          h("span", { class: "cashier-row__label" }, row.label, row.number > 1 ? h("span", { class: "muted" }, ` · ${interpolate(gettext("Check %s"), [row.number])}`) : null),
          h("span", { class: "cashier-row__kind muted" }, (KINDS[row.kind] || (() => row.kind))()),
          h("span", { class: "cashier-row__age", title: gettext("Open for") }, age(row.opened_at, now)),
          h("span", { class: "cashier-row__waiter" }, row.waiter),
          h("span", { class: "cashier-row__badges" }, Object.keys(BADGES).filter((key) => row[key]).map((key) => h("span", { class: `badge badge--${key}`, "data-badge": key }, BADGES[key]()))),
          h("span", { class: "cashier-row__amount" }, money(row.due), row.paid ? h("small", { class: "muted" }, interpolate(gettext("of %s"), [money(row.total)])) : null),
        ),
      ),
    ),
  );
}

for (const control of [kindFilter, stateFilter, waiterFilter]) control.addEventListener("change", draw);
search.addEventListener("input", draw);
document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());

if (outletId) {
  const floorWatch = versionWatch(reloadSoon);
  liveSocket(paths.floorSocket(outletId), {
    onMessage: (message) => {
      if (message.type === "keepalive") floorWatch.check(message.floor);
      else if (["order", "payment", "bill", "table"].includes(message.type)) reloadSoon();
    },
    onResync: () => {
      floorWatch.reset();
      load();
    },
    onStatus: (online) => (offlineBadge.hidden = online),
    onRefused: () => api("GET", paths.me).catch(() => {}),
  });
  setInterval(draw, REFRESH_AGES_MS);
}
