// The bill: the order's checks side by side (scrolling sideways on a phone), split tools,
// discounts, printing, and the tender pad. Every change is a POST that answers with the
// whole bill, which is drawn again as it is. A change made on another tablet arrives as
// {"type": "bill", "order": id} on the floor socket, and the bill is fetched again.
import { api, newUuid, paths, whenSignedOut } from "./api.js";
import { enableItemDrag } from "./billdrag.js";
import { openDiscountDialog } from "./discount.js";
import { h, setBusy, showDialog, toast } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { money } from "./money.js";
import { liveSocket, versionWatch } from "./socket.js";
import { openInvoiceDialog, openReceiptDialog } from "./receipt.js";
import { openTenderPad } from "./tenderpad.js";
import { seatName } from "./ticket.js";

const $ = (id) => document.getElementById(id);
const root = $("bill");
const checksBox = $("checks");
const orderId = Number(root.dataset.orderId);
const outletId = Number(root.dataset.outletId);
const tableTitle = root.dataset.title;
const cashRounding = Number(root.dataset.cashRounding || 1);
const receiptDefault = root.dataset.receiptDefault || "print";
const WAYS = [2, 3, 4, 5, 6, 7, 8];
const AUTO_RETURN_MS = 3000;
const REFRESH_AFTER_MS = 250; // a burst of changes elsewhere is one fetch

const state = {
  bill: null,
  tenders: [],
  readers: [],
  selection: null, // {checkId, items: Set of check item ids}
  asked: 0, // answers to older requests than the last drawn one are dropped
  drawn: 0,
  redraw: false, // a bill arrived during a drag: draw it when the finger lifts
  stale: false, // changed elsewhere while a drag or a sheet was open: fetch when it ends
  refreshTimer: null,
  finished: false,
};

whenSignedOut(() => location.assign(paths.signInPage));

// A cashier goes back to the open checks, a waiter to the floor.
const floorUrl = () => document.getElementById("bill").dataset.returnUrl || paths.floorPage(outletId);
const orderOpen = () => state.bill?.order.status === "open";
const checkName = (check) => interpolate(gettext("Check %s"), [check.number]);
const openChecks = () => (state.bill?.checks || []).filter((c) => c.status === "open");
const editable = (check) => orderOpen() && check.status === "open" && !check.frozen;

// ---- loading and changing --------------------------------------------------------------

async function load() {
  let asked = ++state.asked;
  try {
    let answer = await api("GET", paths.bill(orderId));
    // Lines on no check yet are shown but cannot be split or paid until a POST places them;
    // its answer is newer than any read that went out meanwhile.
    if (answer.unplaced_lines) {
      answer = await api("POST", paths.bill(orderId), { key: newUuid() });
      asked = ++state.asked;
    }
    state.tenders = answer.tenders || state.tenders;
    state.readers = answer.readers || state.readers;
    apply(answer, asked);
    return state.bill;
  } catch (error) {
    toast(error.message);
    return null;
  }
}

function apply(answer, asked = ++state.asked) {
  if (asked < state.drawn || !answer?.checks) return answer;
  const wasOpen = state.bill ? orderOpen() : null;
  state.drawn = asked;
  // The same bill again (a resync, our own change heard back): leave the screen alone,
  // so a finger on an item is not lost to a redraw.
  const same = state.bill && JSON.stringify(state.bill.checks) === JSON.stringify(answer.checks) && state.bill.order.status === answer.order.status;
  state.bill = answer;
  if (same) return answer;
  keepSelection();
  render();
  if (wasOpen && !orderOpen() && !document.querySelector(".tender-pad[open]")) finish({ auto: true });
  return answer;
}

// A POST to the billing API with a fresh Idempotency-Key; the answer is the whole bill.
async function change(url, body = {}, done = null) {
  const asked = ++state.asked;
  const answer = await api("POST", url, { key: newUuid(), body });
  apply(answer, asked);
  if (done) toast(done, "ok");
  return answer;
}

