// The floor: areas drawn to scale, tables coloured by state, live over the floor socket.
import { api, newUuid, paths, whenSignedOut } from "./api.js";
import { createClock } from "./clock.js";
import { h, showDialog, toast } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { bellIcon, personIcon } from "./icons.js";
import { openNewOrderDialog, openOrdersList } from "./openorders.js";
import { createReadyCalls } from "./readycalls.js";
import { initials } from "./roles.js";
import { liveSocket, versionWatch } from "./socket.js";

const root = document.getElementById("floor");
const planBox = document.getElementById("plan");
const areaTabs = document.getElementById("area-tabs");
const offlineBadge = document.getElementById("offline");
const openOrdersTitle = document.getElementById("open-orders-title");
const outletId = root ? Number(root.dataset.outletId) : null;
const clock = createClock(document.getElementById("clock"));
const openOrders = root ? openOrdersList({ outletId, box: document.getElementById("open-orders") }) : null;
// "Table 4: Mains ready" from the kitchen: a toast and a bell on the table until tapped.
const readyCalls = createReadyCalls({ onChange: () => markReadyTables() });

const EXTRA_COVERS = 4; // a table for 4 can take a few more guests on extra chairs
const MIN_TABLE_PX = 56; // however big the room, a table stays a good touch target
const POLL_WHILE_OFFLINE_MS = 20000;

const STATE_LABELS = {
  free: gettext("Free"),
  seated: gettext("Seated"),
  ordered: gettext("Ordered"),
  food_sent: gettext("Food sent"),
  served: gettext("Served"),
  bill_printed: gettext("Bill printed"),
  part_paid: gettext("Part paid"),
};

let plan = null; // the API's floor_plan
let areaId = Number(sessionStorage.getItem(`floor-area-${outletId}`)) || null;
let pollTimer = null;
let loading = false;
let loadAgain = false; // a change arrived while loading: the answer may be older than it

whenSignedOut(() => location.assign(paths.signInPage));

async function loadFloor() {
  if (loading) {
    loadAgain = true;
    return;
  }
  loading = true;
  try {
    plan = await api("GET", paths.floor(outletId));
    render();
  } catch (error) {
    toast(error.message);
  } finally {
    loading = false;
    planBox.setAttribute("aria-busy", "false");
  }
  if (loadAgain) {
    loadAgain = false;
    loadFloor();
  }
}

function currentArea() {
  return plan.areas.find((area) => area.id === areaId) || plan.areas[0];
}

function render() {
  // An outlet without a floor plan (room service) is all tabs and takeaway.
  root.classList.toggle("floor--no-plan", !plan.areas.length);
  openOrdersTitle.textContent = plan.areas.length ? gettext("Tabs & takeaway") : gettext("Open orders");
  renderAreaTabs();
  renderPlan();
}

function renderAreaTabs() {
  const current = currentArea();
  areaTabs.hidden = plan.areas.length < 2;
  areaTabs.replaceChildren(
    ...plan.areas.map((area) =>
      h(
        "button",
        {
          type: "button",
          class: "tab",
          role: "tab",
          "aria-selected": area === current ? "true" : "false",
          "data-area-id": area.id,
          onclick: () => {
            areaId = area.id;
            sessionStorage.setItem(`floor-area-${outletId}`, String(area.id));
            render();
          },
        },
        area.name,
      ),
    ),
  );
}

// Fit the whole area on screen, but never shrink tables below a touchable size.
function scaleFor(area) {
  const fit = Math.min(planBox.clientWidth / area.plan_width, planBox.clientHeight / area.plan_height);
  const smallest = Math.min(...area.tables.map((t) => Math.min(t.width, t.height)));
  return Math.max(fit, Number.isFinite(smallest) ? MIN_TABLE_PX / smallest : 0);
}

