// The front desk: every room charge of the business day (the ones that need a person
// first, with the check attached), the link to the PMS as its process last reported
// it, and on the built-in ledger the guests in house with their folios.
import { api, newUuid, paths as waiterPaths, whenSignedOut } from "../waiter/api.js";
import { h, setBusy, showDialog, toast } from "../waiter/dom.js";
import { gettext, interpolate } from "../waiter/i18n.js";
import { money } from "../waiter/money.js";
import { clockTime, shortDateTime } from "../waiter/when.js";

const paths = {
  postings: "/api/pms/postings/",
  action: (postingId, action) => `/api/pms/postings/${postingId}/${action}/`,
  hotelGuests: (hotelId) => `/api/pms/hotels/${hotelId}/guests/`,
  stays: "/api/pms/stays/",
  stay: (stayId) => `/api/pms/stays/${stayId}/`,
  checkOut: (stayId) => `/api/pms/stays/${stayId}/check-out/`,
  folioPage: (stayId) => `/frontdesk/stays/${stayId}/folio/`,
};
// The link process writes its state every few seconds; the page follows it at this pace.
const REFRESH_MS = 5000;

const root = document.getElementById("front-desk");
const isManager = root.dataset.manager === "true";
const linksBox = document.getElementById("links");
const postingsBox = document.getElementById("postings");
const filters = document.getElementById("filters");
const openChecks = new Set(); // posting ids whose check image the desk has opened
let refreshTimer = null;

const PROBLEM_STATES = new Set(["rejected", "unknown"]);
const STATE_NOTES = {
  queued: gettext("Waiting to be sent to the PMS."),
  sent: gettext("Sent, waiting for the PMS's answer."),
  posted: "",
  rejected: gettext("The PMS refused it. Fix it: send it again, post it to another guest or settle it another way."),
  unknown: gettext(
    "Sent, but the PMS never answered. Look at the guest's folio in the PMS first: it may be there already.",
  ),
  cancelled: "",
};

const time = clockTime;
const dateTime = shortDateTime;

function shortDate(isoDate) {
  return new Date(`${isoDate}T12:00:00`).toLocaleDateString(document.documentElement.lang || "en", { day: "numeric", month: "short" });
}

// The link ---------------------------------------------------------------------

const LINK_STATES = {
  up: gettext("Up"),
  down: gettext("Down"),
  night_audit: gettext("Night audit"),
};
const INTERFACES = { ledger: gettext("Built-in ledger"), fias: "FIAS", opera_cloud: "OPERA Cloud" };

function drawLinks(links) {
  linksBox.setAttribute("aria-busy", "false");
  linksBox.replaceChildren(
    ...links.map((link) => {
      const facts = [];
      if (link.state !== "up" && link.since) facts.push(interpolate(gettext("since %s"), [dateTime(link.since)]));
      if (link.last_answer_at) facts.push(interpolate(gettext("last answer %s"), [dateTime(link.last_answer_at)]));
      facts.push(interpolate(gettext("%s waiting"), [link.queue]));
      return h(
        "div",
        { class: `link link--${link.state}${link.alarm ? " link--alarm" : ""}`, "data-state": link.state, role: link.alarm ? "alert" : null },
        h("span", { class: "link__hotel" }, link.hotel),
        h("span", { class: "link__interface muted" }, INTERFACES[link.interface] || link.interface),
        h("span", { class: "link__state" }, LINK_STATES[link.state] || link.state),
        h("span", { class: "link__facts" }, facts.join(" · ")),
        link.alarm
          ? h("span", { class: "link__alarm" }, gettext("Room charges are piling up: check the PMS and the link process."))
          : null,
        link.last_error && link.state !== "up" ? h("span", { class: "link__error" }, link.last_error) : null,
      );
    }),
  );
}

// The postings ---------------------------------------------------------------------

function query() {
  const data = new FormData(filters);
  const params = new URLSearchParams();
  for (const [key, value] of data.entries()) if (String(value).trim()) params.set(key, String(value).trim());
  return params.toString();
}

async function refresh() {
  clearTimeout(refreshTimer);
  try {
    const answer = await api("GET", `${paths.postings}?${query()}`);
    drawLinks(answer.links);
    drawPostings(answer.postings);
  } catch (problem) {
    postingsBox.setAttribute("aria-busy", "false");
    toast(problem.message);
  } finally {
    refreshTimer = setTimeout(refreshWhenIdle, REFRESH_MS);
  }
}

// Never redraw under an open dialog: the desk is in the middle of a fix.
function refreshWhenIdle() {
  if (document.querySelector("dialog[open]")) refreshTimer = setTimeout(refreshWhenIdle, REFRESH_MS);
  else refresh();
}

