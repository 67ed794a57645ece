// The allergen matrix: ticks change rows, Save sends only the rows that changed.
import { api, newUuid } from "/static/waiter/api.js";
import { toast } from "/static/waiter/dom.js";
import { gettext, interpolate } from "/static/waiter/i18n.js";

const form = document.getElementById("allergen-matrix");
const saveButton = document.getElementById("allergens-save");
const changed = new Set(); // rows (<tr>) touched since the last save
let key = null; // one Idempotency-Key per save, kept for its retries

function codesOf(row) {
  return [...row.querySelectorAll("input[type=checkbox]:checked")].map((box) => box.value);
}

form.addEventListener("change", (event) => {
  const row = event.target.closest("tr[data-id]");
  if (!row) return;
  changed.add(row);
  row.classList.add("allergen-row--changed");
  saveButton.disabled = false;
  key = null;
});

form.addEventListener("submit", (event) => event.preventDefault());

async function save() {
  if (!changed.size) return;
  const body = { items: {}, modifiers: {} };
  const rows = [...changed];
  for (const row of rows) body[row.dataset.kind][row.dataset.id] = codesOf(row);
  key = key || newUuid();
  saveButton.disabled = true;
  try {
    const answer = await api("POST", form.dataset.saveUrl, { body, key });
    for (const row of rows) {
      changed.delete(row);
      row.classList.remove("allergen-row--changed");
    }
    key = null;
    toast(interpolate(gettext("Saved: %(items)s dishes, %(modifiers)s choices changed."), answer, true), "ok");
  } catch (error) {
    saveButton.disabled = false;
    toast(error.message);
  }
}

saveButton.addEventListener("click", save);
window.addEventListener("beforeunload", (event) => {
  if (changed.size) event.preventDefault();
});
