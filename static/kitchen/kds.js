// What the station screen and the expo screen share: the numbered live feed, commands,
// the header (clock, online, sound), ticket ages and small drawing helpers.
import { allergenText } from "/static/waiter/allergens.js";
import { api, ApiError, newUuid } from "/static/waiter/api.js";
import { h, showDialog, toast } from "/static/waiter/dom.js";
import { gettext, interpolate } from "/static/waiter/i18n.js";
import { liveSocket } from "/static/waiter/socket.js";

export const kitchenPaths = {
  pair: "/api/kitchen/displays/pair/",
  me: "/api/kitchen/displays/me/",
  stations: "/api/kitchen/stations/",
  board: (stationId) => `/api/kitchen/stations/${stationId}/board/`,
  recallLast: (stationId) => `/api/kitchen/stations/${stationId}/recall-last/`,
  pairingCode: (stationId) => `/api/kitchen/stations/${stationId}/pairing-codes/`,
  unpair: (displayId) => `/api/kitchen/displays/${displayId}/unpair/`,
  ticket: (ticketId, action) => `/api/kitchen/tickets/${ticketId}/${action}/`,
  item: (itemId, action) => `/api/kitchen/ticket-items/${itemId}/${action}/`,
  fire: (fireId, action) => `/api/kitchen/fires/${fireId}/${action}/`,
  socket: (stationId, after) => `/ws/kitchen/stations/${stationId}/${after === null ? "" : `?after=${after}`}`,
  screenPage: "/kitchen/",
};

// A cook signed in with her PIN (not a paired screen) goes back to the sign-in screen when
// her session is gone; a paired screen goes to its pairing page.
const openedByPerson = document.body.dataset.screen === "person";
const signedOutPage = openedByPerson ? "/" : kitchenPaths.screenPage;

const BOARD_RETRY_MS = 5000;
const GAP_WAIT_MS = 300;

// ---- the live feed ----------------------------------------------------------------------

/**
 * createFeed({stationId, onBoard(board), onChanges(message), onTicket(ticket), onFire(fire), onStatus(online)})
 *
 * Loads the board, then listens with "?after=<last number>". Numbers are consecutive per
 * station: an old one is ignored, a gap asks the server for everything after the last
 * number it applied (a "changes" answer), and a reconnect does the same by itself.
 * The server's keep-alive (every few seconds) carries the station's latest number from
 * the database: a screen that missed its only message (Redis was down) asks as well.
 * Returns {resync()}, for when a command says the screen is behind (409).
 */
export function createFeed({ stationId, onBoard, onChanges, onTicket, onFire, onStatus }) {
  let seq = null; // the last number applied
  let catchingUp = false; // a resync was asked for; numbers beyond the gap wait for its answer
  let socket = null;
  // Messages past a gap, by number. Two commits a few milliseconds apart can be published
  // in the other order (each after its own commit): wait briefly for the missing one
  // before asking the server for everything.
  const early = new Map();
  let gapTimer = null;
  let behindTimer = null;

  function forgetEarly() {
    early.clear();
    clearTimeout(gapTimer);
    gapTimer = null;
  }

  function applyBoard(board) {
    seq = board.seq;
    catchingUp = false;
    forgetEarly();
    onBoard(board);
  }

  function apply(message) {
    seq = message.seq;
    if (message.type === "ticket" && message.ticket) onTicket?.(message.ticket);
    if (message.type === "fire" && message.fire) onFire?.(message.fire, message);
  }

  function resync() {
    if (seq === null || !socket) return;
    catchingUp = true;
    if (!socket.send({ type: "resync", after: seq })) catchingUp = false; // offline: the reconnect asks
  }

  // The database is at `latest`. A live message may be a moment behind the keep-alive that
  // already counts it: wait as for a gap, then ask for everything after the last one applied.
  function checkLatest(latest) {
    if (seq === null || catchingUp || behindTimer || !(latest > seq)) return;
    behindTimer = setTimeout(() => {
      behindTimer = null;
      if (seq !== null && !catchingUp && seq < latest) resync();
    }, GAP_WAIT_MS);
  }

  function onMessage(message) {
    if (message.type === "keepalive") {
      checkLatest(message.seq);
      return;
    }
    if (message.type === "board") {
      applyBoard(message);
      return;
    }
    if (message.type === "changes") {
      catchingUp = false;
      forgetEarly();
      if (seq === null || message.seq >= seq) {
        seq = message.seq;
        onChanges(message);
      }
      return;
    }
    if (message.type !== "ticket" && message.type !== "fire") return;
    if (seq === null || message.seq <= seq) return; // old news, or nothing to add it to yet
    if (message.seq !== seq + 1) {
      if (catchingUp) return; // the resync's answer brings it
      early.set(message.seq, message);
      // Still a gap after a moment: ask for everything after the last one applied.
      gapTimer ??= setTimeout(() => {
        gapTimer = null;
        forgetEarly();
        resync();
      }, GAP_WAIT_MS);
      return;
    }
    apply(message);
    while (early.has(seq + 1)) {
      const next = early.get(seq + 1);
      early.delete(seq + 1);
      apply(next);
    }
    if (!early.size) forgetEarly();
  }

  function onRefused(code) {
    // 4401: this screen was unpaired (or its session is gone): the page asks for a code again.
    if (code === 4401) location.assign(signedOutPage);
    else if (code === 4403) toast(gettext("This screen belongs to another station. Pair it again."));
    else checkPaired();
  }

  async function loadBoard() {
    try {
      applyBoard(await api("GET", kitchenPaths.board(stationId)));
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        location.assign(signedOutPage);
        return;
      }
      onStatus(false);
      setTimeout(start, BOARD_RETRY_MS);
      return;
    }
    socket = liveSocket(() => kitchenPaths.socket(stationId, seq), {
      onMessage,
      onStatus: (online) => {
        if (!online) {
          catchingUp = false; // the reconnect's "?after=" asks again
          forgetEarly();
        }
        onStatus(online);
      },
      onRefused,
    });
  }

  function start() {
    if (!socket) loadBoard();
  }

  start();
  return { resync };
}