const tell = (promise) => promise.catch((error) => toast(error.message));

// A finger dragging an item or an open sheet (split, discount, tender pad) works on the bill
// as it was drawn: a changed bill waits until they are done.
const busyHere = () => document.body.classList.contains("bill-dragging") || Boolean(document.querySelector("dialog[open]"));

function refreshSoon() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    state.stale = busyHere();
    if (!state.stale) load();
  }, REFRESH_AFTER_MS);
}

function refreshIfStale() {
  if (state.stale && !busyHere()) refreshSoon();
}

async function loadManagers() {
  const people = await api("GET", paths.signInTiles);
  return people.filter((person) => person.roles.includes("manager"));
}

// ---- selection -------------------------------------------------------------------------

function keepSelection() {
  const selection = state.selection;
  if (!selection) return;
  const check = state.bill.checks.find((c) => c.id === selection.checkId);
  if (!check || !editable(check)) {
    state.selection = null;
    return;
  }
  const present = new Set(check.items.map((item) => item.id));
  for (const id of [...selection.items]) if (!present.has(id)) selection.items.delete(id);
  if (!selection.items.size) state.selection = null;
}

function toggleItem(check, item) {
  if (!editable(check)) return;
  if (state.selection?.checkId !== check.id) state.selection = { checkId: check.id, items: new Set() };
  const items = state.selection.items;
  if (items.has(item.id)) items.delete(item.id);
  else items.add(item.id);
  if (!items.size) state.selection = null;
  render();
}

function clearSelection() {
  state.selection = null;
  render();
}

// ---- drawing ---------------------------------------------------------------------------

function qtyLabel(label) {
  return /^\d+$/.test(label) ? `${label}\u00d7` : label;
}

function percentText(percent) {
  return `${String(percent).replace(/\.0+$|(\.\d*?)0+$/, "$1")}%`;
}

function discountText(discount) {
  if (discount.kind === "comp") return gettext("Comp");
  if (discount.percent !== null && discount.percent !== undefined) return `\u2212${percentText(discount.percent)}`;
  return `\u2212${money(discount.amount)}`;
}

function removeDiscountButton(discount, check) {
  if (!editable(check)) return null;
  const button = h(
    "button",
    {
      type: "button",
      class: "bill-remove",
      "data-action": "remove-discount",
      "data-discount-id": discount.id,
      "aria-label": interpolate(gettext("Remove the discount (%s)"), [discount.reason]),
    },
    "\u00d7",
  );
  button.addEventListener("click", () => {
    setBusy(button, true);
    change(paths.removeDiscount(discount.id), {}, gettext("Discount removed.")).catch((error) => {
      setBusy(button, false);
      toast(error.message);
    });
  });
  return button;
}

// A set menu's dishes carry its price (each at its own tax rate): the guest sees it on the set's line.
function setPrices(items) {
  const sums = new Map();
  for (const item of items) if (item.set_line) sums.set(item.set_line, (sums.get(item.set_line) ?? 0) + item.amount);
  return sums;
}

