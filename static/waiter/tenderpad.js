// Paying a check: one tab per tender. Cash takes what the guest hands over and shows the
// change; other tenders (vouchers, an outside terminal) take an amount; a card goes to a
// Stripe Terminal reader and is followed every second until it is paid or fails. Cash and
// other tenders that take tips have a tip (typed, a round-up, or "keep the change"); on a
// card the guest picks the tip on the reader. A room charge goes to a hotel guest's folio.
import { ApiError, api, newUuid, paths } from "./api.js";
import { createAmountPad } from "./amountpad.js";
import { h, setBusy, showDialog } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { money } from "./money.js";
import { receiptChoice } from "./receipt.js";
import { drawRoomCharge } from "./roomcharge.js";

const POLL_MS = 1000;
const NOTES = [500, 1000, 2000, 5000, 10000]; // the next round 5, 10, 20, 50, 100 euros

// Cash due when the check is paid off: rounded to the nearest `step` cents, halves up (as the server).
export function cashDue(amount, step) {
  if (step <= 1) return amount;
  return Math.floor((2 * amount + step) / (2 * step)) * step;
}

// The quick amounts after "exact": the next round notes above what is due, each once.
export function quickAmounts(due) {
  const amounts = [];
  for (const note of NOTES) {
    const next = Math.ceil(due / note) * note;
    if (next > due && !amounts.includes(next)) amounts.push(next);
  }
  return amounts.slice(0, 4);
}

// Tips that round the total up to the next 1, 5 and 10 euros, each once.
export function roundUpTips(due) {
  const tips = [];
  for (const step of [100, 500, 1000]) {
    const tip = Math.ceil((due + 1) / step) * step - due;
    if (!tips.includes(tip)) tips.push(tip);
  }
  return tips;
}

function tenderLabel(tender) {
  return tender.name;
}

// A small sheet over the pad: type the tip, or tap a round-up. onSet(cents) with 0 for none.
function askTip({ tip, due, onSet }) {
  let dialog = null;
  const set = (cents) => {
    dialog.close();
    onSet(cents);
  };
  const pad = createAmountPad({ label: gettext("Tip"), initial: tip, name: "tip" });
  const roundUps = h(
    "div",
    { class: "tender-quick tip-sheet__round-ups" },
    roundUpTips(due).map((amount) =>
      h(
        "button",
        { type: "button", class: "tender-quick__button", "data-tip": amount, onclick: () => set(amount) },
        h("span", { class: "tender-quick__label" }, interpolate(gettext("To %s"), [money(due + amount)])),
        `+${money(amount)}`,
      ),
    ),
  );
  dialog = h(
    "dialog",
    { class: "sheet tip-sheet", "aria-labelledby": "tip-title" },
    h("h2", { id: "tip-title", class: "sheet__title" }, gettext("Tip")),
    h(
      "div",
      { class: "tip-sheet__body" },
      h("div", { class: "tender-pad__side" }, pad.element, h("p", { class: "field__label" }, gettext("Round up")), roundUps),
      h("div", { class: "tender-pad__keys" }, pad.keys),
    ),
    h(
      "footer",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", "data-action": "no-tip", onclick: () => set(0) }, gettext("No tip")),
      h("span", { class: "sheet__spacer" }),
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      h("button", { type: "button", class: "button button--primary", "data-action": "set-tip", onclick: () => set(pad.value()) }, gettext("Set tip")),
    ),
  );
  dialog.addEventListener("close", () => pad.destroy());
  showDialog(dialog);
}

/**
 * openTenderPad({check, title, tenders, readers, cashRounding, apply, reload, loadManagers, onFinished, receiptDefault})
 * apply(answer) takes a bill answer (the screen redraws) and returns it; onFinished({change})
 * runs when the whole order is paid. Once the check is paid the guest is asked for a receipt
 * (receiptDefault picked first).
 */
