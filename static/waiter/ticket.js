// The ticket: the order's lines grouped by course, then seat, with status and total.
import { allergenMarks } from "./allergens.js";
import { h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { money, moneyDelta } from "./money.js";

export function statusLabel(status) {
  const labels = {
    pending: gettext("new"),
    sending: gettext("sending…"),
    sent: gettext("sent"),
    held: gettext("held"),
    served: gettext("served"),
    void: gettext("void"),
  };
  return labels[status] || status;
}

export function seatName(seat) {
  return seat === 0 ? gettext("Shared") : interpolate(gettext("Seat %s"), [seat]);
}

export function courseNamer(courses) {
  const names = Object.fromEntries(courses.map((course) => [course.number, course.name]));
  return (number) => names[number] || interpolate(gettext("Course %s"), [number]);
}

// [[course, [[seat, lines], ...]], ...] sorted by course then seat (Shared first).
function group(lines) {
  const courses = new Map();
  for (const line of lines) {
    if (!courses.has(line.course)) courses.set(line.course, new Map());
    const seats = courses.get(line.course);
    if (!seats.has(line.seat)) seats.set(line.seat, []);
    seats.get(line.seat).push(line);
  }
  const byNumber = (a, b) => a[0] - b[0];
  return [...courses].sort(byNumber).map(([course, seats]) => [course, [...seats].sort(byNumber)]);
}

// `held`: the line is sent, but its course waits in the kitchen until fired.
// `setTotal`: a set menu's line shows the set's price (its dishes carry it, each at its own tax rate).
function lineElement(line, onTap, held, setTotal) {
  const status = line.status;
  const shown = held && status === "sent" ? "held" : status;
  const tappable = status !== "sending" && status !== "void";
  return h(
    "li",
    { class: "ticket-line" },
    h(
      "button",
      {
        type: "button",
        class: `line line--${status}`,
        "data-line-id": line.id ?? "",
        "data-status": status,
        "data-held": shown === "held" ? "true" : null,
        disabled: !tappable,
        onclick: () => onTap(line),
      },
      h(
        "span",
        { class: "line__main" },
        h("span", { class: "line__qty" }, `${line.qty}×`),
        h("span", { class: "line__name" }, line.name),
        // A void line counts 0; show what it was, struck through.
        h(
          "span",
          { class: "line__price" },
          line.set_line
            ? gettext("in set")
            : money(setTotal ?? (status === "void" ? line.qty * (line.unit_price + line.modifiers_price) : line.total)),
        ),
      ),
      line.modifiers.length
        ? h(
            "ul",
            { class: "line__modifiers" },
            line.modifiers.map((modifier) =>
              h(
                "li",
                { class: modifier.parent ? "line__modifier line__modifier--nested" : "line__modifier" },
                modifier.name,
                modifier.price_delta ? h("span", { class: "line__modifier-price" }, moneyDelta(modifier.price_delta)) : null,
              ),
            ),
          )
        : null,
      allergenMarks(line.allergens, "allergens line__allergens"),
      line.note ? h("span", { class: "line__note" }, line.note) : null,
      h("span", { class: `line__status status status--${shown}` }, statusLabel(shown)),
    ),
  );
}

const KITCHEN_STATES = {
  held: gettext("on hold"),
  fired: gettext("fired"),
  ready: gettext("ready"),
  bumped: gettext("picked up"),
};

// Where the course is in the kitchen: a Fire button while on hold, then "fired", "ready".
function kitchenState(course, fire, courseName, onFire) {
  if (!fire) return null;
  if (fire.status === "held" && onFire) return fireButton(course, fire, courseName, onFire);
  return h(
    "span",
    { class: `kitchen-state kitchen-state--${fire.status}`, "data-kitchen-status": fire.status, "data-course": course },
    fire.rush ? h("span", { class: "kitchen-state__rush" }, gettext("Rush")) : null,
    KITCHEN_STATES[fire.status] || fire.status,
  );
}

// A held course: the kitchen waits for this button ("Fire Mains").
function fireButton(course, fire, courseName, onFire) {
  const button = h(
    "button",
    {
      type: "button",
      class: "fire-button",
      "data-action": "fire",
      "data-course": course,
      title: gettext("On hold in the kitchen: tap to start cooking it"),
      onclick: () => onFire(course, button),
    },
    interpolate(gettext("Fire %s"), [fire.course_name || courseName(course)]),
  );
  return button;
}

// A course whose lines are at the kitchen can be marked served at the table; a held one is
// not cooking yet, so it offers Fire, never Served.
function courseHead(course, seats, courseName, onServe, fire, onFire) {
  const held = fire?.status === "held";
  const sent = !held && seats.some(([, seatLines]) => seatLines.some((line) => line.status === "sent"));
  const title = h("h3", { class: "ticket-course__title" }, courseName(course));
  const kitchen = kitchenState(course, fire, courseName, onFire);
  if (!onServe || !sent) return h("div", { class: "ticket-course__head" }, title, kitchen);
  const button = h(
    "button",
    {
      type: "button",
      class: "serve-button",
      "data-action": "serve",
      "data-course": course,
      "aria-label": interpolate(gettext("Mark %s served"), [courseName(course)]),
      onclick: () => onServe(course, button),
    },
    h("span", { "aria-hidden": "true" }, "\u2713"),
    gettext("Served"),
  );
  return h("div", { class: "ticket-course__head" }, title, kitchen, button);
}

/**
 * renderTicket(box, {lines, courseName, onTap, onServe, fires, onFire}); onServe(course, button) or null;
 * fires: {course: {status, rush, course_name}} from the kitchen, onFire(course, button) fires a held one.
 */
export function renderTicket(box, { lines, courseName, onTap, onServe = null, fires = {}, onFire = null }) {
  if (!lines.length) {
    box.replaceChildren(h("p", { class: "ticket__empty" }, gettext("Nothing ordered yet. Tap an item to add it.")));
    return;
  }
  const setTotals = new Map();
  for (const line of lines) {
    if (!line.set_line) continue;
    const whole = line.status === "void" ? line.qty * (line.unit_price + line.modifiers_price) : line.total;
    setTotals.set(line.set_line, (setTotals.get(line.set_line) ?? 0) + whole);
  }
  box.replaceChildren(
    ...group(lines).map(([course, seats]) =>
      h(
        "section",
        { class: "ticket-course", "data-course": course },
        courseHead(course, seats, courseName, onServe, fires[course], onFire),
        seats.map(([seat, seatLines]) =>
          h(
            "div",
            { class: "ticket-seat", "data-seat": seat },
            h("h4", { class: "ticket-seat__title" }, seatName(seat)),
            h("ul", { class: "ticket-lines" }, seatLines.map((line) =>
              lineElement(line, onTap, fires[course]?.status === "held", setTotals.has(line.id) ? line.total + setTotals.get(line.id) : undefined),
            )),
          ),
        ),
      ),
    ),
  );
}