function renderPlan() {
  const area = currentArea();
  if (!area) {
    planBox.replaceChildren(h("p", { class: "empty" }, gettext("This outlet has no floor plan yet.")));
    return;
  }
  const scale = scaleFor(area);
  const canvas = h("div", {
    class: "plan",
    "data-area-id": area.id,
    style: `width:${Math.round(area.plan_width * scale)}px;height:${Math.round(area.plan_height * scale)}px`,
  });
  for (const entry of area.tables) canvas.append(tableElement(entry, scale));
  planBox.replaceChildren(canvas);
}

function tableElement(entry, scale) {
  const element = h("button", { type: "button", class: "table", onclick: () => tapTable(entry.id) });
  element.dataset.scale = scale;
  fillTable(element, entry);
  return element;
}

function fillTable(element, entry) {
  const scale = Number(element.dataset.scale);
  const width = entry.width * scale;
  const height = entry.height * scale;
  const size = Math.min(width, height);
  const order = entry.order;
  element.className = `table table--${entry.shape}`;
  element.dataset.tableId = entry.id;
  element.dataset.tableNumber = entry.number;
  element.dataset.state = entry.state;
  element.setAttribute(
    "style",
    `left:${entry.x * scale}px;top:${entry.y * scale}px;width:${width}px;height:${height}px;` +
      `transform:rotate(${entry.rotation}deg);font-size:${Math.max(12, Math.min(18, size * 0.2))}px`,
  );
  const label = [interpolate(gettext("Table %s"), [entry.number]), STATE_LABELS[entry.state] || entry.state];
  if (order?.pending_count) label.push(interpolate(ngettext("%s line not sent", "%s lines not sent", order.pending_count), [order.pending_count]));
  if (order) label.push(interpolate(gettext("%(covers)s of %(seats)s seats, %(waiter)s"), { covers: order.covers, seats: entry.seats, waiter: order.waiter.name }, true));
  element.setAttribute("aria-label", label.join(", "));
  const pending = order?.pending_count
    ? h("span", { class: "table__pending", title: gettext("Not sent yet") }, String(order.pending_count))
    : "";
  element.replaceChildren(
    h(
      "span",
      { class: "table__label", style: `transform:rotate(${-entry.rotation}deg)` },
      h("span", { class: "table__number" }, entry.number),
      h("span", { class: "table__covers" }, personIcon(), order ? `${order.covers}/${entry.seats}` : String(entry.seats)),
      order ? h("span", { class: "table__waiter", title: order.waiter.name }, initials(order.waiter.name)) : null,
    ),
    pending,
  );
  markReady(element, entry);
}

function markReady(element, entry) {
  const ready = Boolean(entry.order && readyCalls.orders().has(entry.order.id));
  element.querySelector(".table__ready")?.remove();
  if (!ready) {
    delete element.dataset.ready;
    return;
  }
  element.dataset.ready = "1";
  element.append(h("span", { class: "table__ready", title: gettext("Ready at the pass") }, bellIcon()));
}

function markReadyTables() {
  for (const element of planBox.querySelectorAll(".table[data-table-id]")) {
    const found = findTable(Number(element.dataset.tableId));
    if (found) markReady(element, found.area.tables[found.index]);
  }
}

function findTable(tableId) {
  for (const area of plan?.areas || []) {
    const index = area.tables.findIndex((t) => t.id === tableId);
    if (index >= 0) return { area, index };
  }
  return null;
}

// A {"type": "table"} message: swap that table's entry and redraw just that table.
function updateTable(entry) {
  if (loading) loadAgain = true;
  const found = findTable(entry.id);
  if (!found) {
    loadFloor(); // a table we do not know (or no floor yet): take the whole floor again
    return;
  }
  if (entry.area !== found.area.id) {
    // The manager moved it to another room or the terrace: take it there and redraw the plan.
    const target = plan.areas.find((area) => area.id === entry.area);
    if (!target) {
      loadFloor();
      return;
    }
    found.area.tables.splice(found.index, 1);
    target.tables.push(entry);
    renderPlan();
    return;
  }
  found.area.tables[found.index] = entry;
  const element = planBox.querySelector(`.table[data-table-id="${entry.id}"]`);
  if (element) fillTable(element, entry);
}

