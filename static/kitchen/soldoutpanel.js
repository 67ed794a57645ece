// The kitchen screen's 86 panel: 86 an item of this outlet, bring it back, or set its
// countdown. Opened by the 86 button (every item, with a search) or by a long press on a
// ticket item (that item first). Works for a paired screen and for a signed-in cook alike.
import { api, newUuid } from "/static/waiter/api.js";
import { h, showDialog, toast } from "/static/waiter/dom.js";
import { gettext } from "/static/waiter/i18n.js";
import { itemRow, nameMatches } from "/static/waiter/soldout.js";

const panelPaths = {
  board: (stationId) => `/api/kitchen/stations/${stationId}/sold-out/`,
  item: (stationId, itemId) => `/api/kitchen/stations/${stationId}/items/${itemId}/availability/`,
};

export async function openSoldOutPanel({ stationId, itemId = null }) {
  let board;
  try {
    board = await api("GET", panelPaths.board(stationId));
  } catch (error) {
    toast(error.message);
    return;
  }
  const items = board.categories.flatMap((category) => category.items);
  let focus = itemId !== null && items.some((item) => item.id === itemId) ? itemId : null;
  const search = h("input", {
    type: "search",
    class: "input kds-86__search",
    placeholder: gettext("Search the menu"),
    "aria-label": gettext("Search the menu"),
    autocomplete: "off",
  });
  const list = h("ul", { class: "kds-86__list" });
  const showAll = h("button", { type: "button", class: "kbutton", "data-action": "show-all", onclick: () => ((focus = null), draw()) }, gettext("Show all items"));

  async function change(item, body) {
    try {
      Object.assign(item, await api("POST", panelPaths.item(stationId, item.id), { key: newUuid(), body }));
      draw();
    } catch (error) {
      toast(error.message);
    }
  }

  function draw() {
    const rows = focus !== null ? items.filter((item) => item.id === focus) : items.filter((item) => nameMatches(item.name, search.value));
    search.hidden = focus !== null;
    showAll.hidden = focus === null;
    list.replaceChildren(...(rows.length ? rows.map((item) => itemRow(item, (body) => change(item, body))) : [h("li", { class: "empty" }, gettext("Nothing matches."))]));
  }

  search.addEventListener("input", draw);
  const dialog = h(
    "dialog",
    { class: "kds-dialog kds-86", "aria-labelledby": "kds-86-title" },
    h("h2", { id: "kds-86-title", class: "kds-dialog__title" }, gettext("86 and countdowns")),
    search,
    list,
    h(
      "footer",
      { class: "kds-dialog__actions" },
      showAll,
      h("button", { type: "button", class: "kbutton kbutton--primary", "data-action": "close", onclick: () => dialog.close() }, gettext("Done")),
    ),
  );
  draw();
  showDialog(dialog);
}
