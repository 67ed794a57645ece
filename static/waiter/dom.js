// Small DOM helpers: build elements without innerHTML, show toasts and dialogs.

// h("button", {class: "tile", onclick: fn, disabled: true}, "text", otherNode)
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// Bars along the bottom a toast must never cover: the order's Send, a check's Pay, the bill's
// selection bar. A toast sits just above the highest of them, clear of the tabs and pickers up top.
const BOTTOM_BARS = ".ticket-foot, .bill-check__foot, .bill-selection";
const TOAST_GAP_PX = 12;
let barWatcher = null;

function placeAboveBottomBars(box) {
  const height = window.innerHeight;
  let top = height;
  for (const bar of document.querySelectorAll(BOTTOM_BARS)) {
    const rect = bar.getBoundingClientRect();
    // A bar in the top half is a column, not a bar: covering it all would be worse.
    if (rect.height && rect.top < top && rect.top > height / 2) top = rect.top;
  }
  if (top < height) box.style.bottom = `${height - top + TOAST_GAP_PX}px`;
  else box.style.removeProperty("bottom");
}

function placeToasts() {
  for (const box of document.querySelectorAll("body > .toasts")) placeAboveBottomBars(box);
}

// Bars grow (Rush appears), show (the phone's ticket view) and are redrawn: follow them. Only
// here, never in the observer's callback (observing again there would call it every frame).
function watchBottomBars() {
  if (!("ResizeObserver" in window)) return;
  barWatcher ||= new ResizeObserver(placeToasts);
  barWatcher.disconnect();
  barWatcher.observe(document.documentElement);
  for (const bar of document.querySelectorAll(BOTTOM_BARS)) barWatcher.observe(bar);
}

// The page's toast box (or an open dialog's), made on first use and kept above the bottom bars.
// A call that must outlive a dialog (the kitchen's "ready") asks for the page's: inDialog false.
export function toastBox({ inDialog = true } = {}) {
  // An open modal dialog sits in the top layer, above everything else: toast inside it.
  const host = (inDialog && document.querySelector("dialog[open]")) || document.body;
  let box = host.querySelector(":scope > .toasts");
  if (!box) {
    box = h("div", { class: "toasts", "aria-live": "assertive" });
    host.append(box);
  }
  if (host === document.body) {
    placeToasts();
    watchBottomBars();
  }
  return box;
}

// A message at the bottom of the screen; errors stay longer. Tap to dismiss.
export function toast(message, kind = "error") {
  const box = toastBox();
  // A confirmation is old news once something newer is said: never let them pile up.
  for (const old of box.querySelectorAll(":scope > .toast--ok")) old.remove();
  // One error at a time: the newest replaces the last, so errors never stack over the screen.
  if (kind === "error") for (const old of box.querySelectorAll(":scope > .toast--error")) old.remove();
  const note = h("div", { class: `toast toast--${kind}`, role: kind === "error" ? "alert" : "status" }, message);
  const dismiss = () => note.remove();
  note.addEventListener("click", dismiss);
  box.append(note);
  setTimeout(dismiss, kind === "error" ? 8000 : 3000);
}

// Show a <dialog> modally; it removes itself when closed. Tapping the backdrop closes it.
export function showDialog(dialog, { dismissable = true } = {}) {
  document.body.append(dialog);
  dialog.addEventListener("close", () => dialog.remove());
  dialog.addEventListener("cancel", (event) => {
    if (!dismissable) event.preventDefault();
  });
  if (dismissable) {
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
  }
  dialog.showModal();
  return dialog;
}

export function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
}

// Black or white text, whichever reads better on a "#rrggbb" background.
export function textColourOn(hex) {
  const match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!match) return "#111";
  const value = parseInt(match[1], 16);
  const [r, g, b] = [value >> 16, (value >> 8) & 255, value & 255].map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? "#111" : "#fff";
}