function itemRow(check, item, mixedSeats, setSums = new Map()) {
  const canEdit = editable(check);
  const selected = state.selection?.checkId === check.id && state.selection.items.has(item.id);
  const tags = [];
  // Whose it is matters while a check holds several seats (not after a split by seat).
  if (mixedSeats) tags.push(h("span", { class: "bill-tag" }, seatName(item.seat)));
  if (item.status === "pending") tags.push(h("span", { class: "bill-tag bill-tag--warn" }, gettext("not sent")));
  if (item.status === "void") tags.push(h("span", { class: "bill-tag" }, gettext("void")));
  return h(
    "li",
    {
      class: `bill-item${selected ? " bill-item--selected" : ""}${item.status === "void" ? " bill-item--void" : ""}`,
      "data-item-id": item.id,
      "data-line-id": item.line,
      "data-seat": item.seat,
    },
    h(
      "div",
      { class: "bill-item__row" },
      canEdit ? h("span", { class: "bill-item__grip", title: gettext("Drag onto another check"), "aria-hidden": "true" }, "\u2807\u2807") : null,
      h(
        "button",
        {
          type: "button",
          class: "bill-item__main",
          "aria-pressed": canEdit ? (selected ? "true" : "false") : null,
          disabled: !canEdit,
          onclick: () => toggleItem(check, item),
        },
        h("span", { class: "bill-item__qty" }, qtyLabel(item.qty_label)),
        h(
          "span",
          { class: "bill-item__text" },
          h("span", { class: "bill-item__name" }, item.name),
          item.modifiers.length ? h("span", { class: "bill-item__mods" }, item.modifiers.join(", ")) : null,
          h("span", { class: "bill-item__tags" }, tags),
        ),
        h(
          "span",
          { class: "bill-item__amount", "data-amount": item.amount },
          item.set_line ? gettext("in set") : money(item.amount + (setSums.get(item.line) ?? 0)),
          item.discount ? h("span", { class: "bill-item__discount" }, `\u2212${money(item.discount)}`) : null,
        ),
      ),
    ),
    item.discounts.length
      ? h(
          "ul",
          { class: "bill-discounts bill-discounts--item" },
          item.discounts.map((discount) =>
            h(
              "li",
              { class: "bill-discount", "data-discount-id": discount.id, "data-kind": discount.kind },
              h("span", { class: "bill-discount__what" }, discountText(discount)),
              h("span", { class: "bill-discount__reason" }, discount.reason),
              removeDiscountButton(discount, check),
            ),
          ),
        )
      : null,
  );
}

function totalsRows(check) {
  const t = check.totals;
  const rows = [];
  const row = (label, amount, cls = "", attrs = {}) =>
    rows.push(h("div", { class: `bill-totals__row ${cls}`, ...attrs }, h("dt", {}, label), h("dd", {}, amount)));
  if (t.line_discounts || t.check_discounts || t.service_charge) row(gettext("Items"), money(t.items_amount));
  if (t.line_discounts) row(gettext("Item discounts"), `\u2212${money(t.line_discounts)}`);
  if (t.check_discounts) row(gettext("Check discounts"), `\u2212${money(t.check_discounts)}`);
  if (t.service_charge) {
    row(interpolate(gettext("Service charge %s"), [percentText(t.service_percent)]), money(t.service_charge), "", { "data-row": "service" });
  }
  for (const rate of t.rates) {
    row(
      interpolate(gettext("VAT %(rate)s on %(net)s"), { rate: percentText(rate.tax_percent), net: money(rate.net) }, true),
      money(rate.tax),
      "bill-totals__row--tax",
      { "data-rate": rate.tax_percent },
    );
  }
  row(gettext("Total"), money(t.total), "bill-totals__row--total", { "data-total": t.total });
  if (check.paid) row(gettext("Paid"), `\u2212${money(check.paid)}`, "bill-totals__row--paid", { "data-paid": check.paid });
  return h("dl", { class: "bill-totals" }, rows);
}

const PAYMENT_STATES = {
  captured: gettext("paid"),
  pending: gettext("waiting"),
  failed: gettext("failed"),
  cancelled: gettext("cancelled"),
};

function paymentsList(check) {
  if (!check.payments.length) return null;
  return h(
    "ul",
    { class: "bill-payments", "aria-label": gettext("Payments") },
    check.payments.map((payment) =>
      h(
        "li",
        { class: "bill-payment", "data-state": payment.state, "data-payment-id": payment.id },
        h("span", { class: "bill-payment__tender" }, payment.tender),
        h("span", { class: `bill-payment__state bill-payment__state--${payment.state}` }, PAYMENT_STATES[payment.state] || payment.state),
        h("span", { class: "bill-payment__amount" }, money(payment.amount)),
        payment.change_due ? h("span", { class: "bill-payment__extra" }, interpolate(gettext("change %s"), [money(payment.change_due)])) : null,
        payment.tip ? h("span", { class: "bill-payment__extra" }, interpolate(gettext("tip %s"), [money(payment.tip)])) : null,
        payment.failure_message ? h("span", { class: "bill-payment__failure" }, payment.failure_message) : null,
      ),
    ),
  );
}

