// "Closed today": find a check paid in the open business day by its number, table or amount;
// see its payments and refunds; print its receipt again, refund (all, an amount, or lines)
// or reopen it, each refund and reopening with a manager's PIN and a reason.
import { api, newUuid, paths } from "../waiter/api.js";
import { createApproval } from "../waiter/approval.js";
import { h, setBusy, showDialog, toast } from "../waiter/dom.js";
import { gettext, interpolate, ngettext } from "../waiter/i18n.js";
import { money } from "../waiter/money.js";
import { clockTime } from "../waiter/when.js";
import { cashierPaths, loadManagers, outletId, typedMoney } from "./cashier.js";

const list = document.getElementById("closed-checks");
const summary = document.getElementById("closed-summary");
const form = document.getElementById("closed-search");
const queryInput = document.getElementById("closed-query");

let asked = 0;

function query() {
  const text = queryInput.value.trim();
  const amount = typedMoney(text);
  if (amount !== null) return { amount };
  // "Table 7" / "tafel 7" finds table 7.
  return text ? { q: text.replace(/^\D+\s+(?=\S)/, "") } : {};
}

async function load() {
  const mine = ++asked;
  list.setAttribute("aria-busy", "true");
  try {
    const checks = await api("GET", cashierPaths.closedChecks(outletId, query()));
    if (mine !== asked) return;
    summary.textContent = interpolate(ngettext("%s check paid today", "%s checks paid today", checks.length), [checks.length]);
    list.replaceChildren(...(checks.length ? checks.map(drawCheck) : [h("li", { class: "empty" }, gettext("No paid check matches."))]));
  } catch (problem) {
    if (mine === asked) summary.textContent = problem.message;
  }
  list.setAttribute("aria-busy", "false");
}

function drawCheck(check) {
  const refundable = check.payments.some((p) => p.refundable > 0);
  return h(
    "li",
    { class: "closed-check", "data-check-id": check.id },
    h(
      "div",
      { class: "closed-check__head" },
      h("strong", { class: "closed-check__label" }, check.label),
      h("span", { class: "muted" }, interpolate(gettext("Check %s"), [`${check.order}-${check.number}`])),
      h("span", { class: "muted" }, check.closed_at ? interpolate(gettext("paid %s"), [clockTime(check.closed_at)]) : ""),
      h("span", { class: "muted" }, check.waiter),
      h("span", { class: "closed-check__total" }, money(check.total)),
    ),
    h(
      "ul",
      { class: "closed-check__payments", "aria-label": gettext("Payments") },
      check.payments.map((p) =>
        h("li", { "data-payment-id": p.id }, h("span", {}, p.tender), h("span", {}, money(p.amount), p.tip ? ` + ${interpolate(gettext("tip %s"), [money(p.tip)])}` : "")),
      ),
    ),
    check.refunds.length
      ? h(
          "ul",
          { class: "closed-check__refunds", "aria-label": gettext("Refunds") },
          check.refunds.map((r) =>
            h(
              "li",
              { class: `refund refund--${r.state}`, "data-refund-id": r.id },
              h("span", {}, interpolate(gettext("Refund %s"), [clockTime(r.at)]), " · ", r.tender, r.state === "failed" ? ` · ${gettext("failed")}` : r.state === "pending" ? ` · ${gettext("waiting for the hotel")}` : ""),
              h("span", {}, `−${money(r.amount)}`),
              h("small", { class: "muted refund__detail" }, [r.lines.map((line) => `${line.qty}× ${line.name}`).join(", "), r.reason].filter(Boolean).join(" · ")),
            ),
          ),
        )
      : null,
    h(
      "div",
      { class: "closed-check__actions" },
      h("button", { type: "button", class: "button", "data-action": "reprint", onclick: (event) => reprint(check, event.currentTarget) }, gettext("Print receipt")),
      // The bill screen e-mails the receipt, shows its QR code, or puts a company on it.
      h("a", { class: "button", "data-action": "bill", href: paths.billPage(check.order) }, gettext("Bill and receipt…")),
      h("button", { type: "button", class: "button", "data-action": "refund", disabled: !refundable, onclick: () => openRefund(check) }, gettext("Refund")),
      h("button", { type: "button", class: "button button--danger", "data-action": "reopen", onclick: () => openReopen(check) }, gettext("Reopen")),
    ),
  );
}