function drawPostings(postings) {
  postingsBox.setAttribute("aria-busy", "false");
  if (!postings.length) {
    postingsBox.replaceChildren(h("p", { class: "empty" }, gettext("No room charges on this day.")));
    return;
  }
  postingsBox.replaceChildren(...postings.map(postingCard));
}

function postingCard(posting) {
  const problem = PROBLEM_STATES.has(posting.state) || (posting.state === "queued" && posting.accepted_offline && posting.attempts > 0);
  const details = h(
    "details",
    {
      class: "posting__check",
      open: problem || openChecks.has(posting.id),
      ontoggle: (event) => (event.target.open ? openChecks.add(posting.id) : openChecks.delete(posting.id)),
    },
    h("summary", {}, interpolate(gettext("Check %s"), [posting.check_number])),
    h("pre", { class: "check-image" }, posting.check_text || gettext("No check image.")),
  );
  const flags = [];
  if (posting.credit_override) flags.push(h("span", { class: "tag tag--warn" }, gettext("Manager override")));
  if (posting.accepted_offline) flags.push(h("span", { class: "tag" }, gettext("Accepted offline")));
  if (posting.replaces) flags.push(h("span", { class: "tag" }, gettext("Reposted")));
  const answer =
    posting.answer_code || posting.answer_text
      ? h("p", { class: "posting__answer" }, [posting.answer_code, posting.answer_text].filter(Boolean).join(": "))
      : null;
  const note = STATE_NOTES[posting.state] ? h("p", { class: "posting__note muted" }, STATE_NOTES[posting.state]) : null;
  const settledElsewhere =
    posting.state === "cancelled" && posting.check_status && posting.check_status !== "paid"
      ? h("p", { class: "posting__note" }, gettext("The check is open again for the cashier."))
      : null;
  return h(
    "article",
    {
      class: `posting posting--${posting.state}${problem ? " posting--problem" : ""}`,
      "data-posting-id": posting.id,
      "data-state": posting.state,
      "aria-label": interpolate(gettext("Room %(room)s, %(guest)s, %(amount)s"), { room: posting.room, guest: posting.guest, amount: money(posting.amount) }, true),
    },
    h(
      "header",
      { class: "posting__head" },
      h("span", { class: `state state--${posting.state}` }, posting.state_label),
      h("span", { class: "posting__time" }, time(posting.created_at)),
      h("span", { class: "posting__room" }, interpolate(gettext("Room %s"), [posting.room])),
      h("span", { class: "posting__guest" }, posting.guest),
      h("span", { class: "posting__outlet muted" }, posting.outlet),
      h(
        "span",
        { class: "posting__amount" },
        money(posting.amount),
        posting.tip ? h("span", { class: "muted" }, " ", interpolate(gettext("incl. tip %s"), [money(posting.tip)])) : null,
      ),
      flags,
    ),
    answer,
    note,
    settledElsewhere,
    actions(posting),
    details,
  );
}

function actions(posting) {
  const buttons = [];
  const unknown = posting.state === "unknown";
  if (unknown) {
    buttons.push(actionButton(gettext("It is on the folio"), "confirm", () => confirmDialog(posting), "button--primary"));
    buttons.push(actionButton(gettext("Not on the folio: send again"), "retry", () => retry(posting, true)));
  } else if (posting.state === "rejected") {
    buttons.push(actionButton(gettext("Send again"), "retry", () => retry(posting, false), "button--primary"));
  }
  if (["rejected", "unknown", "queued"].includes(posting.state)) {
    buttons.push(actionButton(gettext("Post to another guest"), "redirect", () => redirectDialog(posting)));
    buttons.push(actionButton(gettext("Settle another way"), "withdraw", () => withdrawDialog(posting), "button--danger"));
  }
  return buttons.length ? h("div", { class: "posting__actions" }, buttons) : null;
}

function actionButton(label, action, onclick, kind = "") {
  return h("button", { type: "button", class: `button ${kind}`.trim(), "data-action": action, onclick }, label);
}

async function act(posting, action, body, button) {
  if (button) setBusy(button, true);
  try {
    const answer = await api("POST", paths.action(posting.id, action), { body, key: newUuid() });
    await refresh();
    return answer;
  } finally {
    if (button) setBusy(button, false);
  }
}

async function retry(posting, checkedFolio) {
  const button = postingsBox.querySelector(`[data-posting-id="${posting.id}"] [data-action="retry"]`);
  try {
    await act(posting, "retry", { checked_folio: checkedFolio }, button);
    toast(gettext("Sent again."), "ok");
  } catch (problem) {
    toast(problem.message);
  }
}