function toolButton(label, action, onclick, extra = {}) {
  return h("button", { type: "button", class: "button bill-tool", "data-action": action, onclick, ...extra }, label);
}

// The bill's paper as the printer reported it: "Printed" only once it really was.
function printBadge(state) {
  if (state === "queued" || state === "printing") return h("span", { class: "bill-badge", "data-print-state": state }, gettext("Sent to the printer"));
  if (state === "failed") return h("span", { class: "bill-badge bill-badge--part", "data-print-state": state }, gettext("Not printed"));
  return h("span", { class: "bill-badge", "data-print-state": state || "printed" }, gettext("Printed"));
}

function checkColumn(check) {
  const canEdit = editable(check);
  const isOpen = check.status === "open";
  const badges = [];
  if (!isOpen) badges.push(h("span", { class: "bill-badge bill-badge--paid" }, gettext("Paid")));
  else if (check.frozen) badges.push(h("span", { class: "bill-badge bill-badge--part" }, gettext("Payment started")));
  if (check.bill_printed_at && isOpen) badges.push(printBadge(check.bill_print_state));

  const tools =
    isOpen && orderOpen()
      ? h(
          "div",
          { class: "bill-check__tools" },
          toolButton(gettext("Split…"), "split", () => openSplitSheet(check), { disabled: !canEdit }),
          toolButton(gettext("Discount…"), "discount", () => askCheckDiscount(check), { disabled: !canEdit }),
          toolButton(gettext("Print"), "print", (event) => printBill(check, event.currentTarget)),
          toolButton(gettext("Company invoice…"), "invoice", () => askInvoice(check)),
        )
      : check.status === "closed"
        ? h(
            "div",
            { class: "bill-check__tools" },
            toolButton(gettext("Receipt…"), "receipt", () => openReceiptDialog({ check, title: checkName(check), preselected: receiptDefault })),
            toolButton(gettext("Company invoice…"), "invoice", () => askInvoice(check)),
          )
        : null;

  let foot;
  if (!isOpen) {
    foot = h("div", { class: "bill-check__sum" }, h("span", {}, gettext("Paid")), h("strong", { "data-balance": 0 }, money(check.totals.total)));
  } else {
    const pending = check.payments.find((p) => p.state === "pending");
    const waiting = Boolean(pending);
    const waitingLabel = pending?.kind === "room_charge" ? gettext("Waiting for the hotel…") : gettext("Waiting for the card…");
    foot = [
      h("div", { class: "bill-check__sum" }, h("span", {}, check.paid ? gettext("Left to pay") : gettext("To pay")), h("strong", { class: "bill-check__balance", "data-balance": check.balance }, money(check.balance))),
      orderOpen()
        ? h(
            "button",
            {
              type: "button",
              class: "button button--primary bill-check__pay",
              "data-action": "pay",
              disabled: check.balance <= 0 || waiting,
              onclick: () => pay(check),
            },
            waiting ? waitingLabel : interpolate(gettext("Pay %s"), [money(check.balance)]),
          )
        : null,
    ];
  }

  return h(
    "section",
    {
      class: `bill-check bill-check--${check.status}${check.frozen ? " bill-check--frozen" : ""}`,
      "data-check-id": check.id,
      "data-check-number": check.number,
      "data-status": check.status,
      "data-drop-check": canEdit ? check.id : null,
      "aria-labelledby": `check-title-${check.id}`,
    },
    h(
      "header",
      { class: "bill-check__head" },
      h(
        "h2",
        { class: "bill-check__title", id: `check-title-${check.id}` },
        checkName(check),
        check.label ? h("span", { class: "bill-check__label" }, check.label) : null,
      ),
      badges,
    ),
    tools,
    h(
      "div",
      { class: "bill-check__body", "data-scroll-key": check.id },
      check.items.length
        ? h("ul", { class: "bill-items" }, check.items.map((item) => itemRow(check, item, new Set(check.items.map((i) => i.seat)).size > 1, setPrices(check.items))))
        : h("p", { class: "bill-check__empty" }, canEdit ? gettext("Nothing on this check. Drag items here.") : gettext("Nothing on this check.")),
      check.discounts.length
        ? h(
            "ul",
            { class: "bill-discounts bill-discounts--check", "aria-label": gettext("Check discounts") },
            check.discounts.map((discount) =>
              h(
                "li",
                { class: "bill-discount", "data-discount-id": discount.id, "data-kind": discount.kind },
                h("span", { class: "bill-discount__what" }, discountText(discount)),
                h("span", { class: "bill-discount__reason" }, discount.reason),
                h("span", { class: "bill-discount__applied" }, `\u2212${money(discount.applied)}`),
                removeDiscountButton(discount, check),
              ),
            ),
          )
        : null,
      check.invoice ? h("p", { class: "bill-invoice", "data-invoice": check.invoice.company }, interpolate(gettext("Invoice to %s"), [check.invoice.company])) : null,
      totalsRows(check),
      paymentsList(check),
    ),
    h("footer", { class: "bill-check__foot" }, foot),
  );
}

