// A long press (a finger held still on a tile or a ticket item) as a second gesture beside the
// tap: the tap that ends a long press is swallowed, so it never also adds or starts the item.
const HOLD_MS = 550;
const SLOP_PX = 10;

export function onLongPress(element, handler, { holdMs = HOLD_MS } = {}) {
  let timer = null;
  let fired = false;
  let start = null;
  const cancel = () => {
    clearTimeout(timer);
    timer = null;
  };
  element.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    fired = false;
    start = [event.clientX, event.clientY];
    cancel();
    timer = setTimeout(() => {
      timer = null;
      fired = true;
      handler(event);
    }, holdMs);
  });
  element.addEventListener("pointermove", (event) => {
    if (timer && start && Math.hypot(event.clientX - start[0], event.clientY - start[1]) > SLOP_PX) cancel();
  });
  for (const type of ["pointerup", "pointercancel", "pointerleave"]) element.addEventListener(type, cancel);
  // Capture at the element runs before its own click handler: a long press is not a tap.
  element.addEventListener(
    "click",
    (event) => {
      if (!fired) return;
      fired = false;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    { capture: true },
  );
  // A held finger also opens the browser's menu on Android: the long press replaces it.
  element.addEventListener("contextmenu", (event) => event.preventDefault());
}
