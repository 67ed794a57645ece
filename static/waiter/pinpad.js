// A PIN pad: 0-9, clear, back, OK; masked dots; 4-6 digits; the keyboard's digits work too.
import { h } from "./dom.js";
import { gettext } from "./i18n.js";

const MIN_DIGITS = 4;
const MAX_DIGITS = 6;

/** createPinPad({onSubmit(pin)}) -> {element, clear(), setError(text), setBusy(bool), disable(bool), destroy()} */
export function createPinPad({ onSubmit, submitLabel = gettext("OK") }) {
  let pin = "";
  let busy = false;
  let disabled = false;

  const dots = h("div", { class: "pin-dots", "aria-live": "polite" });
  const error = h("p", { class: "pin-error", role: "alert" });
  const ok = h("button", { type: "button", class: "button button--primary pin-ok", onclick: submit }, submitLabel);
  const key = (label, action, extra = {}) =>
    h("button", { type: "button", class: "pin-key", onclick: action, ...extra }, label);
  const digits = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => key(String(d), () => press(String(d)), { "data-digit": d }));
  const keys = h(
    "div",
    { class: "pin-keys" },
    digits,
    key(gettext("Clear"), clear, { class: "pin-key pin-key--small", "data-key": "clear" }),
    key("0", () => press("0"), { "data-digit": 0 }),
    key(gettext("Back"), back, { class: "pin-key pin-key--small", "data-key": "back", "aria-label": gettext("Delete last digit") }),
  );
  const element = h("div", { class: "pin-pad" }, dots, error, keys, ok);

  function render() {
    dots.replaceChildren(
      ...Array.from({ length: Math.max(MIN_DIGITS, Math.min(MAX_DIGITS, pin.length + 1)) }, (_, i) =>
        h("span", { class: i < pin.length ? "pin-dot pin-dot--filled" : "pin-dot" }),
      ),
    );
    dots.setAttribute("aria-label", `${pin.length} / ${MAX_DIGITS}`);
    ok.disabled = busy || disabled || pin.length < MIN_DIGITS;
    for (const button of keys.querySelectorAll("button")) button.disabled = busy || disabled;
  }

  function press(digit) {
    if (busy || disabled || pin.length >= MAX_DIGITS) return;
    pin += digit;
    error.textContent = "";
    render();
  }

  function back() {
    pin = pin.slice(0, -1);
    render();
  }

  function clear() {
    pin = "";
    render();
  }

  function submit() {
    if (busy || disabled || pin.length < MIN_DIGITS) return;
    onSubmit(pin);
  }

  function onKey(event) {
    if (!element.isConnected || element.closest("[hidden]")) return;
    if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
    if (/^[0-9]$/.test(event.key)) press(event.key);
    else if (event.key === "Backspace") back();
    else if (event.key === "Enter") submit();
    else if (event.key === "Escape" || event.key === "Delete") clear();
    else return;
    event.preventDefault();
  }
  document.addEventListener("keydown", onKey);

  render();
  return {
    element,
    clear,
    setError(text) {
      error.textContent = text || "";
    },
    setBusy(value) {
      busy = value;
      render();
    },
    disable(value) {
      disabled = value;
      render();
    },
    destroy() {
      document.removeEventListener("keydown", onKey);
    },
  };
}
