// Dragging a bill item onto another check (or onto "New check") with a finger, a pen or a
// mouse: pointer events on the item's grip. The grip alone has `touch-action: none`, so a
// swipe anywhere else still scrolls the checks sideways.
const START_PX = 6; // movement before a press on the grip becomes a drag
const EDGE_PX = 48; // near the scroller's edge the checks scroll under the finger
const EDGE_SPEED = 14;

/**
 * enableItemDrag(scroller, {onDrop({itemId, fromCheck, toCheck}), onEnd()}) where toCheck is a
 * check id, or null for a new check; onEnd() runs after every drag, dropped or not. Drop targets carry data-drop-check ("new" for a new one);
 * draggable items are .bill-item[data-item-id] inside [data-check-id], with a .bill-item__grip.
 */
export function enableItemDrag(scroller, { onDrop, onEnd = () => {} }) {
  let drag = null;

  function targetAt(x, y) {
    const element = document.elementFromPoint(x, y);
    return element?.closest("[data-drop-check]") || null;
  }

  function mark(target) {
    if (drag.target === target) return;
    drag.target?.classList.remove("bill-drop--over");
    drag.target = target && target.dataset.dropCheck !== String(drag.fromCheck) ? target : null;
    drag.target?.classList.add("bill-drop--over");
  }

  function place(x, y) {
    drag.ghost.style.transform = `translate(${x - drag.offsetX}px, ${y - drag.offsetY}px)`;
  }

  function begin(event) {
    const rect = drag.item.getBoundingClientRect();
    drag.offsetX = drag.startX - rect.left;
    drag.offsetY = drag.startY - rect.top;
    const ghost = drag.item.cloneNode(true);
    ghost.classList.add("bill-drag-ghost");
    ghost.removeAttribute("id");
    ghost.setAttribute("aria-hidden", "true");
    ghost.style.width = `${rect.width}px`;
    document.body.append(ghost);
    drag.ghost = ghost;
    drag.item.classList.add("bill-item--dragging");
    document.body.classList.add("bill-dragging");
    place(event.clientX, event.clientY);
    drag.frame = requestAnimationFrame(edgeScroll);
  }

  // Holding the item near the left or right edge scrolls the checks towards it.
  function edgeScroll() {
    if (!drag?.ghost) return;
    const box = scroller.getBoundingClientRect();
    if (drag.x < box.left + EDGE_PX) scroller.scrollLeft -= EDGE_SPEED;
    else if (drag.x > box.right - EDGE_PX) scroller.scrollLeft += EDGE_SPEED;
    mark(targetAt(drag.x, drag.y));
    drag.frame = requestAnimationFrame(edgeScroll);
  }

  function finish(drop) {
    if (!drag) return;
    const { item, ghost, target, fromCheck, itemId, frame } = drag;
    cancelAnimationFrame(frame);
    ghost?.remove();
    item.classList.remove("bill-item--dragging");
    target?.classList.remove("bill-drop--over");
    document.body.classList.remove("bill-dragging");
    drag = null;
    if (drop && ghost && target) {
      const to = target.dataset.dropCheck;
      onDrop({ itemId, fromCheck, toCheck: to === "new" ? null : Number(to) });
    }
    onEnd();
  }

  scroller.addEventListener("pointerdown", (event) => {
    const grip = event.target.closest(".bill-item__grip");
    if (!grip || drag || (event.pointerType === "mouse" && event.button !== 0)) return;
    const item = grip.closest(".bill-item");
    const column = grip.closest("[data-check-id]");
    if (!item || !column) return;
    event.preventDefault();
    grip.setPointerCapture?.(event.pointerId);
    drag = {
      pointerId: event.pointerId,
      item,
      itemId: Number(item.dataset.itemId),
      fromCheck: Number(column.dataset.checkId),
      startX: event.clientX,
      startY: event.clientY,
      x: event.clientX,
      y: event.clientY,
      ghost: null,
      target: null,
      frame: 0,
    };
  });

  scroller.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag.x = event.clientX;
    drag.y = event.clientY;
    if (!drag.ghost) {
      if (Math.hypot(drag.x - drag.startX, drag.y - drag.startY) < START_PX) return;
      begin(event);
    }
    event.preventDefault();
    place(drag.x, drag.y);
    mark(targetAt(drag.x, drag.y));
  });

  scroller.addEventListener("pointerup", (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    if (drag.ghost) mark(targetAt(event.clientX, event.clientY));
    finish(true);
  });
  scroller.addEventListener("pointercancel", () => finish(false));
  scroller.addEventListener("lostpointercapture", (event) => {
    // The grip went away (the bill was redrawn) or the browser took the pointer: no drop.
    if (drag && event.pointerId === drag.pointerId) finish(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") finish(false);
  });
}