function newCheckColumn() {
  return h(
    "section",
    { class: "bill-new", "data-drop-check": "new", "aria-label": gettext("New check") },
    h(
      "button",
      {
        type: "button",
        class: "bill-new__button",
        "data-action": "new-check",
        onclick: () => {
          if (state.selection) moveSelection(null);
          else toast(gettext("Drag an item here, or tap items first and then “New check”."), "info");
        },
      },
      h("span", { class: "bill-new__plus", "aria-hidden": "true" }, "+"),
      h("span", { class: "bill-new__title" }, gettext("New check")),
      h("span", { class: "bill-new__hint" }, gettext("Drag an item here")),
    ),
  );
}

function renderSelection() {
  const bar = $("bill-selection");
  const selection = state.selection;
  const check = selection && state.bill.checks.find((c) => c.id === selection.checkId);
  document.body.classList.toggle("bill-has-selection", Boolean(check));
  if (!check) {
    bar.hidden = true;
    bar.replaceChildren();
    document.body.style.removeProperty("--selection-height");
    return;
  }
  const items = check.items.filter((item) => selection.items.has(item.id));
  const one = items.length === 1 ? items[0] : null;
  const targets = openChecks().filter((c) => c.id !== check.id && !c.frozen);
  bar.hidden = false;
  bar.replaceChildren(
    h(
      "p",
      { class: "bill-selection__what" },
      one ? one.name : interpolate(ngettext("%s item", "%s items", items.length), [items.length]),
      h("span", { class: "bill-selection__from" }, ` · ${checkName(check)}`),
    ),
    h(
      "div",
      { class: "bill-selection__actions" },
      targets.map((target) =>
        h(
          "button",
          { type: "button", class: "button", "data-action": "move-to", "data-to-check": target.id, onclick: () => moveSelection(target.id) },
          interpolate(gettext("Move to check %s"), [target.number]),
        ),
      ),
      h("button", { type: "button", class: "button", "data-action": "move-to-new", onclick: () => moveSelection(null) }, gettext("New check")),
      one ? h("button", { type: "button", class: "button", "data-action": "share", onclick: () => askShare(check, one) }, gettext("Share…")) : null,
      one ? h("button", { type: "button", class: "button", "data-action": "line-discount", onclick: () => askLineDiscount(check, one) }, gettext("Discount…")) : null,
      one ? h("button", { type: "button", class: "button", "data-action": "comp", onclick: () => askComp(check, one) }, gettext("Comp…")) : null,
      h("button", { type: "button", class: "button bill-selection__clear", "data-action": "clear-selection", "aria-label": gettext("Clear the selection"), onclick: clearSelection }, "\u00d7"),
    ),
  );
  // The checks end above the bar, however many rows its buttons take.
  document.body.style.setProperty("--selection-height", `${bar.offsetHeight}px`);
}