// A small dialog with a form; `submit(form)` resolves to close it, throws to show the error.
function formDialog({ title, text, fields, submitLabel, submitKind = "button--primary", submit, name }) {
  const error = h("p", { class: "form-error", role: "alert" });
  const go = h("button", { type: "submit", class: `button ${submitKind}`, "data-action": "submit" }, submitLabel);
  const form = h(
    "form",
    { method: "dialog", class: "fd-form" },
    h("h2", { class: "sheet__title" }, title),
    text ? h("p", { class: "sheet__text" }, text) : null,
    fields,
    error,
    h(
      "footer",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      go,
    ),
  );
  const dialog = h("dialog", { class: "sheet", "aria-label": title, "data-dialog": name }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    setBusy(go, true);
    try {
      await submit(form);
      dialog.close();
    } catch (problem) {
      error.textContent = problem.message;
    } finally {
      setBusy(go, false);
    }
  });
  showDialog(dialog);
  return { dialog, form, error };
}

function confirmDialog(posting) {
  formDialog({
    name: "confirm",
    title: gettext("The charge is on the folio"),
    text: interpolate(gettext("You found %(amount)s for check %(check)s on the folio of room %(room)s: it counts as posted and the check stays paid."), { amount: money(posting.amount), check: posting.check_number, room: posting.room }, true),
    fields: h("label", { class: "field" }, h("span", {}, gettext("Note (the PMS's reference, who checked)")), h("input", { class: "input", name: "note", maxlength: "200", autocomplete: "off" })),
    submitLabel: gettext("Mark as posted"),
    submit: async (form) => {
      await act(posting, "confirm", { note: form.elements.note.value.trim() });
      toast(gettext("Marked as posted."), "ok");
    },
  });
}

function withdrawDialog(posting) {
  const checked = posting.state === "unknown" ? h("label", { class: "choice-row" }, h("input", { type: "checkbox", name: "checked_folio", required: true }), gettext("I checked the folio in the PMS: the charge is not there.")) : null;
  formDialog({
    name: "withdraw",
    title: gettext("Settle another way"),
    text: interpolate(gettext("The charge of %(amount)s leaves the hotel's queue and check %(check)s opens again, for the cashier to take another tender."), { amount: money(posting.amount), check: posting.check_number }, true),
    fields: [
      h("label", { class: "field" }, h("span", {}, gettext("Why")), h("input", { class: "input", name: "reason", required: true, maxlength: "200", autocomplete: "off" })),
      checked,
    ],
    submitLabel: gettext("Reopen the check"),
    submitKind: "button--danger",
    submit: async (form) => {
      await act(posting, "withdraw", { reason: form.elements.reason.value.trim(), checked_folio: Boolean(form.elements.checked_folio?.checked) });
      toast(gettext("The check is open again for the cashier."), "ok");
    },
  });
}