export function openTenderPad({ check, title, tenders, readers, cashRounding, apply, reload, loadManagers, onFinished, receiptDefault = "print" }) {
  const balance = check.balance;
  let current = tenders.find((t) => t.kind === "cash") || tenders[0] || null;
  let pad = null;
  let cardFollow = null; // the card payment being followed, while it waits
  let attempt = null; // {key, body}: kept until the server gave a definite answer
  let tip = 0; // cents, on cash and other tenders that take tips
  let roomFollow = null; // the room-charge form, which may be following a posting
  let roomWaiting = false; // ...that the hotel has not answered yet

  const body = h("div", { class: "tender-pad__body" });
  const tabs = h("div", { class: "tender-tabs", role: "tablist", "aria-label": gettext("Tender") });
  const tabsWrap = h("div", { class: "tender-tabs-wrap" }, tabs);
  // Says on which side tabs are out of sight; the stylesheet shows a fade and an arrow there.
  const markHiddenTabs = () => {
    tabs.dataset.moreBefore = String(tabs.scrollLeft > 1);
    tabs.dataset.moreAfter = String(tabs.scrollLeft + tabs.clientWidth < tabs.scrollWidth - 1);
  };
  tabs.addEventListener("scroll", markHiddenTabs, { passive: true });
  const tabsResized = new ResizeObserver(markHiddenTabs);
  tabsResized.observe(tabs);
  const closeButton = h("button", { type: "button", class: "button tender-pad__close", "data-action": "close", onclick: () => dialog.close() }, gettext("Close"));
  const dueLabel = h("span", { class: "tender-pad__due-label" }, gettext("To pay"));
  const dueAmount = h("strong", { "data-amount": balance }, money(balance));
  const dialog = h(
    "dialog",
    { class: "sheet tender-pad", "aria-labelledby": "tender-title", "data-check-id": check.id },
    h(
      "header",
      { class: "sheet__head tender-pad__head" },
      h("h2", { id: "tender-title", class: "sheet__title" }, title),
      h("span", { class: "tender-pad__due" }, dueLabel, " ", dueAmount),
      closeButton,
    ),
    tabsWrap,
    body,
  );
  dialog.addEventListener("close", () => {
    tabsResized.disconnect();
    pad?.destroy();
    stopFollowing();
    roomFollow?.destroy();
  });
  // While a card waits on the reader the pad stays open: Cancel is the way out.
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog && !cardFollow && !roomWaiting) dialog.close();
  });

  function drawTabs() {
    tabs.replaceChildren(
      ...tenders.map((tender) =>
        h(
          "button",
          {
            type: "button",
            role: "tab",
            class: "tender-tab",
            "data-tender-kind": tender.kind,
            "data-tender-id": tender.id,
            "aria-selected": tender === current ? "true" : "false",
            disabled: Boolean(cardFollow) || roomWaiting,
            onclick: () => {
              current = tender;
              attempt = null;
              tip = 0;
              drawTabs();
              drawBody();
            },
          },
          tenderLabel(tender),
        ),
      ),
    );
    // The chosen tab in sight, sideways only (scrollIntoView would also scroll the sheet).
    const chosen = tabs.querySelector('[aria-selected="true"]');
    if (chosen && chosen.offsetLeft < tabs.scrollLeft) tabs.scrollLeft = chosen.offsetLeft;
    else if (chosen && chosen.offsetLeft + chosen.offsetWidth > tabs.scrollLeft + tabs.clientWidth) {
      tabs.scrollLeft = chosen.offsetLeft + chosen.offsetWidth - tabs.clientWidth;
    }
    markHiddenTabs();
  }

  function drawBody() {
    pad?.destroy();
    pad = null;
    if (!current) {
      body.replaceChildren(h("p", { class: "empty" }, gettext("No tender is set up. A manager adds them in the back office.")));
      return;
    }
    roomFollow?.destroy();
    roomFollow = null;
    if (current.kind === "cash") drawCash();
    else if (current.kind === "card") drawCard();
    else if (current.kind === "room_charge") drawRoom();
    else drawOther();
  }

  const errorLine = () => h("p", { class: "tender-pad__error", role: "alert" });

  // Sends one payment; the same key (and client UUID) on every retry of this attempt.
  async function pay(action, fields, button, error) {
    if (!attempt || attempt.action !== action || JSON.stringify(attempt.fields) !== JSON.stringify(fields)) {
      attempt = { action, fields, key: newUuid() };
    }
    error.textContent = "";
    setBusy(button, true);
    try {
      const answer = await api("POST", paths.checkAction(check.id, action), {
        key: attempt.key,
        body: { ...fields, client_uuid: attempt.key },
      });
      attempt = null;
      apply(answer);
      return answer;
    } catch (problem) {
      // No answer at all: the payment may have gone through; the next tap repeats this attempt.
      if (!(problem instanceof ApiError) || problem.status !== 0) attempt = null;
      error.textContent = problem.message;
      setBusy(button, false);
      return null;
    }
  }

  // The tip line: what it is, and the buttons to set or drop it. `due` is what the guest
  // pays before the tip; onChange() runs after every change of the tip.
  function tipLine(due, onChange) {
    const line = h("div", { class: "tender-tip", "data-tip": "0" });
    const draw = () => {
      line.dataset.tip = String(tip);
      // Filtered: replaceChildren() would print a null as the text "null".
      const parts = [
        h("span", { class: "tender-tip__label" }, gettext("Tip")),
        h(
          "span",
          { class: "tender-tip__amount" },
          tip ? h("strong", {}, money(tip)) : gettext("none"),
          tip ? h("span", { class: "tender-tip__total", "data-total": due() + tip }, interpolate(gettext("total %s"), [money(due() + tip)])) : null,
        ),
        tip ? h("button", { type: "button", class: "button tender-tip__remove", "data-action": "remove-tip", "aria-label": gettext("Remove the tip"), onclick: () => change(0) }, "\u00d7") : null,
        h(
          "button",
          { type: "button", class: "button tender-tip__button", "data-action": "tip", onclick: () => askTip({ tip, due: due(), onSet: change }) },
          tip ? gettext("Change…") : gettext("Add tip…"),
        ),
      ];
      line.replaceChildren(...parts.filter(Boolean));
    };
    const change = (cents) => {
      tip = cents;
      attempt = null;
      draw();
      onChange();
    };
    draw();
    return { element: line, set: change, redraw: draw };
  }

  // ---- cash ----------------------------------------------------------------------------

  function drawCash() {
    const due = cashDue(balance, cashRounding);
    const preview = h("p", { class: "tender-pad__preview", "aria-live": "polite" });
    const error = errorLine();
    const take = h("button", { type: "button", class: "button button--primary button--big", "data-action": "take-cash" }, gettext("Take cash"));
    const quick = h("div", { class: "tender-quick" });
    const tips = current.allows_tip ? tipLine(() => due, () => update()) : null;
    // "Keep the change": what would go back to the guest becomes the tip.
    const keep = tips
      ? h("button", { type: "button", class: "button tender-pad__keep", "data-action": "keep-change", hidden: true, onclick: () => tips.set(pad.value() - due) }, gettext("Keep the change as a tip"))
      : null;
    let shownQuick = null;
    function update() {
      const given = pad.value();
      const owed = due + tip;
      take.disabled = given < owed;
      preview.dataset.change = given >= owed ? String(given - owed) : "";
      if (!given) preview.replaceChildren(gettext("Type or tap what the guest hands over."));
      else if (given < owed) preview.replaceChildren(interpolate(gettext("%s short"), [money(owed - given)]));
      else preview.replaceChildren(gettext("Change"), " ", h("strong", {}, money(given - owed)));
      if (keep) keep.hidden = !(given > owed);
      // Exact and the round notes cover what is due with the tip.
      if (shownQuick === owed) return;
      shownQuick = owed;
      quick.replaceChildren(
        h("button", { type: "button", class: "tender-quick__button", "data-quick": "exact", "data-amount": owed, onclick: () => pad.set(owed) }, h("span", { class: "tender-quick__label" }, gettext("Exact")), money(owed)),
        ...quickAmounts(owed).map((amount) =>
          h("button", { type: "button", class: "tender-quick__button", "data-quick": amount, "data-amount": amount, onclick: () => pad.set(amount) }, money(amount)),
        ),
      );
    }
    pad = createAmountPad({ label: gettext("Cash given"), name: "cash-given", onChange: () => pad && update() });
    update();
    take.addEventListener("click", async () => {
      const tipped = tip;
      const answer = await pay("payments/cash", { tender: current.id, cash_given: pad.value(), tip }, take, error);
      if (answer) showPaid(answer, answer.payment?.change_due ?? 0, answer.payment?.rounding ?? 0, tipped);
    });
    body.replaceChildren(
      h(
        "div",
        { class: "tender-pad__side" },
        due !== balance ? h("p", { class: "tender-pad__rounding" }, interpolate(gettext("Rounded for cash: %s"), [money(due)])) : null,
        pad.element,
        quick,
        tips?.element,
        preview,
        keep,
        error,
        take,
      ),
      h("div", { class: "tender-pad__keys" }, pad.keys),
    );
  }

  // ---- other tenders: an amount (and a reference) ----------------------------------------

  function amountPad(onValid) {
    return createAmountPad({ label: gettext("Amount"), initial: balance, onChange: onValid });
  }

  function drawOther() {
    const error = errorLine();
    const go = h("button", { type: "button", class: "button button--primary button--big", "data-action": "pay-other" });
    const reference = h("input", { type: "text", class: "input", name: "reference", maxlength: 80, placeholder: gettext("e.g. voucher number") });
    const update = () => {
      const amount = pad.value();
      go.disabled = amount < 1 || amount > balance;
      if (amount > balance) go.textContent = gettext("More than is left to pay");
      else if (tip) go.textContent = interpolate(gettext("Pay %(amount)s + %(tip)s tip by %(tender)s"), { amount: money(amount), tip: money(tip), tender: current.name }, true);
      else go.textContent = interpolate(gettext("Pay %(amount)s by %(tender)s"), { amount: money(amount), tender: current.name }, true);
      tips?.redraw();
    };
    pad = amountPad(() => pad && update());
    const tips = current.allows_tip ? tipLine(() => pad.value(), update) : null;
    update();
    go.addEventListener("click", async () => {
      const tipped = tip;
      const answer = await pay("payments/other", { tender: current.id, amount: pad.value(), tip, reference: reference.value.trim() }, go, error);
      if (answer) showPaid(answer, 0, 0, tipped);
    });
    body.replaceChildren(
      h(
        "div",
        { class: "tender-pad__side" },
        pad.element,
        tips?.element,
        h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Reference (optional)")), reference),
        error,
        go,
      ),
      h("div", { class: "tender-pad__keys" }, pad.keys),
    );
  }

  // ---- charge to a hotel room --------------------------------------------------------------

  function drawRoom() {
    roomFollow = drawRoomCharge({
      check,
      tender: current,
      body,
      amountPad: (onChange) => {
        pad = amountPad(() => pad && onChange());
        return pad;
      },
      tipLine,
      getTip: () => tip,
      loadManagers,
      onCaptured: (payment) => reload().then((bill) => showPaid(bill || { order: {}, checks: [] }, 0, 0, payment.tip)),
      onWaiting: (waiting) => {
        roomWaiting = waiting;
        closeButton.disabled = waiting;
        drawTabs();
      },
      onUnanswered: () => reload(),
    });
  }

  // ---- card on a reader ------------------------------------------------------------------

  function drawCard() {
    let reader = readers.length === 1 ? readers[0].id : null;
    const error = errorLine();
    const go = h("button", { type: "button", class: "button button--primary button--big", "data-action": "send-to-reader" });
    const readerRow = h("div", { class: "choice-row", role: "radiogroup", "aria-label": gettext("Card reader") });
    let amount = balance;
    const update = () => {
      go.disabled = !reader || amount < 1 || amount > balance;
      go.textContent = interpolate(gettext("Send %s to the reader"), [money(amount)]);
    };
    const drawReaders = () =>
      readerRow.replaceChildren(
        ...readers.map((r) =>
          h(
            "button",
            {
              type: "button",
              class: "chip",
              role: "radio",
              "data-reader-id": r.id,
              "aria-checked": r.id === reader ? "true" : "false",
              onclick: () => {
                reader = r.id;
                drawReaders();
                update();
              },
            },
            r.label,
          ),
        ),
      );
    pad = amountPad((typed) => {
      amount = typed;
      update();
    });
    drawReaders();
    update();
    go.addEventListener("click", async () => {
      const chosen = readers.find((r) => r.id === reader);
      if (!attempt || attempt.action !== "card") attempt = { action: "card", key: newUuid() };
      error.textContent = "";
      setBusy(go, true);
      try {
        const payment = await api("POST", paths.checkAction(check.id, "payments/card"), {
          key: attempt.key,
          body: { reader, amount, client_uuid: attempt.key },
        });
        attempt = null;
        followCard(payment, chosen);
      } catch (problem) {
        if (!(problem instanceof ApiError) || problem.status !== 0) attempt = null;
        error.textContent = problem.message;
        setBusy(go, false);
      }
    });
    body.replaceChildren(
      h(
        "div",
        { class: "tender-pad__side" },
        readers.length
          ? h("div", { class: "field" }, h("span", { class: "field__label" }, gettext("Card reader")), readerRow)
          : h("p", { class: "tender-pad__notice" }, gettext("No card reader is set up at this outlet.")),
        pad.element,
        error,
        go,
      ),
      h("div", { class: "tender-pad__keys" }, pad.keys),
    );
  }

  function stopFollowing() {
    if (cardFollow) clearTimeout(cardFollow.timer);
    cardFollow = null;
  }

  // The reader's status, every second, until the payment is paid, failed or cancelled.
  function followCard(payment, reader) {
    const readerName = payment.reader || reader?.label || gettext("the reader");
    const status = h("p", { class: "card-status__text", role: "status", "aria-live": "polite" });
    const error = errorLine();
    const cancel = h("button", { type: "button", class: "button button--danger button--big", "data-action": "cancel-card" }, gettext("Cancel"));
    const panel = h("div", { class: "card-status", "data-state": "pending" }, h("div", { class: "card-status__spinner", "aria-hidden": "true" }), status, error, cancel);
    body.replaceChildren(panel);
    cardFollow = { id: payment.id, timer: null };
    closeButton.disabled = true;
    drawTabs();

    const show = (answer) => {
      panel.dataset.state = answer.state;
      if (answer.state === "pending") {
        status.textContent = interpolate(gettext("Waiting for the card on %s"), [readerName]);
        return false;
      }
      stopFollowing();
      closeButton.disabled = false;
      drawTabs();
      if (answer.state === "captured") {
        // The bill (and whether the table is free) comes from the bill view.
        reload().then((bill) => showPaid(bill || { order: {}, checks: [] }, 0, 0, answer.tip));
      } else {
        const again = h("button", { type: "button", class: "button button--primary button--big", "data-action": "card-again", onclick: () => drawBody() }, gettext("Try again"));
        panel.replaceChildren(
          h("p", { class: "card-status__failed", role: "alert" }, answer.failure_message || (answer.state === "cancelled" ? gettext("The card payment was cancelled.") : gettext("The card payment failed."))),
          again,
        );
        reload();
      }
      return true;
    };

    const poll = async () => {
      if (!cardFollow || cardFollow.id !== payment.id) return;
      try {
        // A POST: asking Stripe may capture the payment, and a GET never changes anything.
        const answer = await api("POST", paths.payment(payment.id), { body: {}, retry: false });
        error.textContent = "";
        if (show(answer)) return;
      } catch (problem) {
        error.textContent = problem.message;
        // A missing endpoint or payment will not come back by asking again.
        if (problem instanceof ApiError && (problem.status === 404 || problem.status === 403)) {
          stopFollowing();
          closeButton.disabled = false;
          drawTabs();
          cancel.disabled = true;
          return;
        }
      }
      if (cardFollow && cardFollow.id === payment.id) cardFollow.timer = setTimeout(poll, POLL_MS);
    };

    cancel.addEventListener("click", async () => {
      setBusy(cancel, true);
      try {
        const answer = await api("POST", paths.cancelPayment(payment.id), { key: newUuid(), body: {} });
        if (!show(answer)) setBusy(cancel, false);
      } catch (problem) {
        error.textContent = problem.message;
        setBusy(cancel, false);
      }
    });

    if (!show(payment)) cardFollow.timer = setTimeout(poll, POLL_MS);
  }

  // ---- paid ------------------------------------------------------------------------------

  function showPaid(answer, change, rounding, tipTaken = 0) {
    pad?.destroy();
    pad = null;
    const after = (answer.checks || []).find((c) => c.id === check.id);
    const left = after ? after.balance : 0;
    const closed = answer.order?.status === "closed";
    const rows = [];
    if (change > 0) {
      rows.push(h("p", { class: "tender-paid__label" }, gettext("Change")), h("p", { class: "tender-paid__change", "data-change": change }, money(change)));
    } else {
      rows.push(h("p", { class: "tender-paid__change tender-paid__change--none", "data-change": "0" }, gettext("Paid")));
    }
    if (rounding) rows.push(h("p", { class: "muted" }, interpolate(gettext("Cash rounding: %s"), [money(rounding)])));
    if (tipTaken) rows.push(h("p", { class: "tender-paid__tip", "data-tip": tipTaken }, interpolate(gettext("Tip: %s"), [money(tipTaken)])));
    let next;
    if (closed) {
      rows.push(h("p", { class: "tender-paid__free" }, gettext("Table is free")));
      next = h("button", { type: "button", class: "button button--primary button--big", "data-action": "done", onclick: () => { dialog.close(); onFinished({ change }); } }, document.getElementById("bill")?.dataset.returnUrl ? gettext("Back to the open checks") : gettext("Back to the floor"));
    } else if (left > 0) {
      rows.push(h("p", { class: "tender-paid__left" }, interpolate(gettext("Still to pay on this check: %s"), [money(left)])));
      next = h("button", { type: "button", class: "button button--primary button--big", "data-action": "done", onclick: () => dialog.close() }, gettext("Done"));
    } else {
      rows.push(h("p", { class: "tender-paid__left" }, gettext("This check is paid.")));
      next = h("button", { type: "button", class: "button button--primary button--big", "data-action": "done", onclick: () => dialog.close() }, gettext("Done"));
    }
    tabsWrap.hidden = true;
    dueLabel.textContent = left > 0 ? gettext("Left to pay") : gettext("Paid");
    dueAmount.textContent = money(left > 0 ? left : after?.totals.total ?? balance);
    // The check is paid: how does the guest want the receipt? The waiter leaves when done.
    const paid = after?.status === "closed" || (!after && closed);
    const receipt = paid ? receiptChoice({ check: after || check, preselected: receiptDefault }) : null;
    body.replaceChildren(h("div", { class: "tender-paid", "data-closed": closed ? "true" : "false" }, rows, receipt, next));
    closeButton.hidden = true;
    if (closed && !change && !receipt) onFinished({ change: 0, auto: true });
  }

  drawTabs();
  drawBody();
  showDialog(dialog, { dismissable: false });
  return dialog;
}
