// The kitchen calls the waiter: "Table 4: Mains ready". A call stays on screen (and marks
// the table on the floor) until the waiter taps it; a tap is remembered on this tablet.
import { api, paths } from "./api.js";
import { h, toastBox } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { bellIcon } from "./icons.js";

const STORAGE_KEY = "tafel-ready-seen";
const REMEMBER = 200; // dismissed calls kept in storage

function readSeen() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
  } catch {
    return [];
  }
}

// The same course can be ready twice (recalled, then done again): a call is its fire and time.
const callKey = (fire) => `${fire.id}:${fire.ready_at || ""}`;

export function readyTitle(fire) {
  const course = fire.course_name || interpolate(gettext("Course %s"), [fire.course]);
  const table = /^[A-Za-z]{0,3}-?\d{1,4}[A-Za-z]?$/.test(String(fire.table || ""))
    ? interpolate(gettext("Table %s"), [fire.table])
    : fire.table;
  return interpolate(gettext("%(table)s: %(course)s ready"), { table, course }, true);
}

/** createReadyCalls({onChange}) -> {add(fire), load(), dismissOrder(orderId), orders()} */
export function createReadyCalls({ onChange } = {}) {
  const calls = new Map(); // key -> {fire, toast}
  let seen = readSeen();


  function remember(key) {
    seen = [...seen.filter((k) => k !== key), key].slice(-REMEMBER);
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(seen));
    } catch {
      // Private mode or full: the call just comes back after a reload.
    }
  }

  function dismiss(key) {
    const call = calls.get(key);
    if (!call) return;
    calls.delete(key);
    call.toast.remove();
    remember(key);
    onChange?.();
  }

  function add(fire) {
    const key = callKey(fire);
    if (calls.has(key) || seen.includes(key)) return;
    const toast = h(
      "button",
      {
        type: "button",
        class: "toast toast--ready",
        role: "alert",
        "data-fire-id": fire.id,
        "data-order-id": fire.order,
        onclick: () => dismiss(key),
      },
      h("span", { class: "toast--ready__bell" }, bellIcon()),
      h("span", { class: "toast--ready__text" }, readyTitle(fire)),
      h("span", { class: "toast--ready__hint" }, gettext("Tap when picked up")),
    );
    calls.set(key, { fire, toast });
    toastBox({ inDialog: false }).append(toast);
    navigator.vibrate?.(200);
    onChange?.();
  }

  // After a (re)connect: every call this waiter may have missed while offline.
  async function load() {
    try {
      const answer = await api("GET", paths.kitchenReady);
      for (const fire of answer.ready) add(fire);
    } catch {
      // Offline or not allowed: the next reconnect asks again.
    }
  }

  return {
    add,
    load,
    dismissOrder(orderId) {
      for (const [key, call] of [...calls]) if (call.fire.order === orderId) dismiss(key);
    },
    orders() {
      return new Set([...calls.values()].map((call) => call.fire.order));
    },
  };
}