async function reprint(check, button) {
  setBusy(button, true);
  try {
    await api("POST", cashierPaths.receipt(check.id), { key: newUuid() });
    toast(gettext("The receipt is printing."), "ok");
  } catch (problem) {
    toast(problem.message);
  }
  setBusy(button, false);
}

// A dialog with a reason, a manager's PIN and what `fields()` adds; `send(body)` posts it.
function approvalDialog({ title, intro, submitLabel, fields, send }) {
  const error = h("p", { class: "discount__error", role: "alert" });
  const reason = h("input", { type: "text", class: "input", name: "reason", maxlength: 200, placeholder: gettext("Why?") });
  const approval = createApproval({
    loadManagers,
    submitLabel,
    onSubmit: async (approver, pin) => {
      const body = fields?.();
      if (body === null) return;
      if (!reason.value.trim()) {
        error.textContent = gettext("Give a reason.");
        approval.pad.clear();
        return;
      }
      error.textContent = "";
      approval.pad.setBusy(true);
      try {
        await send({ ...body, reason: reason.value.trim(), approver, approver_pin: pin });
        dialog.close();
      } catch (problem) {
        approval.pad.clear();
        error.textContent = problem.message;
      }
      approval.pad.setBusy(false);
    },
  });
  const dialog = h(
    "dialog",
    { class: "sheet cashier-dialog", "aria-labelledby": "cashier-dialog-title" },
    h("h2", { id: "cashier-dialog-title", class: "sheet__title" }, title),
    h(
      "div",
      { class: "cashier-dialog__layout" },
      h("div", { class: "cashier-dialog__form" }, intro, h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Reason")), reason)),
      h("div", { class: "cashier-dialog__approval" }, approval.managerField, ...approval.pinField),
    ),
    error,
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel"))),
  );
  dialog.addEventListener("close", () => approval.destroy());
  showDialog(dialog);
  return dialog;
}

function openRefund(check) {
  const payments = check.payments.filter((p) => p.refundable > 0);
  let payment = payments[0];
  let mode = "lines";
  const counts = new Map();
  const paymentRow = h("div", { class: "choice-row", role: "radiogroup", "aria-label": gettext("Payment") });
  const modeRow = h("div", { class: "choice-row", role: "radiogroup", "aria-label": gettext("What to refund") });
  const linesBox = h("ul", { class: "refund-lines" });
  const amountInput = h("input", { type: "text", class: "input", name: "amount", inputmode: "decimal", autocomplete: "off", placeholder: "5,00" });
  const amountBox = h("label", { class: "field", hidden: true }, h("span", { class: "field__label" }, gettext("Amount")), amountInput);
  const total = h("p", { class: "refund-total", "aria-live": "polite" });

  const chip = (picked, text, onclick, extra = {}) => h("button", { type: "button", class: "chip", role: "radio", "aria-checked": picked ? "true" : "false", onclick, ...extra }, text);

  function drawPayments() {
    paymentRow.replaceChildren(
      ...payments.map((p) =>
        chip(p === payment, `${p.tender} · ${interpolate(gettext("%s left"), [money(p.refundable)])}`, () => {
          payment = p;
          drawPayments();
          drawTotal();
        }, { "data-payment-id": p.id }),
      ),
    );
  }
  function drawModes() {
    const modes = [
      ["lines", gettext("Lines")],
      ["amount", gettext("Amount")],
      ["all", gettext("All of it")],
    ];
    modeRow.replaceChildren(
      ...modes.map(([key, text]) =>
        chip(key === mode, text, () => {
          mode = key;
          drawModes();
          linesBox.hidden = mode !== "lines";
          amountBox.hidden = mode !== "amount";
          drawTotal();
        }, { "data-mode": key }),
      ),
    );
  }
  // What the chosen lines come to, as the server will count it (a whole line's share of its paid amount).
  function linesAmount() {
    let sum = 0;
    for (const item of check.items) {
      const qty = counts.get(item.id) || 0;
      if (!qty) continue;
      const unit = (n) => Math.round((item.amount * n) / item.units);
      sum += unit(item.refunded + qty) - unit(item.refunded);
    }
    return sum;
  }
  function drawTotal() {
    if (mode === "lines") total.textContent = interpolate(gettext("Refund %s"), [money(linesAmount())]);
    else if (mode === "all") total.textContent = interpolate(gettext("Refund %s"), [money(payment.refundable)]);
    else total.textContent = "";
  }
  function drawLines() {
    linesBox.replaceChildren(
      ...check.items.map((item) => {
        const left = item.units - item.refunded;
        const qty = counts.get(item.id) || 0;
        const step = (by) => {
          counts.set(item.id, Math.min(left, Math.max(0, qty + by)));
          drawLines();
          drawTotal();
        };
        return h(
          "li",
          { class: "refund-line", "data-item-id": item.id },
          h("span", { class: "refund-line__name" }, item.name, item.refunded ? h("small", { class: "muted" }, ` · ${interpolate(gettext("%s refunded"), [item.refunded])}`) : null),
          h("span", { class: "refund-line__amount muted" }, money(item.amount)),
          h(
            "span",
            { class: "stepper" },
            h("button", { type: "button", class: "stepper__button", "data-action": "less", "aria-label": gettext("One less"), disabled: qty <= 0, onclick: () => step(-1) }, "−"),
            h("output", { class: "stepper__value" }, `${qty}/${left}`),
            h("button", { type: "button", class: "stepper__button", "data-action": "more", "aria-label": gettext("One more"), disabled: qty >= left, onclick: () => step(1) }, "+"),
          ),
        );
      }),
    );
  }
  drawPayments();
  drawModes();
  drawLines();
  drawTotal();

  approvalDialog({
    title: interpolate(gettext("Refund on %s"), [check.label]),
    intro: [h("span", { class: "field__label" }, gettext("Payment")), paymentRow, h("span", { class: "field__label" }, gettext("What to refund")), modeRow, linesBox, amountBox, total],
    submitLabel: gettext("Refund"),
    fields: () => {
      if (mode === "all") return { amount: payment.refundable };
      if (mode === "amount") {
        const cents = typedMoney(amountInput.value.includes(",") || amountInput.value.includes(".") ? amountInput.value : `${amountInput.value},00`);
        if (!cents) {
          toast(gettext("Give the amount, for example 5,00."));
          return null;
        }
        return { amount: cents };
      }
      const lines = [...counts].filter(([, qty]) => qty > 0).map(([item, qty]) => ({ item, qty }));
      if (!lines.length) {
        toast(gettext("Choose the lines to refund."));
        return null;
      }
      return { lines };
    },
    send: async (body) => {
      const refund = await api("POST", cashierPaths.refund(payment.id), { body, key: newUuid() });
      if (refund.state === "failed") throw new Error(refund.failure_message || gettext("The refund failed."));
      if (refund.state === "pending") toast(gettext("The refund is on its way to the guest's folio."), "ok");
      else toast(interpolate(gettext("Refunded %s."), [money(refund.amount)]), "ok");
      load();
    },
  });
}

function openReopen(check) {
  approvalDialog({
    title: interpolate(gettext("Reopen %s"), [check.label]),
    intro: h("p", { class: "sheet__text" }, gettext("The check opens again for changes and payment. Its payments stay.")),
    submitLabel: gettext("Reopen"),
    send: async (body) => {
      await api("POST", cashierPaths.reopen(check.id), { body, key: newUuid() });
      location.assign(paths.billPage(check.order));
    },
  });
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
if (outletId) load();
