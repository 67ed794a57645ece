// A shared tablet goes back to the PIN pad when nobody has touched it for the idle limit
// (IDLE_SIGN_OUT_MINUTES, given by the page). The server keeps the same limit for when the
// page is not running (a tablet asleep); touches tell the server the tablet is in use.
import { api, paths } from "./api.js";

const script = document.getElementById("idle-sign-out");
const limitMs = Number(script?.dataset.seconds || 0) * 1000;
const TELL_SERVER_EVERY_MS = Math.min(60_000, limitMs / 3);

let lastUsed = Date.now();
let lastTold = Date.now();
let timer = null;
let leaving = false;

async function signOut() {
  if (leaving) return;
  leaving = true;
  await api("POST", paths.signOut, { retry: false }).catch(() => {});
  location.assign(paths.signInPage);
}

function check() {
  clearTimeout(timer);
  const idleFor = Date.now() - lastUsed;
  if (idleFor >= limitMs) {
    signOut();
    return;
  }
  timer = setTimeout(check, limitMs - idleFor);
}

function used() {
  if (leaving) return;
  // A sleeping tablet's timers run late: decide on the clock, not on the timer.
  if (Date.now() - lastUsed >= limitMs) {
    check();
    return;
  }
  lastUsed = Date.now();
  if (lastUsed - lastTold >= TELL_SERVER_EVERY_MS) {
    lastTold = lastUsed;
    api("GET", paths.me, { retry: false }).catch(() => {});
  }
}

if (limitMs > 0) {
  for (const type of ["pointerdown", "keydown", "touchstart", "wheel"]) {
    document.addEventListener(type, used, { capture: true, passive: true });
  }
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && check());
  window.addEventListener("focus", check);
  check();
}
