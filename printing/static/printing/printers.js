// The manager's printer page: buttons call the API; the board redraws itself every few seconds.
import { api, newUuid } from "../waiter/api.js";
import { setBusy, toast } from "../waiter/dom.js";
import { gettext } from "../waiter/i18n.js";

const DONE = {
  "test-print": gettext("Test page queued."),
  retry: gettext("Sent to the printer again."),
  reprint: gettext("Reprint queued."),
};

// Fetch this very page and swap in its board: the template stays the only renderer.
async function refresh() {
  let html;
  try {
    const response = await fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    html = await response.text();
  } catch {
    return; // offline for a moment: try again at the next tick
  }
  const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("board");
  const board = document.getElementById("board");
  if (!fresh) {
    window.location.reload(); // signed out: the server answered with another page
    return;
  }
  // Never pull a button away from under a request still on its way.
  if (board && !board.querySelector('[aria-busy="true"]')) board.replaceWith(fresh);
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-url]");
  if (!button) return;
  setBusy(button, true);
  try {
    // One key per tap: a retried request is answered with the first result, never twice.
    await api("POST", button.dataset.url, { key: newUuid() });
    toast(DONE[button.dataset.action] || gettext("Done."), "ok");
  } catch (error) {
    toast(error.message);
  } finally {
    setBusy(button, false);
  }
  await refresh();
});

const every = Number(document.getElementById("board")?.dataset.refreshMs) || 5000;
setInterval(refresh, every);