function redirectDialog(posting) {
  let chosen = null;
  let guests = [];
  const room = h("input", { class: "input", name: "room", required: true, autocomplete: "off", inputmode: "numeric", "aria-label": gettext("Room") });
  const find = h("button", { type: "button", class: "button", "data-action": "find-guests" }, gettext("Find guests"));
  const list = h("div", { class: "guest-list", role: "radiogroup", "aria-label": gettext("Guest") });
  const override = isManager
    ? h("label", { class: "choice-row", hidden: true }, h("input", { type: "checkbox", name: "override" }), gettext("Manager override: post although the hotel blocked this guest or the credit limit is reached"))
    : null;
  const checked = posting.state === "unknown" ? h("label", { class: "choice-row" }, h("input", { type: "checkbox", name: "checked_folio", required: true }), gettext("I checked the folio in the PMS: the charge is not there.")) : null;

  function drawGuests() {
    if (!guests.length) {
      list.replaceChildren(h("p", { class: "muted" }, gettext("No guest in house matches.")));
      return;
    }
    list.replaceChildren(
      ...guests.map((guest) =>
        h(
          "button",
          {
            type: "button",
            class: "guest-card",
            role: "radio",
            "aria-checked": chosen === guest ? "true" : "false",
            "data-guest-id": guest.guest_id,
            onclick: () => {
              chosen = guest;
              const blocked = !guest.allow_postings || (guest.credit_left !== null && guest.credit_left !== undefined && guest.credit_left < posting.amount);
              if (override) override.hidden = !blocked;
              drawGuests();
            },
          },
          h("span", { class: "guest-card__room" }, guest.room),
          h("span", { class: "guest-card__name" }, guest.name),
          !guest.allow_postings ? h("span", { class: "guest-card__flag guest-card__flag--stop" }, gettext("No-post")) : null,
          guest.credit_left !== null && guest.credit_left !== undefined
            ? h("span", { class: "guest-card__flag" }, interpolate(gettext("Credit left %s"), [money(Math.max(guest.credit_left, 0))]))
            : null,
        ),
      ),
    );
  }

  const { error } = formDialog({
    name: "redirect",
    title: gettext("Post to another guest"),
    text: interpolate(gettext("Check %(check)s, %(amount)s, goes to the guest you pick instead of room %(room)s."), { check: posting.check_number, amount: money(posting.amount), room: posting.room }, true),
    fields: [h("div", { class: "room-search" }, room, find), list, override, checked],
    submitLabel: gettext("Post to this guest"),
    submit: async (form) => {
      if (!chosen) throw new Error(gettext("Find the room and pick the guest first."));
      await act(posting, "redirect", {
        room: chosen.room,
        guest: chosen.guest_id,
        override: Boolean(form.elements.override?.checked),
        checked_folio: Boolean(form.elements.checked_folio?.checked),
      });
      toast(interpolate(gettext("Posted to room %s instead."), [chosen.room]), "ok");
    },
  });

  async function lookUp() {
    const text = room.value.trim();
    if (!text) return;
    error.textContent = "";
    chosen = null;
    setBusy(find, true);
    // Said at once: the PMS may answer a posting first (FIAS takes one request at a time).
    list.replaceChildren(h("p", { class: "muted guest-list__waiting", role: "status" }, gettext("Waiting for the hotel…")));
    const key = /^\d+[a-z]?$/i.test(text) ? "room" : "name";
    try {
      guests = (await api("GET", `${paths.hotelGuests(posting.hotel)}?${key}=${encodeURIComponent(text)}`)).guests;
      if (guests.length === 1) chosen = guests[0];
      drawGuests();
    } catch (problem) {
      guests = [];
      list.replaceChildren();
      error.textContent = problem.message;
    } finally {
      setBusy(find, false);
    }
  }
  room.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      lookUp();
    }
  });
  find.addEventListener("click", lookUp);
  room.focus();
}

// Guests in house (built-in ledger) -----------------------------------------------------

function minorUnits(text) {
  const value = String(text || "").trim().replace(",", ".");
  if (!value) return null;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(gettext("Give the credit limit as an amount, e.g. 500."));
  const decimals = Number(document.body.dataset.currencyDecimals || 2);
  return Math.round(number * 10 ** decimals);
}

function majorUnits(minor) {
  const decimals = Number(document.body.dataset.currencyDecimals || 2);
  return minor === null || minor === undefined ? "" : (minor / 10 ** decimals).toFixed(decimals);
}

async function loadStays(section) {
  const box = section.querySelector('[data-role="stays"]');
  try {
    const { stays } = await api("GET", `${paths.stays}?hotel=${section.dataset.hotelId}`);
    box.setAttribute("aria-busy", "false");
    if (!stays.length) {
      box.replaceChildren(h("p", { class: "empty" }, gettext("Nobody is in house.")));
      return;
    }
    box.replaceChildren(
      h(
        "table",
        { class: "stays__table" },
        h(
          "thead",
          {},
          h("tr", {}, [gettext("Room"), gettext("Guest"), gettext("Stay"), gettext("Room charges"), gettext("Balance"), ""].map((label, i) => h("th", { scope: "col", class: i === 4 ? "num" : null }, label))),
        ),
        h("tbody", {}, stays.map((stay) => stayRow(section, stay))),
      ),
    );
  } catch (problem) {
    box.setAttribute("aria-busy", "false");
    box.replaceChildren(h("p", { class: "empty" }, problem.message));
  }
}

function stayRow(section, stay) {
  const charges = [];
  if (!stay.allow_postings) charges.push(h("span", { class: "tag tag--warn" }, gettext("No-post")));
  else charges.push(h("span", { class: "tag" }, gettext("Allowed")));
  if (stay.credit_limit !== null) charges.push(h("span", { class: "tag" }, interpolate(gettext("limit %s"), [money(stay.credit_limit)])));
  return h(
    "tr",
    { "data-stay-id": stay.id, "data-room": stay.room },
    h("td", { class: "stays__room" }, stay.room),
    h("td", {}, stay.guest_name),
    h("td", { class: "stays__dates" }, `${shortDate(stay.arrival)} → ${shortDate(stay.departure)}`),
    h("td", {}, charges),
    h("td", { class: "num" }, money(stay.balance)),
    h(
      "td",
      { class: "stays__actions" },
      h("a", { class: "button", href: paths.folioPage(stay.id), "data-action": "folio" }, gettext("Folio")),
      h("button", { type: "button", class: "button", "data-action": "edit-stay", onclick: () => editStayDialog(section, stay) }, gettext("Change")),
      h("button", { type: "button", class: "button button--danger", "data-action": "check-out", onclick: () => checkOutDialog(section, stay) }, gettext("Check out")),
    ),
  );
}

