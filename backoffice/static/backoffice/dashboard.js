// The manager's dashboard: its live part redraws itself from the server every few seconds.
// The server renders it (the same template as the first paint), so figures and formats stay in one place.

async function refresh(board) {
  let html;
  try {
    const response = await fetch(board.dataset.url, { headers: { Accept: "text/html" }, credentials: "same-origin" });
    if (!response.ok) return;
    html = await response.text();
  } catch {
    return; // offline for a moment: try again at the next tick
  }
  const fresh = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html").body.firstElementChild;
  if (!fresh.querySelector(".dashboard__grid")) {
    window.location.reload(); // signed out: the server answered with the sign-in page
    return;
  }
  // Unchanged figures are left alone: no flicker, and a screen reader is not read the page again.
  if (fresh.innerHTML.trim() !== board.innerHTML.trim()) board.replaceChildren(...fresh.childNodes);
}

const board = document.getElementById("dashboard");
if (board) {
  const every = Number(board.dataset.refreshMs) || 5000;
  setInterval(() => refresh(board), every);
}
