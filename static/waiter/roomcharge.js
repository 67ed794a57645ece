// Charge to room: the waiter types the room (or a name), the hotel's in-house guests of
// that room come back (sharers too), she taps the guest, and the check goes to that
// guest's folio. A no-post guest or one over the credit limit needs a manager's PIN;
// a posting the PMS has not answered yet is followed until it is posted or refused.
import { createApproval } from "./approval.js";
import { ApiError, api, newUuid, paths } from "./api.js";
import { h, setBusy } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { money } from "./money.js";

const POLL_MS = 1000;

function fieldMessage(problem, field) {
  const value = problem?.body?.[field];
  return Array.isArray(value) ? value.join(" ") : typeof value === "string" ? value : "";
}

/**
 * drawRoomCharge({check, tender, body, amountPad, tipLine, getTip, loadManagers, onCaptured, onWaiting, onUnanswered})
 * Fills `body` with the room search, the guest picker, amount, tip and the charge button.
 * onCaptured(payment) once the folio has it; onWaiting(bool) while a posting is followed;
 * onUnanswered(payment) when the PMS never answered and the front desk takes over.
 */
export function drawRoomCharge({ check, tender, body, amountPad, tipLine, getTip, loadManagers, onCaptured, onWaiting, onUnanswered }) {
  let guests = [];
  let chosen = null;
  let attempt = null; // {key, fields}: the same key on every retry of one charge
  let approval = null;
  let follow = null;

  const error = h("p", { class: "tender-pad__error", role: "alert" });
  const search = h("input", {
    type: "search",
    class: "input room-search__input",
    name: "room",
    inputmode: "text",
    autocomplete: "off",
    placeholder: gettext("Room number or guest name"),
    "aria-label": gettext("Room number or guest name"),
  });
  const find = h("button", { type: "button", class: "button button--big room-search__find", "data-action": "find-guests" }, gettext("Find guests"));
  const list = h("div", { class: "guest-list", role: "radiogroup", "aria-label": gettext("Guest") });
  const approvalBox = h("div", { class: "room-approval", hidden: true });
  const go = h("button", { type: "button", class: "button button--primary button--big", "data-action": "charge-room" });
  const pad = amountPad(() => update());
  const tips = tender.allows_tip ? tipLine(() => pad.value(), () => update()) : null;

  function update() {
    const amount = pad.value();
    go.disabled = !chosen || amount < 1 || amount > check.balance || Boolean(follow);
    tips?.redraw();
    if (!chosen) go.textContent = gettext("Pick the guest first");
    else if (amount > check.balance) go.textContent = gettext("More than is left to pay");
    else
      go.textContent = interpolate(gettext("Charge %(amount)s to room %(room)s"), { amount: money(amount + getTip()), room: chosen.room }, true);
  }

  function drawGuests() {
    if (!guests.length) {
      list.replaceChildren(h("p", { class: "muted guest-list__empty" }, gettext("No guest in house matches.")));
      return;
    }
    list.replaceChildren(
      ...guests.map((guest) => {
        const notes = [];
        if (!guest.allow_postings) notes.push(h("span", { class: "guest-card__flag guest-card__flag--stop" }, gettext("No-post")));
        if (guest.credit_left !== null && guest.credit_left !== undefined)
          notes.push(h("span", { class: "guest-card__flag" }, interpolate(gettext("Credit left %s"), [money(Math.max(guest.credit_left, 0))])));
        return h(
          "button",
          {
            type: "button",
            class: "guest-card",
            role: "radio",
            "aria-checked": chosen === guest ? "true" : "false",
            "data-guest-id": guest.guest_id,
            onclick: () => {
              chosen = guest;
              attempt = null;
              approval?.destroy();
              approval = null;
              approvalBox.hidden = true;
              go.hidden = false;
              error.textContent = "";
              drawGuests();
              update();
            },
          },
          h("span", { class: "guest-card__room" }, guest.room),
          h("span", { class: "guest-card__name" }, guest.name),
          guest.departure ? h("span", { class: "guest-card__dates muted" }, interpolate(gettext("leaves %s"), [guest.departure])) : null,
          notes,
        );
      }),
    );
  }

  function waitingForTheHotel() {
    return h("p", { class: "muted guest-list__empty guest-list__waiting", role: "status", "aria-live": "polite" }, gettext("Waiting for the hotel…"));
  }

  async function lookUp() {
    const text = search.value.trim();
    if (!text) return;
    error.textContent = "";
    chosen = null;
    setBusy(find, true);
    // Said at once: the hotel's system answers one request at a time, so a lookup may wait
    // behind a posting's answer for seconds.
    list.replaceChildren(waitingForTheHotel());
    update();
    const query = /^\d+[a-z]?$/i.test(text) ? `room=${encodeURIComponent(text)}` : `name=${encodeURIComponent(text)}`;
    try {
      const answer = await api("GET", `${paths.roomGuests(check.id)}?${query}`);
      guests = answer.guests;
      if (guests.length === 1) chosen = guests[0];
      drawGuests();
    } catch (problem) {
      guests = [];
      list.replaceChildren();
      error.textContent = fieldMessage(problem, "room") || problem.message;
    } finally {
      setBusy(find, false);
      update();
    }
  }

  async function charge(extra = {}) {
    const fields = { room: chosen.room, guest: chosen.guest_id, amount: pad.value(), tip: getTip() };
    if (!attempt || JSON.stringify(attempt.fields) !== JSON.stringify(fields)) attempt = { fields, key: newUuid() };
    error.textContent = "";
    setBusy(go, true);
    try {
      const payment = await api("POST", paths.checkAction(check.id, "payments/room"), {
        key: extra.approver ? newUuid() : attempt.key,
        body: { ...fields, ...extra, client_uuid: attempt.key },
      });
      approval?.destroy();
      approval = null;
      approvalBox.hidden = true;
      go.hidden = false;
      settle(payment);
    } catch (problem) {
      setBusy(go, false);
      if (!(problem instanceof ApiError) || problem.status !== 0) attempt = null;
      const override = fieldMessage(problem, "override");
      const reason = fieldMessage(problem, "guest") || fieldMessage(problem, "room") || fieldMessage(problem, "amount");
      if (override && !extra.approver) return askManager(reason);
      if (approval) approval.pad.setError(reason || problem.message);
      else error.textContent = reason || problem.message;
    }
  }

  function askManager(reason) {
    approval?.destroy();
    approval = createApproval({
      loadManagers,
      submitLabel: gettext("Allow the room charge"),
      onSubmit: (approver, pin) => charge({ approver, approver_pin: pin }),
    });
    approvalBox.hidden = false;
    go.hidden = true; // the PIN pad's own button sends the charge now
    approvalBox.replaceChildren(h("p", { class: "room-approval__reason", role: "alert" }, reason), approval.managerField, ...approval.pinField);
    approvalBox.scrollIntoView({ block: "nearest" });
  }

  // Captured: done. Failed: the reason, and the pad again. Pending: ask every second.
  function settle(payment) {
    if (payment.state === "captured") {
      stop();
      onCaptured(payment);
      return;
    }
    if (payment.state === "pending" && payment.provider_status === "unknown") {
      // Sent and unanswered: only the front desk can tell now. The waiter may leave; the check
      // stays open until the front desk settles the posting.
      stop();
      go.disabled = true;
      go.textContent = gettext("Waiting for the front desk");
      error.textContent = payment.failure_message || gettext("No answer from the hotel: the front desk checks the folio.");
      onUnanswered?.(payment);
      return;
    }
    if (payment.state === "pending") {
      if (!follow) {
        follow = { timer: null };
        onWaiting(true);
      }
      go.disabled = true;
      go.textContent = payment.failure_message || gettext("Posting to the hotel…");
      follow.timer = setTimeout(async () => {
        try {
          settle(await api("GET", paths.payment(payment.id), { retry: false }));
        } catch (problem) {
          error.textContent = problem.message;
          if (follow) follow.timer = setTimeout(() => settle(payment), POLL_MS);
        }
      }, POLL_MS);
      return;
    }
    stop();
    attempt = null;
    setBusy(go, false);
    error.textContent = payment.failure_message || gettext("The hotel refused the charge.");
    update();
  }

  function stop() {
    if (follow) clearTimeout(follow.timer);
    if (follow) onWaiting(false);
    follow = null;
  }

  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") lookUp();
  });
  find.addEventListener("click", lookUp);
  go.addEventListener("click", () => chosen && charge());
  update();
  body.replaceChildren(
    h(
      "div",
      { class: "tender-pad__side room-charge" },
      h("div", { class: "room-search" }, search, find),
      list,
      approvalBox,
      pad.element,
      tips?.element,
      error,
      go,
    ),
    h("div", { class: "tender-pad__keys" }, pad.keys),
  );
  search.focus();
  return { destroy: stop };
}