function stayFields(stay = {}) {
  return [
    h("label", { class: "choice-row" }, h("input", { type: "checkbox", name: "allow_postings", checked: stay.allow_postings ?? true }), gettext("The outlets may charge to this room")),
    h(
      "label",
      { class: "field" },
      h("span", {}, gettext("Credit limit (empty: none)")),
      h("input", { class: "input", name: "credit_limit", inputmode: "decimal", autocomplete: "off", value: majorUnits(stay.credit_limit) }),
    ),
  ];
}

function checkInDialog(section) {
  const tomorrow = new Date(`${root.dataset.today}T12:00:00`);
  tomorrow.setDate(tomorrow.getDate() + 1);
  formDialog({
    name: "check-in",
    title: gettext("Check a guest in"),
    fields: [
      h("label", { class: "field" }, h("span", {}, gettext("Room")), h("input", { class: "input", name: "room", required: true, autocomplete: "off", inputmode: "numeric" })),
      h("label", { class: "field" }, h("span", {}, gettext("Guest name")), h("input", { class: "input", name: "guest_name", required: true, maxlength: "120", autocomplete: "off" })),
      h("label", { class: "field" }, h("span", {}, gettext("Departure")), h("input", { class: "input", name: "departure", type: "date", required: true, value: tomorrow.toISOString().slice(0, 10) })),
      stayFields(),
    ],
    submitLabel: gettext("Check in"),
    submit: async (form) => {
      const e = form.elements;
      await api("POST", paths.stays, {
        key: newUuid(),
        body: {
          hotel: Number(section.dataset.hotelId),
          room: e.room.value.trim(),
          guest_name: e.guest_name.value.trim(),
          departure: e.departure.value,
          allow_postings: e.allow_postings.checked,
          credit_limit: minorUnits(e.credit_limit.value),
        },
      });
      toast(interpolate(gettext("%s is checked in."), [e.guest_name.value.trim()]), "ok");
      await loadStays(section);
    },
  });
}

function editStayDialog(section, stay) {
  formDialog({
    name: "edit-stay",
    title: interpolate(gettext("Room %(room)s · %(guest)s"), { room: stay.room, guest: stay.guest_name }, true),
    fields: stayFields(stay),
    submitLabel: gettext("Save"),
    submit: async (form) => {
      await api("PATCH", paths.stay(stay.id), {
        key: newUuid(),
        body: { allow_postings: form.elements.allow_postings.checked, credit_limit: minorUnits(form.elements.credit_limit.value) },
      });
      await loadStays(section);
    },
  });
}

function checkOutDialog(section, stay) {
  formDialog({
    name: "check-out",
    title: interpolate(gettext("Check out %s"), [stay.guest_name]),
    text: interpolate(gettext("Room %(room)s, balance %(balance)s. From now on the outlets cannot charge to this guest."), { room: stay.room, balance: money(stay.balance) }, true),
    fields: [],
    submitLabel: gettext("Check out"),
    submitKind: "button--danger",
    submit: async () => {
      await api("POST", paths.checkOut(stay.id), { key: newUuid() });
      toast(interpolate(gettext("%s is checked out."), [stay.guest_name]), "ok");
      window.open(paths.folioPage(stay.id), "_blank", "noopener");
      await loadStays(section);
    },
  });
}

// Start ---------------------------------------------------------------------------

whenSignedOut(() => location.assign(`${waiterPaths.signInPage}?next=${encodeURIComponent(location.pathname)}`));
document.getElementById("sign-out").addEventListener("click", async () => {
  await api("POST", waiterPaths.signOut).catch(() => {});
  location.assign(waiterPaths.signInPage);
});
filters.addEventListener("input", () => refresh());
filters.addEventListener("submit", (event) => {
  event.preventDefault();
  refresh();
});
for (const section of document.querySelectorAll(".guests[data-hotel-id]")) {
  section.querySelector('[data-action="check-in"]').addEventListener("click", () => checkInDialog(section));
  loadStays(section);
}
refresh();
