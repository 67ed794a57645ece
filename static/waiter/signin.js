// Sign-in on a shared tablet: tap your name, type your PIN. Wrong PINs make the tablet
// wait (the server says how long); a manager standing by clears the wait with her PIN.
import { api, paths } from "./api.js";
import { h, toast } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { lockIcon } from "./icons.js";
import { createPinPad } from "./pinpad.js";
import { roleName } from "./roles.js";

const namesSection = document.getElementById("names");
const tilesBox = document.getElementById("name-tiles");
const pinSection = document.getElementById("pin");
const pinName = document.getElementById("pin-name");
const pinHint = document.getElementById("pin-hint");
const pinBox = document.getElementById("pin-pad");
const waitBox = document.getElementById("pin-wait");
const waitText = document.getElementById("pin-wait-text");
const clearWaitButton = document.getElementById("clear-wait");
const managerRow = document.getElementById("clear-wait-managers");
const nextUrl = document.getElementById("sign-in").dataset.next || paths.floorPage();
const FLOOR_ROLES = ["waiter", "bartender", "manager"];
const clearWaitPath = (personId) => `/api/staff/${personId}/clear-pin-wait/`;

let people = [];
let chosen = null;
let clearing = false; // the pad takes a manager's PIN to clear the chosen person's wait
let manager = null;
let waitUntil = 0;
let waitTimer = null;
const pad = createPinPad({ onSubmit: (pin) => (clearing ? clearWait(pin) : signIn(pin)) });
pinBox.append(pad.element);

async function loadTiles() {
  tilesBox.setAttribute("aria-busy", "true");
  try {
    people = await api("GET", paths.signInTiles);
    tilesBox.replaceChildren(...people.map(tile));
    if (!people.length) tilesBox.append(h("p", { class: "empty" }, gettext("Nobody can sign in yet. Ask a manager.")));
  } catch (error) {
    tilesBox.replaceChildren(h("p", { class: "empty" }, error.message));
  } finally {
    tilesBox.setAttribute("aria-busy", "false");
  }
  return people;
}

function tile(person) {
  const waiting = person.retry_after > 0;
  return h(
    "button",
    {
      type: "button",
      class: waiting ? "name-tile name-tile--locked" : "name-tile",
      "data-user-id": person.id,
      "data-locked": waiting ? "true" : "false",
      onclick: () => choose(person),
    },
    h("span", { class: "name-tile__name" }, person.name),
    h("span", { class: "name-tile__roles" }, person.roles.map(roleName).join(", ")),
    waiting ? h("span", { class: "name-tile__locked" }, lockIcon(), gettext("Wait")) : null,
  );
}

function choose(person) {
  chosen = person;
  pinName.textContent = person.name;
  showSignInMode();
  namesSection.hidden = true;
  pinSection.hidden = false;
  if (person.retry_after > 0) startWait(person.retry_after);
}

function showSignInMode() {
  clearing = false;
  manager = null;
  managerRow.hidden = true;
  pinHint.textContent = gettext("Type your PIN");
  pinName.textContent = chosen ? chosen.name : "";
  pad.clear();
  pad.setError("");
  pad.disable(waitUntil > Date.now());
}

function stopWait() {
  clearInterval(waitTimer);
  waitTimer = null;
  waitUntil = 0;
  waitBox.hidden = true;
}

function showWait() {
  const seconds = Math.ceil((waitUntil - Date.now()) / 1000);
  if (seconds <= 0) {
    stopWait();
    if (!clearing) pad.disable(false);
    loadTiles();
    return;
  }
  waitText.textContent = interpolate(
    ngettext("Too many wrong PINs. Try again in %s second, or ask a manager.", "Too many wrong PINs. Try again in %s seconds, or ask a manager.", seconds),
    [seconds],
  );
}

function startWait(seconds) {
  waitUntil = Date.now() + seconds * 1000;
  waitBox.hidden = clearing;
  clearWaitButton.hidden = false;
  pad.setError(""); // the wait says it all
  if (!clearing) pad.disable(true);
  clearInterval(waitTimer);
  waitTimer = setInterval(showWait, 1000);
  showWait();
}

function drawManagers() {
  const managers = people.filter((person) => person.roles.includes("manager"));
  if (managers.length === 1) manager = managers[0].id;
  managerRow.replaceChildren(
    ...managers.map((person) =>
      h(
        "button",
        {
          type: "button",
          class: "chip",
          role: "radio",
          "aria-checked": person.id === manager ? "true" : "false",
          "data-manager-id": person.id,
          onclick: () => {
            manager = person.id;
            drawManagers();
          },
        },
        person.name,
      ),
    ),
  );
  if (!managers.length) managerRow.append(h("span", { class: "muted" }, gettext("No manager can approve right now.")));
}

function showClearingMode() {
  clearing = true;
  manager = null;
  waitBox.hidden = true;
  pinName.textContent = interpolate(gettext("Clear the wait for %s"), [chosen.name]);
  pinHint.textContent = gettext("Manager's PIN");
  managerRow.hidden = false;
  drawManagers();
  pad.clear();
  pad.setError("");
  pad.disable(false);
}

async function clearWait(pin) {
  if (!manager) {
    pad.setError(gettext("Choose the approving manager."));
    return;
  }
  pad.setBusy(true);
  try {
    await api("POST", clearWaitPath(chosen.id), { body: { manager, pin } });
    stopWait();
    toast(interpolate(gettext("%s may type the PIN again."), [chosen.name]), "ok");
    await loadTiles();
    showSignInMode();
  } catch (error) {
    pad.clear();
    pad.setError(error.message);
  }
  pad.setBusy(false);
}

function backToNames() {
  chosen = null;
  stopWait();
  showSignInMode();
  pinSection.hidden = true;
  namesSection.hidden = false;
  loadTiles();
}

async function signIn(pin) {
  pad.setBusy(true);
  try {
    const person = await api("POST", paths.pinSignIn, { body: { user: chosen.id, pin } });
    if (person.roles.some((role) => FLOOR_ROLES.includes(role))) {
      location.assign(nextUrl);
      return;
    }
    if (person.roles.includes("cashier")) {
      location.assign(nextUrl.startsWith(paths.cashierPage) ? nextUrl : paths.cashierPage);
      return;
    }
    if (person.roles.includes("kitchen")) {
      location.assign(paths.kitchenPage);
      return;
    }
    if (person.roles.includes("front_desk")) {
      location.assign(nextUrl.startsWith(paths.frontDeskPage) ? nextUrl : paths.frontDeskPage);
      return;
    }
    await api("POST", paths.signOut).catch(() => {});
    pad.clear();
    pad.setError(gettext("This screen is for waiters, bartenders, the kitchen, cashiers, managers and the front desk."));
  } catch (error) {
    pad.clear();
    if (error.status === 429) {
      pad.setError("");
      startWait(error.body?.retry_after || 1);
    } else {
      pad.setError(error.message);
      // A wrong PIN may have started a wait: the tiles say so.
      const fresh = (await loadTiles()).find((person) => person.id === chosen?.id);
      if (fresh && fresh.retry_after > 0) startWait(fresh.retry_after);
    }
  }
  pad.setBusy(false);
}

document.getElementById("pin-back").addEventListener("click", backToNames);
clearWaitButton.addEventListener("click", showClearingMode);
loadTiles();
