// The ticket: the order's lines grouped by course, then seat, with status and total.
import { h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { money, moneyDelta } from "./money.js";

export function statusLabel(status) {
  const labels = {
    pending: gettext("new"),
    sending: gettext("sending…"),
    sent: gettext("sent"),
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

function lineElement(line, onTap) {
  const status = line.status;
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
        disabled: !tappable,
        onclick: () => onTap(line),
      },
      h(
        "span",
        { class: "line__main" },
        h("span", { class: "line__qty" }, `${line.qty}×`),
        h("span", { class: "line__name" }, line.name),
        // A void line counts 0; show what it was, struck through.
        h("span", { class: "line__price" }, money(status === "void" ? line.qty * (line.unit_price + line.modifiers_price) : line.total)),
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
      line.note ? h("span", { class: "line__note" }, line.note) : null,
      h("span", { class: `line__status status status--${status}` }, statusLabel(status)),
    ),
  );
}

// A course whose lines are at the kitchen can be marked served at the table.
function courseHead(course, seats, courseName, onServe) {
  const sent = seats.some(([, seatLines]) => seatLines.some((line) => line.status === "sent"));
  const title = h("h3", { class: "ticket-course__title" }, courseName(course));
  if (!onServe || !sent) return h("div", { class: "ticket-course__head" }, title);
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
  return h("div", { class: "ticket-course__head" }, title, button);
}

/** renderTicket(box, {lines, courseName, onTap, onServe}); onServe(course, button) or null */
export function renderTicket(box, { lines, courseName, onTap, onServe = null }) {
  if (!lines.length) {
    box.replaceChildren(h("p", { class: "ticket__empty" }, gettext("Nothing ordered yet. Tap an item to add it.")));
    return;
  }
  box.replaceChildren(
    ...group(lines).map(([course, seats]) =>
      h(
        "section",
        { class: "ticket-course", "data-course": course },
        courseHead(course, seats, courseName, onServe),
        seats.map(([seat, seatLines]) =>
          h(
            "div",
            { class: "ticket-seat", "data-seat": seat },
            h("h4", { class: "ticket-seat__title" }, seatName(seat)),
            h("ul", { class: "ticket-lines" }, seatLines.map((line) => lineElement(line, onTap))),
          ),
        ),
      ),
    ),
  );
}