// A screen that cannot connect may have been unpaired: ask, and show the pairing page if so.
async function checkPaired() {
  try {
    const response = await fetch(kitchenPaths.me, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (response.status === 401 || response.status === 403) location.assign(signedOutPage);
    // "Not a paired screen" is only news for a screen that was paired.
    else if (response.status === 400 && !openedByPerson) location.assign(kitchenPaths.screenPage);
  } catch {
    // Offline: keep trying to reconnect.
  }
}

// ---- commands ---------------------------------------------------------------------------

/**
 * command(url, body, {feed, refuse}) -> the answer, or null when it did not happen (said on screen).
 * A 409 means someone (another screen) got there first: resync and say so softly.
 * `refuse(error)` may handle a 400 itself (return true), e.g. to ask for an override.
 */
export async function command(url, body = {}, { feed, refuse } = {}) {
  try {
    return await api("POST", url, { key: newUuid(), body });
  } catch (error) {
    if (!(error instanceof ApiError)) toast(error.message);
    else if (error.status === 401) location.assign(signedOutPage);
    else if (error.status === 409) {
      toast(gettext("Already done on another screen."), "info");
      feed?.resync();
    } else if (!(error.status === 400 && refuse?.(error))) toast(error.message);
    return null;
  }
}

// ---- header: clock, online, sound -----------------------------------------------------

export function startClock(element) {
  const tick = () => {
    const now = new Date();
    element.textContent = now.toLocaleTimeString(document.documentElement.lang || "en", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    element.dateTime = now.toISOString();
  };
  tick();
  setInterval(tick, 1000);
}

export function showOnline(element, online) {
  element.dataset.online = online ? "true" : "false";
  element.textContent = online ? gettext("Live") : gettext("Offline");
  document.body.classList.toggle("kds--offline", !online);
}

/** createSound(button) -> {play(kind)}: WebAudio beeps, allowed after the first tap on the screen. */
export function createSound(button) {
  let context = null;
  let muted = localStorage.getItem("kds-muted") === "1";
  let lastPlayed = 0;

  function render() {
    const enabled = Boolean(context && context.state === "running");
    button.dataset.enabled = enabled ? "true" : "false";
    button.dataset.muted = muted ? "true" : "false";
    if (!enabled) button.textContent = gettext("Tap to turn sound on");
    else button.textContent = muted ? gettext("Sound off") : gettext("Sound on");
  }

  function unlock() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return;
    if (!context) context = new AudioContextClass();
    if (context.state === "suspended") context.resume().then(render, render);
    render();
  }

  // Browsers only let a page make sound after a tap: the first tap anywhere unlocks it.
  document.addEventListener("pointerdown", unlock, { capture: true });
  document.addEventListener("keydown", unlock, { capture: true });
  button.addEventListener("click", () => {
    if (!context || context.state !== "running") return;
    muted = !muted;
    localStorage.setItem("kds-muted", muted ? "1" : "0");
    render();
    if (!muted) play("new");
  });
  render();

  const TUNES = {
    new: [
      [880, 0, 0.12],
      [1320, 0.14, 0.22],
    ],
    ready: [
      [660, 0, 0.12],
      [880, 0.13, 0.12],
      [1320, 0.26, 0.3],
    ],
    void: [
      [440, 0, 0.2],
      [330, 0.24, 0.35],
    ],
  };

  function play(kind = "new") {
    if (!context || context.state !== "running" || muted) return;
    const now = Date.now();
    if (now - lastPlayed < 600) return; // a burst of tickets gets one beep
    lastPlayed = now;
    const start = context.currentTime + 0.01;
    for (const [frequency, offset, length] of TUNES[kind] || TUNES.new) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.35, start + offset + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + length);
      oscillator.connect(gain).connect(context.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + length + 0.05);
    }
  }

  return { play };
}