function render() {
  const bill = state.bill;
  if (!bill) return;
  if (document.body.classList.contains("bill-dragging")) {
    state.redraw = true;
    return;
  }
  state.redraw = false;
  root.setAttribute("aria-busy", "false");
  root.dataset.orderStatus = bill.order.status;
  const banner = $("bill-banner");
  banner.hidden = orderOpen();
  banner.textContent = orderOpen() ? "" : gettext("This order is paid and closed.");
  const due = openChecks().reduce((sum, check) => sum + check.balance, 0);
  // "To pay" gives way on a phone (CSS); the amount always shows.
  $("bill-due").replaceChildren(...(orderOpen() ? [h("span", { class: "bill-head__due-label" }, gettext("To pay")), " ", h("span", {}, money(due))] : []));
  $("bill-due").dataset.due = String(due);

  // Redrawing keeps where the waiter had scrolled to, sideways and in each check.
  const left = checksBox.scrollLeft;
  const tops = {};
  for (const body of checksBox.querySelectorAll("[data-scroll-key]")) tops[body.dataset.scrollKey] = body.scrollTop;
  const checks = [...bill.checks].sort((a, b) => a.number - b.number);
  const columns = checks.map(checkColumn);
  if (orderOpen() && checks.some((check) => editable(check))) columns.push(newCheckColumn());
  checksBox.replaceChildren(...columns);
  checksBox.dataset.checks = String(checks.length);
  for (const body of checksBox.querySelectorAll("[data-scroll-key]")) body.scrollTop = tops[body.dataset.scrollKey] || 0;
  checksBox.scrollLeft = left;
  renderSelection();
}

// ---- the tools -------------------------------------------------------------------------

function moveSelection(toCheck) {
  const selection = state.selection;
  if (!selection) return;
  const items = [...selection.items];
  moveItems(selection.checkId, items, toCheck);
}

function moveItems(fromCheck, items, toCheck) {
  const target = state.bill.checks.find((c) => c.id === toCheck);
  const done = target ? interpolate(gettext("Moved to check %s."), [target.number]) : gettext("Moved to a new check.");
  state.selection = null;
  tell(change(paths.checkAction(fromCheck, "move"), { items: items.map((item) => ({ item })), to_check: toCheck }, done));
}

function waysGrid(onPick, attribute = "data-ways") {
  return h(
    "div",
    { class: "ways-grid" },
    WAYS.map((n) => h("button", { type: "button", class: "cover-button ways-button", [attribute]: n, onclick: () => onPick(n) }, String(n))),
  );
}

function sheet(className, titleText, ...content) {
  const dialog = h(
    "dialog",
    { class: `sheet ${className}`, "aria-labelledby": `${className}-title` },
    h("h2", { id: `${className}-title`, class: "sheet__title" }, titleText),
    ...content,
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel"))),
  );
  return dialog;
}

