// The cashier's drawer page: counts by note and coin, pay-in/out, no-sale, hand-over, blind close.
// The server adds up the counts; the totals shown while counting are only a guide.
import { api, newUuid, whenSignedOut } from "../waiter/api.js";
import { toast } from "../waiter/dom.js";
import { gettext, interpolate } from "../waiter/i18n.js";
import { money, moneyDelta } from "../waiter/money.js";

const page = document.getElementById("drawer");
const outletId = Number(page.dataset.outletId);
const sessionId = Number(page.dataset.sessionId);
const MAX_PIECES = 100000;

const drawerPaths = {
  open: "/api/billing/drawers/",
  action: (id, action) => `/api/billing/drawers/${id}/${action}/`,
};

whenSignedOut(() => window.location.assign("/"));

function pieces(input) {
  const value = Number.parseInt(input.value, 10);
  return Number.isFinite(value) && value > 0 ? Math.min(value, MAX_PIECES) : 0;
}

function wireGrid(grid) {
  const refresh = () => {
    let total = 0;
    for (const row of grid.querySelectorAll(".count-row")) {
      const line = Number(row.dataset.value) * pieces(row.querySelector(".count-row__pieces"));
      row.querySelector(".count-row__total").textContent = money(line);
      total += line;
    }
    const cell = grid.querySelector(".count-grid__total");
    cell.textContent = money(total);
    cell.dataset.total = String(total);
  };
  for (const row of grid.querySelectorAll(".count-row")) {
    const input = row.querySelector(".count-row__pieces");
    input.addEventListener("input", refresh);
    input.addEventListener("focus", () => input.select());
    for (const button of row.querySelectorAll("[data-step]")) {
      button.addEventListener("click", () => {
        input.value = String(Math.max(0, Math.min(MAX_PIECES, pieces(input) + Number(button.dataset.step))));
        refresh();
      });
    }
  }
  refresh();
}

// {"5000": 2, ...}: only the lines counted; the server checks the notes and coins and adds up.
function countsOf(grid) {
  const counts = {};
  for (const row of grid.querySelectorAll(".count-row")) {
    const count = pieces(row.querySelector(".count-row__pieces"));
    if (count) counts[row.dataset.value] = count;
  }
  return counts;
}

// "5", "5,00", "5.5" -> cents, without floating point; null when it is not an amount.
export function centsFrom(text) {
  const match = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(text || "");
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } catch (error) {
    toast(error.message);
  } finally {
    button.disabled = false;
  }
}

function showResult(closed, title, handedTo) {
  for (const id of ["drawer-state", "movements", "no-sale", "count"]) document.getElementById(id)?.setAttribute("hidden", "");
  const result = document.getElementById("count-result");
  result.hidden = false;
  document.getElementById("count-result-title").textContent = title;
  result.querySelector('[data-field="counted"]').textContent = money(closed.counted);
  result.querySelector('[data-field="expected"]').textContent = money(closed.expected);
  const variance = result.querySelector('[data-field="variance"]');
  variance.textContent = closed.variance === 0 ? money(0) : moneyDelta(closed.variance);
  variance.dataset.sign = closed.variance < 0 ? "short" : closed.variance > 0 ? "over" : "even";
  const slip = document.getElementById("count-slip");
  slip.textContent = closed.count_slip_printed_on
    ? interpolate(gettext("The count slip was sent to the printer %s."), [closed.count_slip_printed_on])
    : `${closed.count_slip_problem} ${gettext("The count slip was not printed.")}`;
  slip.dataset.printed = closed.count_slip_printed_on ? "true" : "false";
  if (handedTo) {
    const note = document.getElementById("handed-to");
    note.hidden = false;
    note.textContent = handedTo;
  }
  result.scrollIntoView({ block: "start" });
}

for (const grid of document.querySelectorAll("[data-count-grid]")) wireGrid(grid);
document.getElementById("result-done").addEventListener("click", () => window.location.reload());

const openButton = document.getElementById("open-submit");
if (openButton) {
  const grid = document.querySelector('[data-count-grid="float"]');
  openButton.addEventListener("click", () =>
    busy(openButton, async () => {
      const body = { outlet: outletId, float_counts: countsOf(grid) };
      await api("POST", drawerPaths.open, { body, key: newUuid() });
      window.location.reload();
    }),
  );
}

const movementForm = document.getElementById("movement-form");
if (movementForm) {
  movementForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(movementForm);
    const amount = centsFrom(form.get("amount"));
    if (!amount) {
      toast(gettext("Type the amount, e.g. 5,00."));
      return;
    }
    const body = { kind: form.get("kind"), reason_code: form.get("reason_code"), reason: form.get("reason"), amount };
    busy(document.getElementById("movement-submit"), async () => {
      await api("POST", drawerPaths.action(sessionId, "movements"), { body, key: newUuid() });
      window.location.reload();
    });
  });
}

const noSaleForm = document.getElementById("no-sale-form");
if (noSaleForm) {
  noSaleForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const reason = new FormData(noSaleForm).get("reason");
    busy(document.getElementById("no-sale-submit"), async () => {
      const answer = await api("POST", drawerPaths.action(sessionId, "no-sale"), { body: { reason }, key: newUuid() });
      noSaleForm.reset();
      // With no receipt printer there is nothing to pulse the drawer open: say so, never "opened".
      if (answer.kick_problem) toast(`${answer.kick_problem} ${gettext("The no-sale is in the log.")}`);
      else toast(gettext("The drawer was opened; the no-sale is in the log."), "ok");
    });
  });
}

const closeButton = document.getElementById("close-submit");
if (closeButton) {
  const grid = document.querySelector('[data-count-grid="close"]');
  closeButton.addEventListener("click", () =>
    busy(closeButton, async () => {
      const closed = await api("POST", drawerPaths.action(sessionId, "close"), {
        body: { counts: countsOf(grid) },
        key: newUuid(),
      });
      showResult(closed, gettext("The drawer is closed"));
    }),
  );
  const handOverButton = document.getElementById("hand-over-submit");
  handOverButton?.addEventListener("click", () =>
    busy(handOverButton, async () => {
      const select = document.getElementById("hand-over-to");
      const answer = await api("POST", drawerPaths.action(sessionId, "hand-over"), {
        body: { counts: countsOf(grid), to: Number(select.value), to_pin: document.getElementById("hand-over-pin").value },
        key: newUuid(),
      });
      const name = select.selectedOptions[0].textContent;
      showResult(
        answer.closed,
        gettext("The drawer is handed over"),
        interpolate(gettext("%(name)s now has the drawer, with %(cash)s as the float."), { name, cash: money(answer.opened.opening_float) }, true),
      );
    }),
  );
}
