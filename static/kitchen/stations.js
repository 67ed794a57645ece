// The manager's kitchen screens page: issue a pairing code for a station (shown big, with
// how long it still works) and unpair a screen that is retired or lost.
import { api, newUuid, paths, whenSignedOut } from "/static/waiter/api.js";
import { h, setBusy, showDialog, toast } from "/static/waiter/dom.js";
import { gettext, interpolate } from "/static/waiter/i18n.js";
import { clockTime } from "/static/waiter/orderlabel.js";
import { kitchenPaths } from "./kds.js";

whenSignedOut(() => location.assign(paths.signInPage));

function countdown(expiresAt) {
  const seconds = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

function showCode(stationName, pairing) {
  const left = h("span", { class: "pairing-code__left" }, countdown(pairing.expires_at));
  const digits = h("p", { class: "pairing-code__digits", "data-code": pairing.code }, pairing.code.replace(/^(\d{3})(\d{3})$/, "$1 $2"));
  const dialog = h(
    "dialog",
    { class: "sheet pairing-code", "aria-labelledby": "pairing-title" },
    h("h2", { id: "pairing-title", class: "sheet__title" }, interpolate(gettext("Pair a screen for %s"), [stationName])),
    h("p", { class: "sheet__text" }, gettext("On the kitchen screen, open /kitchen/ and type this code:")),
    digits,
    h(
      "p",
      { class: "pairing-code__expiry" },
      interpolate(gettext("Works once, until %s"), [clockTime(pairing.expires_at)]),
      " · ",
      left,
    ),
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button button--primary", onclick: () => dialog.close() }, gettext("Done"))),
  );
  const timer = setInterval(() => {
    left.textContent = countdown(pairing.expires_at);
    if (Date.parse(pairing.expires_at) <= Date.now()) {
      digits.classList.add("pairing-code__digits--expired");
      left.textContent = gettext("expired");
      clearInterval(timer);
    }
  }, 1000);
  dialog.addEventListener("close", () => {
    clearInterval(timer);
    location.reload(); // show the newly paired screen, if it paired meanwhile
  });
  showDialog(dialog);
}

async function pair(button) {
  setBusy(button, true);
  try {
    // No Idempotency-Key on purpose: every press issues a fresh single-use code.
    const pairing = await api("POST", kitchenPaths.pairingCode(button.dataset.stationId), { retry: false });
    showCode(button.dataset.stationName, pairing);
  } catch (error) {
    toast(error.message);
  } finally {
    setBusy(button, false);
  }
}

async function unpair(button) {
  const name = button.dataset.displayName;
  const confirm = h("button", { type: "button", class: "button button--danger", "data-action": "confirm-unpair" }, gettext("Unpair"));
  const dialog = h(
    "dialog",
    { class: "sheet", "aria-labelledby": "unpair-title" },
    h("h2", { id: "unpair-title", class: "sheet__title" }, interpolate(gettext("Unpair %s?"), [name])),
    h("p", { class: "sheet__text" }, gettext("The screen stops showing tickets at once and asks for a new code.")),
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")), confirm),
  );
  confirm.addEventListener("click", async () => {
    setBusy(confirm, true);
    try {
      await api("POST", kitchenPaths.unpair(button.dataset.displayId), { key: newUuid() });
      button.closest(".display-chip").remove();
      dialog.close();
      toast(interpolate(gettext("%s was unpaired."), [name]), "ok");
    } catch (error) {
      setBusy(confirm, false);
      toast(error.message);
    }
  });
  showDialog(dialog);
}

document.getElementById("stations").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  if (button.dataset.action === "pair") pair(button);
  else if (button.dataset.action === "unpair") unpair(button);
});
