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

// A message at the bottom of the screen; errors stay longer. Tap to dismiss.
export function toast(message, kind = "error") {
  // An open modal dialog sits in the top layer, above everything else: toast inside it.
  const host = document.querySelector("dialog[open]") || document.body;
  let box = host.querySelector(":scope > .toasts");
  if (!box) {
    box = h("div", { class: "toasts", "aria-live": "assertive" });
    host.append(box);
  }
  // A confirmation is old news once something newer is said: never let them pile up.
  for (const old of box.querySelectorAll(":scope > .toast--ok")) old.remove();
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