function tapTable(tableId) {
  const found = findTable(tableId);
  if (!found) return;
  const entry = found.area.tables[found.index];
  if (entry.order) readyCalls.dismissOrder(entry.order.id); // the waiter is on it
  if (entry.order) location.assign(paths.orderPage(entry.order.id));
  else askCovers(entry);
}

function askCovers(entry) {
  const most = Math.min(99, entry.seats + EXTRA_COVERS);
  const buttons = Array.from({ length: most }, (_, i) => i + 1).map((n) =>
    h(
      "button",
      {
        type: "button",
        class: n <= entry.seats ? "cover-button" : "cover-button cover-button--extra",
        "data-covers": n,
        onclick: () => openTable(entry, n, dialog),
      },
      String(n),
    ),
  );
  const dialog = h(
    "dialog",
    { class: "sheet covers-dialog", "aria-labelledby": "covers-title" },
    h("h2", { id: "covers-title", class: "sheet__title" }, interpolate(gettext("Table %s: how many guests?"), [entry.number])),
    h("div", { class: "covers-grid" }, buttons),
    h(
      "div",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
    ),
  );
  showDialog(dialog);
}

async function openTable(entry, covers, dialog) {
  for (const button of dialog.querySelectorAll("button")) button.disabled = true;
  const clientUuid = newUuid();
  try {
    const order = await api("POST", paths.orders, {
      key: clientUuid,
      body: { client_uuid: clientUuid, outlet: outletId, kind: "dine_in", table: entry.id, covers },
    });
    location.assign(paths.orderPage(order.id));
  } catch (error) {
    dialog.close();
    toast(error.message);
    loadFloor();
  }
}

function setOnline(online) {
  offlineBadge.hidden = online;
  clearInterval(pollTimer);
  pollTimer = online
    ? null
    : setInterval(() => {
        loadFloor();
        openOrders.load();
      }, POLL_WHILE_OFFLINE_MS);
}

async function showMe() {
  try {
    const me = await api("GET", paths.me);
    document.getElementById("me").textContent = me.name;
    clock.fromMe(me);
  } catch {
    // The name from the page stays.
  }
}

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await api("POST", paths.signOut);
  } catch {
    // Signed out already, or offline: the sign-in page sorts it out.
  }
  location.assign(paths.signInPage);
});

if (root) {
  let resizeFrame = 0;
  window.addEventListener("resize", () => {
    cancelAnimationFrame(resizeFrame);
    resizeFrame = requestAnimationFrame(() => plan && renderPlan());
  });
  showMe();
  loadFloor();
  openOrders.load();
  document.getElementById("new-order").addEventListener("click", () =>
    openNewOrderDialog({ outletId, outletKind: root.dataset.outletKind }),
  );
  // A table or order message lost on the way (Redis down): the keep-alive's floor version moves.
  const floorWatch = versionWatch(() => {
    loadFloor();
    openOrders.load();
  });
  liveSocket(paths.floorSocket(outletId), {
    onMessage: (message) => {
      if (message.type === "keepalive") floorWatch.check(message.floor);
      else if (message.type === "table") updateTable(message.table);
      else if (message.type === "layout" && message.layout.reload) loadFloor(); // areas or tables came or went
      else if (message.type === "order") openOrders.onOrderMessage(message.order);
      else if (message.type === "ready") readyCalls.add(message.fire);
    },
    onResync: () => {
      floorWatch.reset();
      loadFloor();
      openOrders.load();
      readyCalls.load();
    },
    onStatus: setOnline,
    onRefused: () => api("GET", paths.me).catch(() => {}),
  });
}
