// What both cashier pages share: the outlet, the API's paths for them, sign-out, and a check's age.
import { api, paths, whenSignedOut } from "../waiter/api.js";
import { gettext, interpolate } from "../waiter/i18n.js";

export const root = document.getElementById("cashier");
export const outletId = root?.dataset.outletId ? Number(root.dataset.outletId) : null;

export const cashierPaths = {
  openChecks: (outlet) => `/api/billing/outlets/${outlet}/open-checks/`,
  closedChecks: (outlet, query) => `/api/billing/outlets/${outlet}/closed-checks/?${new URLSearchParams(query)}`,
  receipt: (checkId) => `/api/billing/checks/${checkId}/receipt/`,
  refund: (paymentId) => `/api/billing/payments/${paymentId}/refunds/`,
  reopen: (checkId) => `/api/billing/checks/${checkId}/reopen/`,
  // The bill screen, told to come back here.
  billPage: (orderId) => `${paths.billPage(orderId)}`,
};

whenSignedOut(() => location.assign(paths.signInPage));

document.getElementById("sign-out")?.addEventListener("click", async () => {
  try {
    await api("POST", paths.signOut);
  } catch {
    // Signed out already, or offline: the sign-in page sorts it out.
  }
  location.assign(paths.signInPage);
});

// The managers who may approve, for the approval dialog.
export async function loadManagers() {
  const people = await api("GET", paths.signInTiles);
  return people.filter((person) => person.roles.includes("manager"));
}

// "4 min", "1 h 05": how long a check has been open.
export function age(since, now = Date.now()) {
  const minutes = Math.max(0, Math.floor((now - new Date(since).getTime()) / 60000));
  if (minutes < 60) return interpolate(gettext("%s min"), [minutes]);
  return interpolate(gettext("%s h %s"), [Math.floor(minutes / 60), String(minutes % 60).padStart(2, "0")]);
}

const DECIMALS = Number(document.body.dataset.currencyDecimals || 2);

// "24,50", "24.50", "€ 24,50" -> 2450; null when the text is not an amount typed as money
// (it needs its decimal separator: "24" is an order or a table).
export function typedMoney(text) {
  const match = /^(?:€|eur)?\s*(\d{1,6})[.,](\d{1,2})$/i.exec(text.trim());
  if (!match) return null;
  const fraction = `${match[2]}${"0".repeat(DECIMALS)}`.slice(0, DECIMALS);
  return Number(match[1]) * 10 ** DECIMALS + Number(fraction);
}
