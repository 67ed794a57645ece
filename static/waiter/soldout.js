// 86 controls, shared by the 86 board, the kitchen screen's 86 panel and the waiter's tile
// sheet: an item's state, 86 / back on, and its countdown (set a number, clear it).
import { h, setBusy } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

const MAX_COUNTDOWN = 9999;

export function soldOutText(item) {
  if (!item.is_available) return gettext("Sold out");
  if (item.remaining_qty === 0) return gettext("Sold out (countdown at 0)");
  if (item.remaining_qty !== null && item.remaining_qty !== undefined) return interpolate(gettext("%s left"), [item.remaining_qty]);
  return gettext("Available");
}

function itemState(item) {
  if (item.is_86d) return "86";
  return item.remaining_qty !== null && item.remaining_qty !== undefined ? "countdown" : "available";
}

/**
 * itemControls(item, change) -> element. `change(body)` posts {is_available} or {remaining_qty}
 * and resolves with the item's new availability (or rejects; the caller says why).
 * Back on clears a countdown that reached 0 too, so the item is really back.
 */
export function itemControls(item, change) {
  const input = h("input", {
    type: "number",
    class: "input sold-out-item__qty",
    name: "remaining_qty",
    min: 0,
    max: MAX_COUNTDOWN,
    step: 1,
    inputmode: "numeric",
    placeholder: gettext("How many?"),
    "aria-label": interpolate(gettext("Countdown for %s"), [item.name]),
    value: item.remaining_qty ?? "",
  });
  const run = async (button, body) => {
    setBusy(button, true);
    try {
      await change(body);
    } finally {
      setBusy(button, false);
    }
  };
  const toggle = item.is_86d
    ? h(
        "button",
        {
          type: "button",
          class: "button sold-out-item__back",
          "data-action": "back-on",
          onclick: (event) => run(event.currentTarget, item.remaining_qty === 0 ? { is_available: true, remaining_qty: null } : { is_available: true }),
        },
        gettext("Back on"),
      )
    : h("button", { type: "button", class: "button button--danger sold-out-item__86", "data-action": "86", onclick: (event) => run(event.currentTarget, { is_available: false }) }, gettext("86"));
  const form = h(
    "form",
    {
      class: "sold-out-item__countdown",
      onsubmit: (event) => {
        event.preventDefault();
        const qty = Number(input.value);
        if (input.value === "" || !Number.isInteger(qty) || qty < 0 || qty > MAX_COUNTDOWN) {
          input.setCustomValidity(gettext("A whole number, 0 or more."));
          input.reportValidity();
          return;
        }
        input.setCustomValidity("");
        run(event.submitter || form.querySelector("button"), { remaining_qty: qty });
      },
    },
    input,
    h("button", { type: "submit", class: "button", "data-action": "countdown" }, gettext("Set")),
    item.remaining_qty !== null && item.remaining_qty !== undefined
      ? h("button", { type: "button", class: "button button--quiet", "data-action": "clear-countdown", onclick: (event) => run(event.currentTarget, { remaining_qty: null }) }, gettext("Clear"))
      : null,
  );
  input.addEventListener("input", () => input.setCustomValidity(""));
  return h(
    "div",
    { class: "sold-out-item__controls", "data-state": itemState(item) },
    h("span", { class: "sold-out-item__state" }, soldOutText(item)),
    toggle,
    form,
  );
}

/** One row of the board or the panel: the item's name, then its controls. */
export function itemRow(item, change) {
  return h(
    "li",
    { class: "sold-out-item", "data-item-id": item.id, "data-state": itemState(item), "data-name": item.name, style: item.colour ? `--item-colour:${item.colour}` : null },
    h("span", { class: "sold-out-item__name" }, item.name),
    itemControls(item, change),
  );
}

/** A choice (modifier): sold out or back. */
export function modifierRow(modifier, change) {
  return h(
    "li",
    { class: "sold-out-item sold-out-item--choice", "data-modifier-id": modifier.id, "data-state": modifier.is_available ? "available" : "86", "data-name": modifier.name },
    h("span", { class: "sold-out-item__name" }, modifier.name),
    h(
      "div",
      { class: "sold-out-item__controls" },
      h("span", { class: "sold-out-item__state" }, modifier.is_available ? gettext("Available") : gettext("Sold out")),
      h(
        "button",
        {
          type: "button",
          class: modifier.is_available ? "button button--danger" : "button",
          "data-action": modifier.is_available ? "86" : "back-on",
          onclick: async (event) => {
            const button = event.currentTarget;
            setBusy(button, true);
            try {
              await change({ is_available: !modifier.is_available });
            } finally {
              setBusy(button, false);
            }
          },
        },
        modifier.is_available ? gettext("Sold out") : gettext("Back on"),
      ),
    ),
  );
}

/** Does the name match what was typed? Case and accents do not matter ("creme" finds "Crème"). */
export function nameMatches(name, query) {
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  return fold(name).includes(fold(query.trim()));
}
