// Sign-in on a shared tablet: tap your name, type your PIN.
import { api, paths } from "./api.js";
import { h, toast } from "./dom.js";
import { gettext } from "./i18n.js";
import { lockIcon } from "./icons.js";
import { createPinPad } from "./pinpad.js";
import { roleName } from "./roles.js";

const namesSection = document.getElementById("names");
const tilesBox = document.getElementById("name-tiles");
const pinSection = document.getElementById("pin");
const pinName = document.getElementById("pin-name");
const pinBox = document.getElementById("pin-pad");
const nextUrl = document.getElementById("sign-in").dataset.next || paths.floorPage();
const FLOOR_ROLES = ["waiter", "bartender", "manager"];

let chosen = null;
const pad = createPinPad({ onSubmit: signIn });
pinBox.append(pad.element);

async function loadTiles() {
  tilesBox.setAttribute("aria-busy", "true");
  try {
    const people = await api("GET", paths.signInTiles);
    tilesBox.replaceChildren(...people.map(tile));
    if (!people.length) tilesBox.append(h("p", { class: "empty" }, gettext("Nobody can sign in yet. Ask a manager.")));
  } catch (error) {
    tilesBox.replaceChildren(h("p", { class: "empty" }, error.message));
  } finally {
    tilesBox.setAttribute("aria-busy", "false");
  }
}

function tile(person) {
  return h(
    "button",
    {
      type: "button",
      class: person.pin_locked ? "name-tile name-tile--locked" : "name-tile",
      "data-user-id": person.id,
      "data-locked": person.pin_locked ? "true" : "false",
      onclick: () => choose(person),
    },
    h("span", { class: "name-tile__name" }, person.name),
    h("span", { class: "name-tile__roles" }, person.roles.map(roleName).join(", ")),
    person.pin_locked ? h("span", { class: "name-tile__locked" }, lockIcon(), gettext("Locked")) : null,
  );
}

function choose(person) {
  if (person.pin_locked) {
    toast(gettext("This PIN is locked. Ask a manager to unlock it."));
    return;
  }
  chosen = person;
  pinName.textContent = person.name;
  pad.clear();
  pad.setError("");
  pad.disable(false);
  namesSection.hidden = true;
  pinSection.hidden = false;
}

function backToNames() {
  chosen = null;
  pad.clear();
  pinSection.hidden = true;
  namesSection.hidden = false;
}

async function signIn(pin) {
  pad.setBusy(true);
  try {
    const person = await api("POST", paths.pinSignIn, { body: { user: chosen.id, pin } });
    if (person.roles.some((role) => FLOOR_ROLES.includes(role))) {
      location.assign(nextUrl);
      return;
    }
    if (person.roles.includes("front_desk")) {
      location.assign(nextUrl.startsWith(paths.frontDeskPage) ? nextUrl : paths.frontDeskPage);
      return;
    }
    await api("POST", paths.signOut).catch(() => {});
    pad.clear();
    pad.setError(gettext("This screen is for waiters, bartenders, managers and the front desk."));
  } catch (error) {
    pad.clear();
    pad.setError(error.message);
    if (error.status === 423) {
      pad.disable(true);
      loadTiles();
    }
  }
  pad.setBusy(false);
}

document.getElementById("pin-back").addEventListener("click", backToNames);
loadTiles();
