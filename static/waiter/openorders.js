// Orders without a table (bar tabs, takeaway, room service) on the floor page: the
// list of open ones, and the dialog that opens a new one.
import { api, newUuid, paths } from "./api.js";
import { h, showDialog, toast } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { personIcon } from "./icons.js";
import { ORDER_KINDS, kindName, orderTitle } from "./orderlabel.js";

const REFRESH_AFTER_MS = 250; // a burst of order messages costs one request
const DEFAULT_KIND = { bar: "bar_tab", room_service: "room_service", restaurant: "takeaway" };

/** openOrdersList({outletId, box}) -> {load(), onOrderMessage(order)} */
export function openOrdersList({ outletId, box }) {
  let known = new Map(); // order id -> its entry (every open order of the outlet, tables too)
  let loading = false;
  let loadAgain = false;
  let timer = null;

  async function load() {
    if (loading) {
      loadAgain = true;
      return;
    }
    loading = true;
    try {
      const orders = await api("GET", paths.openOrders(outletId));
      known = new Map(orders.map((order) => [order.id, order]));
      render(orders.filter((order) => order.table === null));
    } catch (error) {
      if (!known.size) box.replaceChildren(h("p", { class: "empty" }, error.message));
    } finally {
      loading = false;
      box.setAttribute("aria-busy", "false");
    }
    if (loadAgain) {
      loadAgain = false;
      load();
    }
  }

  function render(orders) {
    if (!orders.length) {
      box.replaceChildren(h("p", { class: "open-orders__empty" }, gettext("No open tabs or takeaway orders.")));
      return;
    }
    box.replaceChildren(...orders.map(tile));
  }

  function tile(order) {
    return h(
      "a",
      {
        class: "order-tile",
        href: paths.orderPage(order.id),
        "data-order-id": order.id,
        "data-kind": order.kind,
      },
      h("span", { class: "order-tile__kind" }, kindName(order.kind)),
      h("span", { class: "order-tile__title" }, orderTitle(order)),
      h(
        "span",
        { class: "order-tile__meta" },
        h("span", { class: "order-tile__covers", title: interpolate(ngettext("%s cover", "%s covers", order.covers), [order.covers]) }, personIcon(), String(order.covers)),
        h("span", { class: "order-tile__waiter" }, order.waiter),
      ),
    );
  }

  // {"type": "order"} messages come for every change of every order of the outlet. A
  // table's order still open changes nothing here; anything else may (new, closed, tab).
  function onOrderMessage(order) {
    const entry = known.get(order.id);
    if (entry && entry.table !== null && order.status === "open") return;
    clearTimeout(timer);
    timer = setTimeout(load, REFRESH_AFTER_MS);
  }

  return { load, onOrderMessage };
}

/** openNewOrderDialog({outletId, outletKind}): bar tab, takeaway or room service. */
export function openNewOrderDialog({ outletId, outletKind }) {
  let kind = DEFAULT_KIND[outletKind] || "takeaway";
  let covers = 1;
  const clientUuid = newUuid(); // one order per dialog, however often "Open" is retried

  const tabName = h("input", { type: "text", class: "input", name: "tab_name", maxlength: 60, autocomplete: "off", enterkeyhint: "go" });
  const roomNumber = h("input", { type: "text", class: "input", name: "room_number", maxlength: 10, autocomplete: "off", inputmode: "numeric", enterkeyhint: "go" });
  const tabLabel = h("span", { class: "field__label" });
  const tabField = h("label", { class: "field", "data-field": "tab_name" }, tabLabel, tabName);
  const roomField = h("label", { class: "field", "data-field": "room_number" }, h("span", { class: "field__label" }, gettext("Room number")), roomNumber);
  const problem = h("p", { class: "field__error", role: "alert" });
  const coversValue = h("output", { class: "stepper__value", name: "covers" }, "1");
  const step = (by) => {
    covers = Math.max(1, Math.min(99, covers + by));
    coversValue.textContent = String(covers);
  };
  const kinds = h("div", { class: "choice-row", role: "radiogroup", "aria-label": gettext("Kind") });
  const openButton = h("button", { type: "button", class: "button button--primary", "data-action": "open" }, gettext("Open"));

  function draw() {
    kinds.replaceChildren(
      ...ORDER_KINDS.map((value) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": value === kind ? "true" : "false",
            "data-kind": value,
            onclick: () => {
              kind = value;
              problem.textContent = "";
              draw();
              (kind === "room_service" ? roomNumber : tabName).focus();
            },
          },
          kindName(value),
        ),
      ),
    );
    tabLabel.textContent = kind === "bar_tab" ? gettext("Name on the tab") : gettext("Name (optional)");
    tabField.hidden = kind === "room_service";
    roomField.hidden = kind !== "room_service";
  }

  function missing() {
    if (kind === "bar_tab" && !tabName.value.trim()) return [tabName, gettext("Give the tab a name.")];
    if (kind === "room_service" && !roomNumber.value.trim()) return [roomNumber, gettext("Which room?")];
    return null;
  }

  async function open() {
    const gap = missing();
    if (gap) {
      problem.textContent = gap[1];
      gap[0].focus();
      return;
    }
    problem.textContent = "";
    const body = { client_uuid: clientUuid, outlet: outletId, kind, covers };
    if (kind === "room_service") body.room_number = roomNumber.value.trim();
    else body.tab_name = tabName.value.trim();
    for (const button of dialog.querySelectorAll("button")) button.disabled = true;
    openButton.setAttribute("aria-busy", "true");
    try {
      // Same client UUID and key on every retry: the order is opened once.
      const order = await api("POST", paths.orders, { key: clientUuid, body });
      location.assign(paths.orderPage(order.id));
    } catch (error) {
      for (const button of dialog.querySelectorAll("button")) button.disabled = false;
      openButton.setAttribute("aria-busy", "false");
      toast(error.message);
    }
  }

  openButton.addEventListener("click", open);
  for (const input of [tabName, roomNumber]) {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        open();
      }
    });
  }

  const dialog = h(
    "dialog",
    { class: "sheet new-order-dialog", "aria-labelledby": "new-order-title" },
    h("h2", { id: "new-order-title", class: "sheet__title" }, gettext("New order without a table")),
    h("div", { class: "field" }, h("span", { class: "field__label" }, gettext("Kind")), kinds),
    tabField,
    roomField,
    h(
      "div",
      { class: "field" },
      h("span", { class: "field__label" }, gettext("Guests")),
      h(
        "div",
        { class: "stepper" },
        h("button", { type: "button", class: "stepper__button", "data-action": "less", "aria-label": gettext("One less"), onclick: () => step(-1) }, "−"),
        coversValue,
        h("button", { type: "button", class: "stepper__button", "data-action": "more", "aria-label": gettext("One more"), onclick: () => step(1) }, "+"),
      ),
    ),
    problem,
    h(
      "footer",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      openButton,
    ),
  );
  draw();
  showDialog(dialog);
  return dialog;
}