// Split by seat, evenly N ways, or merge into another check.
function openSplitSheet(check) {
  const seats = new Set(check.items.map((item) => item.seat));
  const others = openChecks().filter((c) => c.id !== check.id && !c.frozen);
  let dialog = null;
  const run = (url, body, done) => {
    dialog.close();
    tell(change(url, body, done));
  };
  dialog = sheet(
    "split-sheet",
    interpolate(gettext("Split or merge check %s"), [check.number]),
    h(
      "section",
      { class: "choice-area" },
      h("h3", { class: "choice-area__title" }, gettext("By seat")),
      h(
        "button",
        {
          type: "button",
          class: "action-button",
          "data-action": "split-by-seat",
          disabled: seats.size < 2,
          onclick: () => run(paths.checkAction(check.id, "split-by-seat"), {}, gettext("One check per seat.")),
        },
        h("span", { class: "action-button__title" }, gettext("Split by seat")),
        h("span", { class: "action-button__text" }, seats.size < 2 ? gettext("Everything on this check is for one seat.") : gettext("One check per seat; what is shared stays on this check.")),
      ),
    ),
    h(
      "section",
      { class: "choice-area" },
      h("h3", { class: "choice-area__title" }, gettext("Evenly: how many ways?")),
      waysGrid((ways) => run(paths.checkAction(check.id, "split-evenly"), { ways }, interpolate(gettext("Split %s ways."), [ways]))),
    ),
    others.length
      ? h(
          "section",
          { class: "choice-area" },
          h("h3", { class: "choice-area__title" }, interpolate(gettext("Merge check %s into"), [check.number])),
          h(
            "div",
            { class: "choice-row" },
            others.map((target) =>
              h(
                "button",
                {
                  type: "button",
                  class: "button",
                  "data-action": "merge-into",
                  "data-to-check": target.id,
                  onclick: () => run(paths.checkAction(target.id, "merge"), { source: check.id }, interpolate(gettext("Merged into check %s."), [target.number])),
                },
                checkName(target),
              ),
            ),
          ),
        )
      : null,
  );
  showDialog(dialog);
}

// Share one item: N ways onto new checks, or once over every other open check.
function askShare(check, item) {
  const others = openChecks().filter((c) => c.id !== check.id && !c.frozen);
  let dialog = null;
  const run = (body) => {
    dialog.close();
    state.selection = null;
    tell(change(paths.shareItem(item.id), body, interpolate(gettext("%s is shared."), [item.name])));
  };
  dialog = sheet(
    "share-sheet",
    interpolate(gettext("Share %s"), [item.name]),
    others.length
      ? h(
          "section",
          { class: "choice-area" },
          h(
            "button",
            {
              type: "button",
              class: "action-button",
              "data-action": "share-over-checks",
              onclick: () => run({ ways: others.length + 1, checks: others.map((c) => c.id) }),
            },
            h("span", { class: "action-button__title" }, interpolate(ngettext("Over this and %s other check", "Over this and the %s other checks", others.length), [others.length])),
            h("span", { class: "action-button__text" }, interpolate(gettext("Each check pays 1/%s."), [others.length + 1])),
          ),
        )
      : null,
    h(
      "section",
      { class: "choice-area" },
      h("h3", { class: "choice-area__title" }, others.length ? gettext("Or onto new checks: how many ways?") : gettext("How many ways?")),
      waysGrid((ways) => run({ ways })),
    ),
  );
  showDialog(dialog);
}

function askCheckDiscount(check) {
  openDiscountDialog({
    title: interpolate(gettext("Discount on check %s"), [check.number]),
    loadManagers,
    submit: (body) => change(paths.checkAction(check.id, "discounts"), body, gettext("Discount given.")),
  });
}

function askLineDiscount(check, item) {
  openDiscountDialog({
    title: interpolate(gettext("Discount on %s"), [item.name]),
    loadManagers,
    submit: async (body) => {
      await change(paths.checkAction(check.id, "discounts"), { ...body, line: item.line }, gettext("Discount given."));
      clearSelection();
    },
  });
}

function askComp(check, item) {
  openDiscountDialog({
    title: interpolate(gettext("Comp %s"), [item.name]),
    comp: true,
    loadManagers,
    submit: async (body) => {
      await change(paths.checkAction(check.id, "comps"), { ...body, line: item.line }, interpolate(gettext("%s is on the house."), [item.name]));
      clearSelection();
    },
  });
}

const PRINT_POLL_MS = 1000;
const PRINT_FOLLOW_MS = 60000; // then the printers page is the place to look

