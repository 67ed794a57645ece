// The JSON API: CSRF header, JSON bodies, readable errors and idempotent retries.
import { gettext, interpolate } from "./i18n.js";

export const paths = {
  signInTiles: "/api/staff/sign-in-tiles/",
  pinSignIn: "/api/staff/pin-sign-in/",
  signOut: "/api/staff/sign-out/",
  me: "/api/staff/me/",
  clockIn: "/api/staff/clock-in/",
  clockOut: "/api/staff/clock-out/",
  floor: (outletId) => `/api/outlets/${outletId}/floor/`,
  menu: (outletId) => `/api/outlets/${outletId}/menu/`,
  orders: "/api/orders/",
  openOrders: (outletId) => `/api/orders/?outlet=${outletId}`,
  order: (orderId) => `/api/orders/${orderId}/`,
  lines: (orderId) => `/api/orders/${orderId}/lines/`,
  line: (orderId, lineId) => `/api/orders/${orderId}/lines/${lineId}/`,
  voidLine: (orderId, lineId) => `/api/orders/${orderId}/lines/${lineId}/void/`,
  lineNote: (orderId, lineId) => `/api/orders/${orderId}/lines/${lineId}/note/`,
  send: (orderId) => `/api/orders/${orderId}/send/`,
  covers: (orderId) => `/api/orders/${orderId}/covers/`,
  serve: (orderId) => `/api/orders/${orderId}/serve/`,
  transfer: (orderId) => `/api/orders/${orderId}/transfer/`,
  merge: (orderId) => `/api/orders/${orderId}/merge/`,
  assign: (orderId) => `/api/orders/${orderId}/assign/`,
  floorSocket: (outletId) => `/ws/outlets/${outletId}/floor/`,
  // The kitchen, as waiters see it: courses held / fired / ready, and "ready" calls.
  kitchenReady: "/api/kitchen/ready/",
  orderFires: (orderId) => `/api/kitchen/orders/${orderId}/fires/`,
  fireCourse: (orderId) => `/api/kitchen/orders/${orderId}/fire/`,
  rushOrder: (orderId) => `/api/kitchen/orders/${orderId}/rush/`,
  // Billing: every POST answers with the whole bill.
  bill: (orderId) => `/api/billing/orders/${orderId}/bill/`,
  checkAction: (checkId, action) => `/api/billing/checks/${checkId}/${action}/`,
  shareItem: (itemId) => `/api/billing/check-items/${itemId}/share/`,
  removeDiscount: (discountId) => `/api/billing/discounts/${discountId}/remove/`,
  payment: (paymentId) => `/api/billing/payments/${paymentId}/`,
  cancelPayment: (paymentId) => `/api/billing/payments/${paymentId}/cancel/`,
  roomGuests: (checkId) => `/api/billing/checks/${checkId}/room-guests/`,
  // Pages
  signInPage: "/",
  floorPage: (outletId) => (outletId ? `/floor/?outlet=${outletId}` : "/floor/"),
  orderPage: (orderId) => `/orders/${orderId}/`,
  billPage: (orderId) => `/orders/${orderId}/bill/`,
  frontDeskPage: "/frontdesk/",
  cashierPage: "/cashier/",
  kitchenPage: "/kitchen/",
  // 86: what is sold out or counting down.
  soldOutBoard: (outletId) => `/api/outlets/${outletId}/sold-out/`,
  itemAvailability: (itemId) => `/api/items/${itemId}/availability/`,
  modifierAvailability: (modifierId) => `/api/modifiers/${modifierId}/availability/`,
};

// Waits before each retry of a request that is safe to repeat (GET, or one with an
// Idempotency-Key): the server answers a repeat with the first result.
const RETRY_DELAYS_MS = [400, 1000, 2000, 4000];
const RETRY_STATUSES = new Set([502, 503, 504]);

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

let onSignedOut = null;

// Pages behind sign-in register what to do when the session is gone.
export function whenSignedOut(handler) {
  onSignedOut = handler;
}

export function cookie(name) {
  const prefix = `${name}=`;
  const part = document.cookie.split("; ").find((item) => item.startsWith(prefix));
  return part ? decodeURIComponent(part.slice(prefix.length)) : "";
}

// A v4 UUID from the browser's random source; crypto.randomUUID only exists on https
// or localhost, and tablets on the restaurant's LAN may be on plain http.
export function uuidFromRandomBytes() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
}

export function newUuid() {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : uuidFromRandomBytes();
}

// {"pin": ["Wrong PIN. 4 tries left."]} or {"detail": "..."} -> one readable sentence.
export function errorText(body, status) {
  const messages = [];
  const collect = (value) => {
    if (typeof value === "string") messages.push(value);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") {
      // {"detail": "...", "code": "pin_locked"}: a string "code" names the error; a field
      // called "code" (a pairing code) has a list of messages like any other field.
      for (const [key, inner] of Object.entries(value)) if (key !== "code" || typeof inner !== "string") collect(inner);
    }
  };
  collect(body);
  if (messages.length) return messages.join(" ");
  return interpolate(gettext("Something went wrong (error %s)."), [status]);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function requestOptions(method, body, key) {
  const headers = { Accept: "application/json" };
  const options = { method, headers, credentials: "same-origin" };
  if (method !== "GET") {
    // Read the cookie every time: Django rotates the token when someone signs in.
    headers["X-CSRFToken"] = cookie("csrftoken");
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body ?? {});
  }
  if (key) headers["Idempotency-Key"] = key;
  return options;
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 200) };
  }
}

// The first request with this key is still running on the server: ask again shortly.
function stillRunning(status, body) {
  return status === 409 && body && "Idempotency-Key" in body;
}

async function checkSession() {
  if (!onSignedOut) return;
  try {
    const response = await fetch(paths.me, { headers: { Accept: "application/json" } });
    if (response.status === 401 || response.status === 403) onSignedOut();
  } catch {
    // Offline: nothing to decide now.
  }
}

/**
 * api("POST", url, {body, key}) -> parsed JSON, or throws ApiError with a readable message.
 * GETs and requests with an idempotency `key` are retried on network errors and 5xx.
 */
export async function api(method, url, { body, key, retry } = {}) {
  const retrying = retry ?? (method === "GET" || Boolean(key));
  for (let attempt = 0; ; attempt += 1) {
    const canRetry = retrying && attempt < RETRY_DELAYS_MS.length;
    let response;
    try {
      response = await fetch(url, requestOptions(method, body, key));
    } catch {
      if (canRetry) {
        await sleep(RETRY_DELAYS_MS[attempt]);
        continue;
      }
      throw new ApiError(0, null, gettext("No connection to the server. Check the Wi-Fi and try again."));
    }
    const data = await readBody(response);
    if (response.ok) return data;
    if (canRetry && (RETRY_STATUSES.has(response.status) || stillRunning(response.status, data))) {
      await sleep(RETRY_DELAYS_MS[attempt]);
      continue;
    }
    if (response.status === 403 || response.status === 401) await checkSession();
    throw new ApiError(response.status, data, errorText(data, response.status));
  }
}
