// A discount (percent or amount) or a comp, with a reason. When the server answers that
// a manager must approve ("approver" in the 400), the dialog asks for the manager and PIN
// and sends the same request again with them.
import { createApproval } from "./approval.js";
import { h, setBusy, showDialog } from "./dom.js";
import { gettext } from "./i18n.js";

const DECIMALS = Number(document.body.dataset.currencyDecimals || 2);

// "5", "5,5", "5.50" -> cents; anything else -> 0.
export function parseMoney(text) {
  const match = /^(\d{1,6})(?:[.,](\d{0,2}))?$/.exec(text);
  if (!match) return 0;
  const fraction = `${match[2] || ""}${"0".repeat(DECIMALS)}`.slice(0, DECIMALS);
  return Number(match[1]) * 10 ** DECIMALS + Number(fraction || "0");
}

const PERCENTS = [5, 10, 15, 20, 25, 50, 100];
const DISCOUNT_REASONS = () => [gettext("Regular guest"), gettext("Complaint"), gettext("Staff"), gettext("Birthday")];
const COMP_REASONS = () => [gettext("Kitchen mistake"), gettext("Long wait"), gettext("On the house")];

function chips(label, values, onPick, attrs = () => ({})) {
  const row = h("div", { class: "choice-row", role: "radiogroup", "aria-label": label });
  let picked = null;
  const draw = () =>
    row.replaceChildren(
      ...values.map(([value, text]) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": value === picked ? "true" : "false",
            ...attrs(value),
            onclick: () => {
              picked = value;
              draw();
              onPick(value);
            },
          },
          text,
        ),
      ),
    );
  draw();
  return {
    element: row,
    pick(value) {
      picked = value;
      draw();
    },
  };
}

/**
 * openDiscountDialog({title, comp, submit(body), loadManagers})
 * submit(body) posts {percent|amount, reason} (plus approver fields when asked) and throws
 * the ApiError on refusal; the dialog closes when it resolves.
 */
export function openDiscountDialog({ title, comp = false, submit, loadManagers }) {
  let kind = "percent";
  let pad = null;
  const error = h("p", { class: "discount__error", role: "alert" });
  const value = h("input", {
    type: "text",
    class: "input discount__value",
    name: "value",
    inputmode: "decimal",
    autocomplete: "off",
    placeholder: "10",
  });
  const unit = h("span", { class: "discount__unit", "aria-hidden": "true" }, "%");
  const reason = h("input", { type: "text", class: "input", name: "reason", maxlength: 200, placeholder: comp ? gettext("Why is it on the house?") : gettext("Why the discount?") });
  const percentChips = chips(gettext("Percent"), PERCENTS.map((p) => [p, `${p}%`]), (p) => (value.value = String(p)), (p) => ({ "data-percent": p }));
  const kindChips = chips(
    gettext("Kind of discount"),
    [
      ["percent", gettext("Percent")],
      ["amount", gettext("Amount")],
    ],
    (picked) => {
      kind = picked;
      value.value = "";
      unit.textContent = kind === "percent" ? "%" : document.body.dataset.currency || "EUR";
      percentChips.element.hidden = kind !== "percent";
      value.placeholder = kind === "percent" ? "10" : "5,00";
    },
    (k) => ({ "data-kind": k }),
  );
  kindChips.pick("percent");
  const submitButton = h("button", { type: "button", class: "button button--primary", "data-action": "give" }, comp ? gettext("Comp item") : gettext("Give discount"));
  const approval = h("div", { class: "discount__approval", hidden: true });
  const body = h(
    "div",
    { class: "discount__form" },
    comp
      ? h("p", { class: "sheet__text" }, gettext("The item stays on the check at zero. A manager approves it."))
      : h(
          "div",
          { class: "field" },
          h("span", { class: "field__label" }, gettext("Discount")),
          kindChips.element,
          h("div", { class: "discount__value-row" }, value, unit),
          percentChips.element,
        ),
    h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Reason")), reason),
    h(
      "div",
      { class: "choice-row" },
      (comp ? COMP_REASONS() : DISCOUNT_REASONS()).map((text) => h("button", { type: "button", class: "chip", onclick: () => (reason.value = text) }, text)),
    ),
  );
  const dialog = h(
    "dialog",
    { class: "sheet discount-dialog", "aria-labelledby": "discount-title" },
    h("h2", { id: "discount-title", class: "sheet__title" }, title),
    h("div", { class: "discount__layout" }, body, approval),
    error,
    h(
      "footer",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      submitButton,
    ),
  );
  dialog.addEventListener("close", () => pad?.destroy());

  // What the form says, or null (with the reason shown) when it is not complete.
  function fields() {
    const result = { reason: reason.value.trim() };
    if (!comp) {
      const text = value.value.trim().replace(/\s/g, "");
      if (kind === "percent") {
        const normal = text.replace(",", ".");
        if (!/^\d{1,3}(\.\d{1,2})?$/.test(normal) || Number(normal) <= 0 || Number(normal) > 100) {
          error.textContent = gettext("Give a percent above 0 and at most 100.");
          return null;
        }
        result.percent = normal;
      } else {
        // The amount is typed in euros ("5" or "5,50"), sent in cents.
        const cents = parseMoney(text);
        if (cents < 1) {
          error.textContent = gettext("Give the amount, for example 5,00.");
          return null;
        }
        result.amount = cents;
      }
    }
    if (!result.reason) {
      error.textContent = gettext("Give a reason.");
      return null;
    }
    return result;
  }

  async function send(extra = {}) {
    const data = fields();
    if (!data) return false;
    error.textContent = "";
    setBusy(submitButton, true);
    pad?.setBusy(true);
    try {
      await submit({ ...data, ...extra });
      dialog.close();
      return true;
    } catch (problem) {
      const answer = problem.body || {};
      if (answer.approver && approval.hidden) {
        askApproval(Array.isArray(answer.approver) ? answer.approver.join(" ") : String(answer.approver));
      } else {
        error.textContent = problem.message;
        pad?.clear();
      }
      return false;
    } finally {
      setBusy(submitButton, false);
      pad?.setBusy(false);
    }
  }

  function askApproval(message) {
    dialog.classList.add("discount-dialog--approval");
    submitButton.hidden = true;
    const manager = createApproval({
      loadManagers,
      submitLabel: comp ? gettext("Approve comp") : gettext("Approve discount"),
      onSubmit: (id, pin) => send({ approver: id, approver_pin: pin }),
    });
    pad = manager.pad;
    approval.hidden = false;
    approval.replaceChildren(h("p", { class: "discount__approval-note" }, message), manager.managerField, ...manager.pinField);
    approval.scrollIntoView({ block: "nearest" });
  }

  submitButton.addEventListener("click", () => send());
  showDialog(dialog);
  return dialog;
}