// Queued is not printed: say "sent", then follow the job until the printer has it or gave up.
async function followPrintJob(check, job) {
  const url = paths.checkAction(check.id, "print");
  const until = Date.now() + PRINT_FOLLOW_MS;
  while (job && (job.state === "queued" || job.state === "printing")) {
    if (Date.now() > until) {
      toast(interpolate(gettext("The bill for check %s has not printed yet. Check the printer."), [check.number]));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, PRINT_POLL_MS));
    try {
      job = (await api("GET", url, { retry: false })).print_job;
    } catch {
      // A dropped connection: ask again on the next round.
    }
  }
  if (job && !state.finished) load(); // the check's badge says what became of the paper
  // "Sent" is old news once the printer answered.
  const sent = interpolate(gettext("Bill for check %s sent to the printer."), [check.number]);
  for (const note of document.querySelectorAll(".toast--info")) if (note.textContent === sent) note.remove();
  if (job?.state === "printed") toast(interpolate(gettext("Bill for check %s printed."), [check.number]), "ok");
  else if (job?.state === "failed") toast(interpolate(gettext("The bill for check %(check)s did not print: %(error)s"), { check: check.number, error: job.last_error || job.state_label }, true));
}

async function printBill(check, button) {
  setBusy(button, true);
  try {
    const answer = await change(paths.checkAction(check.id, "print"), {});
    toast(interpolate(gettext("Bill for check %s sent to the printer."), [check.number]), "info");
    followPrintJob(check, answer.print_job);
  } catch (error) {
    toast(error.message);
  } finally {
    if (button.isConnected) setBusy(button, false);
  }
}

function pay(check) {
  openTenderPad({
    check,
    title: check.label ? `${checkName(check)} · ${check.label}` : checkName(check),
    tenders: state.tenders,
    readers: state.readers,
    cashRounding,
    apply: (answer) => apply(answer),
    reload: load,
    loadManagers,
    onFinished: finish,
    receiptDefault,
  });
}

function askInvoice(check) {
  openInvoiceDialog({ check, title: interpolate(gettext("Company invoice · %s"), [checkName(check)]), onSaved: () => load() });
}

// The whole order is paid: the table is free. With change to hand over, the waiter taps
// "Back to the floor"; otherwise the floor comes back by itself.
function finish({ change: changeDue = 0, auto = false } = {}) {
  if (!auto) {
    location.assign(floorUrl());
    return;
  }
  if (state.finished) return;
  state.finished = true;
  const done = $("bill-done");
  done.hidden = false;
  if (changeDue) {
    $("bill-done-change").hidden = false;
    $("bill-done-change").textContent = interpolate(gettext("Change %s"), [money(changeDue)]);
  }
  setTimeout(() => location.assign(floorUrl()), AUTO_RETURN_MS);
}

// ---- start -----------------------------------------------------------------------------

enableItemDrag(checksBox, {
  onDrop: ({ itemId, fromCheck, toCheck }) => {
    // Dragging one of the selected items takes the whole selection along.
    const selection = state.selection;
    const items = selection?.checkId === fromCheck && selection.items.has(itemId) ? [...selection.items] : [itemId];
    moveItems(fromCheck, items, toCheck);
  },
  onEnd: () => {
    if (state.redraw) render();
    refreshIfStale();
  },
});

// "close" does not bubble: hear every sheet closing in the capture phase.
document.addEventListener("close", refreshIfStale, true);

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && state.selection && !document.querySelector("dialog[open]")) clearSelection();
});

document.title = `${gettext("Bill")} · ${tableTitle} · ${gettext("Tafel")}`;
load();
// A bill or payment message lost on the way (Redis down): the keep-alive's order version moves.
const billWatch = versionWatch(() => refreshSoon());
liveSocket(`${paths.floorSocket(outletId)}?order=${orderId}`, {
  onMessage: (message) => {
    if (message.type === "keepalive") billWatch.check(message.order);
    else if (message.type === "bill" && message.order === orderId) refreshSoon();
    else if (message.type === "order" && message.order?.id === orderId) load();
    else if (message.type === "payment" && message.payment?.order === orderId) load();
  },
  onResync: () => {
    billWatch.reset();
    load();
  },
  onStatus: (online) => ($("offline").hidden = online),
  onRefused: () => api("GET", paths.me).catch(() => {}),
});
