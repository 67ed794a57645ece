// The browser's Back (a tablet's back gesture) on the order screen: it closes an open dialog
// instead of leaving the page, and asks before leaving an order with lines not sent yet.
//
// History entries of our own carry {tafel: "base" | "guard" | "dialog", level}: the page's
// own entry (base), one on top of it that Back lands on first (guard), one per open dialog.

const ours = (state) => state?.tafel === "guard" || state?.tafel === "dialog";

// While a closed dialog's entry is being taken off (history.back() is not instant), a new
// dialog waits to push its own: else that late Back would close the new one.
let settling = null;

function takeEntryOff() {
  settling = new Promise((resolve) => {
    window.addEventListener("popstate", () => resolve((settling = null)), { once: true });
  });
  history.back();
}

/**
 * closeOnBack(dialog, {onBack}): Back closes this (already shown) dialog instead of leaving
 * the page; onBack() runs first, so a dialog can keep what was typed into it.
 */
export function closeOnBack(dialog, { onBack = null } = {}) {
  if (settling) {
    settling.then(() => dialog.open && closeOnBack(dialog, { onBack }));
    return;
  }
  // One level above the entry we are on (a dialog opened from another goes on top of it).
  const level = (history.state?.tafel === "dialog" ? history.state.level : 0) + 1;
  history.pushState({ tafel: "dialog", level }, "");
  let byBack = false;
  const onPop = (event) => {
    if (event.state?.tafel === "dialog" && event.state.level >= level) return; // still ours
    byBack = true;
    onBack?.();
    dialog.close();
  };
  window.addEventListener("popstate", onPop);
  dialog.addEventListener("close", () => {
    window.removeEventListener("popstate", onPop);
    // Closed by its own buttons: take its entry back off, so the next Back means Back.
    if (!byBack && history.state?.tafel === "dialog" && history.state.level === level) takeEntryOff();
  });
}

/**
 * guardLeaving({mustAsk, ask, link, fallbackUrl}): before the order screen is left by Back or
 * by its `link` while mustAsk() is true, ask(leave) is called instead; leave() goes on.
 */
export function guardLeaving({ mustAsk, ask, link, fallbackUrl }) {
  // A reload keeps the entries: push the guard only once.
  if (!ours(history.state)) {
    history.replaceState({ tafel: "base" }, "");
    history.pushState({ tafel: "guard" }, "");
  }
  // On past the page's own entry: to where the waiter came from (or the floor, if nowhere).
  const cameFromUs = Boolean(document.referrer) && new URL(document.referrer).origin === location.origin;
  const goBack = (steps) => (cameFromUs ? history.go(-steps) : location.assign(fallbackUrl));
  window.addEventListener("popstate", (event) => {
    if (ours(event.state)) return;
    if (!mustAsk()) {
      goBack(1);
      return;
    }
    // Stay on the guard while the waiter answers; leaving then goes past both entries.
    history.pushState({ tafel: "guard" }, "");
    ask(() => goBack(2));
  });
  link.addEventListener("click", (event) => {
    if (!mustAsk()) return;
    event.preventDefault();
    ask(() => location.assign(link.href));
  });
}
