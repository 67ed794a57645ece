// A numeric keypad for money: the waiter types euros ("50", "12,5"), the code keeps cents.
// No floats: the typed text is split at the decimal key and read as integers.
import { h } from "./dom.js";
import { gettext } from "./i18n.js";
import { money } from "./money.js";

const decimals = Number(document.body.dataset.currencyDecimals || 2);
const language = document.documentElement.lang || "en";
// "," in Dutch, "." in English: the key shows what the guest reads on the bill.
const SEPARATOR = (1.5).toLocaleString(language).includes(",") ? "," : ".";
const MAX_WHOLE_DIGITS = 6;

// "12,5" -> 1250 (with 2 decimals); "" -> 0.
export function typedToMinor(typed) {
  const [whole, fraction = ""] = typed.split(SEPARATOR);
  const cents = (fraction + "0".repeat(decimals)).slice(0, decimals);
  return Number(whole || "0") * 10 ** decimals + Number(cents || "0");
}

// 1250 -> "12,5" style text the keypad can continue from.
export function minorToTyped(minor) {
  const whole = Math.floor(minor / 10 ** decimals);
  const fraction = String(minor % 10 ** decimals).padStart(decimals, "0").replace(/0+$/, "");
  return fraction ? `${whole}${SEPARATOR}${fraction}` : String(whole);
}

/**
 * createAmountPad({label, initial, onChange(minor)}) -> {element, keys, value(), set(minor), destroy()}
 * `element` is the display (label, amount, Clear); `keys` is the keypad, placed by the caller.
 * After set() (a quick amount, the default) the next digit starts a new amount.
 */
export function createAmountPad({ label, initial = 0, onChange = () => {}, name = "amount" }) {
  let typed = initial ? minorToTyped(initial) : "";
  let fresh = true;

  const shown = h("output", { class: "amount-pad__value", "data-amount": "0", name });
  const display = h(
    "div",
    { class: "amount-pad__display" },
    h("span", { class: "amount-pad__label" }, label),
    shown,
    h("button", { type: "button", class: "button amount-pad__clear", "data-key": "clear", onclick: () => clear() }, gettext("Clear")),
  );

  const key = (text, action, extra = {}) => h("button", { type: "button", class: "amount-key", onclick: action, ...extra }, text);
  const digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((d) => key(d, () => press(d), { "data-digit": d }));
  const keys = h(
    "div",
    { class: "amount-keys", role: "group", "aria-label": gettext("Keypad") },
    digits,
    decimals
      ? key(SEPARATOR, () => press(SEPARATOR), { "data-key": "decimal", "aria-label": gettext("Decimal point") })
      : h("span"),
    key("0", () => press("0"), { "data-digit": "0" }),
    key("\u232b", back, { "data-key": "back", "aria-label": gettext("Delete last digit") }),
  );

  function render() {
    const minor = typedToMinor(typed);
    shown.textContent = money(minor);
    shown.dataset.amount = String(minor);
    onChange(minor);
  }

  function press(char) {
    if (fresh) {
      typed = "";
      fresh = false;
    }
    const [whole, fraction] = typed.split(SEPARATOR);
    if (char === SEPARATOR) {
      if (fraction !== undefined) return;
      typed = (whole || "0") + SEPARATOR;
    } else if (fraction !== undefined) {
      if (fraction.length >= decimals) return;
      typed += char;
    } else {
      if ((whole || "").length >= MAX_WHOLE_DIGITS) return;
      typed = whole === "0" ? char : typed + char;
    }
    render();
  }

  function back() {
    fresh = false;
    typed = typed.slice(0, -1);
    render();
  }

  function clear() {
    fresh = false;
    typed = "";
    render();
  }

  function onKey(event) {
    if (!keys.isConnected || event.target instanceof HTMLInputElement) return;
    // A sheet over this pad (the tip over the cash) takes the keys.
    const top = [...document.querySelectorAll("dialog[open]")].pop();
    if (top && !top.contains(keys)) return;
    if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === "," || event.key === ".") press(SEPARATOR);
    else if (event.key === "Backspace") back();
    else if (event.key === "Delete") clear();
    else return;
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  render();
  return {
    element: display,
    keys,
    value: () => typedToMinor(typed),
    set(minor) {
      typed = minor ? minorToTyped(minor) : "";
      fresh = true;
      render();
    },
    destroy() {
      document.removeEventListener("keydown", onKey);
    },
  };
}