// ---- ages -------------------------------------------------------------------------------

export function elapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${String(minutes).padStart(2, "0")}:${rest}`;
}

export function ageLevel(seconds, warnMinutes, lateMinutes) {
  if (seconds >= lateMinutes * 60) return "late";
  if (seconds >= warnMinutes * 60) return "warn";
  return "ok";
}

/**
 * startTimers(root, {warn, late}): every second, each [data-since] shows mm:ss since that time
 * (up to [data-until] when set) and its card ([data-age]) gets ok / warn / late.
 */
export function startTimers(root, { warn, late }) {
  const tick = () => {
    const now = Date.now();
    for (const timer of root.querySelectorAll("[data-since]")) {
      const since = Date.parse(timer.dataset.since);
      if (Number.isNaN(since)) continue;
      const until = timer.dataset.until ? Date.parse(timer.dataset.until) : now;
      const seconds = (until - since) / 1000;
      const text = elapsed(seconds);
      if (timer.textContent !== text) timer.textContent = text;
      const card = timer.closest("[data-age]");
      if (card && !timer.dataset.until) {
        const level = ageLevel(seconds, warn, late);
        if (card.dataset.age !== level) card.dataset.age = level;
      }
    }
  };
  tick();
  setInterval(tick, 1000);
  return tick;
}

// ---- drawing helpers --------------------------------------------------------------------

// The kitchen labels an order by its table number ("4", "B2"), else a room, tab or takeaway.
export function isTableNumber(label) {
  return /^[A-Za-z]{0,3}-?\d{1,4}[A-Za-z]?$/.test(String(label || ""));
}

// "Table 4" in words, for lists and questions; a room, tab or takeaway as it is.
export function tableName(label) {
  return isTableNumber(label) ? interpolate(gettext("Table %s"), [label]) : label;
}

export function tableHead(label) {
  return isTableNumber(label)
    ? h("span", { class: "card__table" }, h("span", { class: "card__table-word" }, gettext("Table")), h("span", { class: "card__table-number" }, label))
    : h("span", { class: "card__table card__table--name" }, label);
}

export function seatTag(seat) {
  return seat ? h("span", { class: "seat-tag", title: interpolate(gettext("Seat %s"), [seat]) }, interpolate(gettext("S%s"), [seat])) : null;
}

export function coversText(covers) {
  return interpolate(gettext("%s cv"), [covers]);
}

// The ALLERGENS line under an item that carries any: in red, whole names, never abbreviated.
export function allergenLine(codes) {
  const text = allergenText(codes);
  return text ? h("span", { class: "ticket-allergens", "data-allergens": codes.join(" ") }, text.toUpperCase()) : null;
}

export function modifierList(modifiers) {
  if (!modifiers?.length) return null;
  return h(
    "ul",
    { class: "mods" },
    modifiers.map((text) => {
      const nested = text.startsWith("  ");
      return h("li", { class: nested ? "mods__item mods__item--nested" : "mods__item" }, text.trim());
    }),
  );
}

/** confirmDialog({title, text, confirmLabel, danger}) -> Promise<boolean> */
export function confirmDialog({ title, text, confirmLabel, danger = false }) {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (value) => {
      answered = true;
      resolve(value);
      dialog.close();
    };
    const dialog = h(
      "dialog",
      { class: "kds-dialog", "aria-labelledby": "kds-dialog-title" },
      h("h2", { id: "kds-dialog-title", class: "kds-dialog__title" }, title),
      text ? h("p", { class: "kds-dialog__text" }, text) : null,
      h(
        "footer",
        { class: "kds-dialog__actions" },
        h("button", { type: "button", class: "kbutton", "data-action": "cancel", onclick: () => answer(false) }, gettext("Cancel")),
        h(
          "button",
          { type: "button", class: danger ? "kbutton kbutton--danger" : "kbutton kbutton--primary", "data-action": "confirm", onclick: () => answer(true) },
          confirmLabel,
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      if (!answered) resolve(false);
    });
    showDialog(dialog);
  });
}

export function clockTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString(document.documentElement.lang || "en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
}

/** Keep a list of [data-key] children in the given order, touching the DOM only where it differs. */
export function placeInOrder(box, elements) {
  const current = [...box.children];
  if (current.length === elements.length && current.every((element, index) => element === elements[index])) return;
  box.replaceChildren(...elements);
}
