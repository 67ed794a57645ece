// Pairing a kitchen screen: type the manager's 6-digit code (keypad or keyboard), then
// the page reloads as the station's screen.
import { api, newUuid } from "/static/waiter/api.js";
import { h } from "/static/waiter/dom.js";
import { gettext } from "/static/waiter/i18n.js";
import { kitchenPaths } from "./kds.js";

const DIGITS = 6;
const codeBox = document.getElementById("pair-code");
const keysBox = document.getElementById("pair-keys");
const errorBox = document.getElementById("pair-error");
const nameInput = document.getElementById("pair-name");
const submitButton = document.getElementById("pair-submit");

let code = "";
let busy = false;

function render() {
  codeBox.replaceChildren(
    ...Array.from({ length: DIGITS }, (_, i) =>
      h("span", { class: i < code.length ? "pair__digit pair__digit--filled" : i === code.length ? "pair__digit pair__digit--next" : "pair__digit" }, code[i] || ""),
    ),
  );
  codeBox.dataset.code = code;
  submitButton.disabled = busy || code.length !== DIGITS;
  for (const key of keysBox.querySelectorAll("button")) key.disabled = busy;
}

function press(digit) {
  if (busy || code.length >= DIGITS) return;
  code += digit;
  errorBox.textContent = "";
  render();
}

function back() {
  code = code.slice(0, -1);
  render();
}

function clear() {
  code = "";
  render();
}

async function pair() {
  if (busy || code.length !== DIGITS) return;
  busy = true;
  render();
  try {
    await api("POST", kitchenPaths.pair, { key: newUuid(), body: { code, name: nameInput.value.trim() } });
    location.assign(kitchenPaths.screenPage);
  } catch (error) {
    busy = false;
    code = "";
    errorBox.textContent = error.message;
    render();
  }
}

const key = (label, action, extra = {}) => h("button", { type: "button", class: "pair__key", onclick: action, ...extra }, label);
keysBox.append(
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => key(String(d), () => press(String(d)), { "data-digit": d })),
  key(gettext("Clear"), clear, { class: "pair__key pair__key--small", "data-key": "clear" }),
  key("0", () => press("0"), { "data-digit": 0 }),
  key("⌫", back, { class: "pair__key pair__key--small", "data-key": "back", "aria-label": gettext("Delete last digit") }),
);

document.addEventListener("keydown", (event) => {
  if (event.target === nameInput) {
    if (event.key === "Enter") pair();
    return;
  }
  if (/^[0-9]$/.test(event.key)) press(event.key);
  else if (event.key === "Backspace") back();
  else if (event.key === "Enter") pair();
  else if (event.key === "Escape") clear();
  else return;
  event.preventDefault();
});
submitButton.addEventListener("click", pair);
render();
