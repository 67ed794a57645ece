// The order screen's "Table ⋯" menu: move the order to a free table, merge another
// table into it, hand it over to a colleague. Every action is one POST with its own
// Idempotency-Key, which api() reuses when it retries.
import { api, newUuid, paths } from "./api.js";
import { h, showDialog, toast } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { personIcon } from "./icons.js";
import { orderTitle, tableNumber } from "./orderlabel.js";
import { initials, roleName } from "./roles.js";

const FLOOR_ROLES = ["waiter", "bartender", "manager"];

/** openOrderActions({getOrder, onChanged}); onChanged(order) gets the order as the server answered it. */
export function openOrderActions({ getOrder, onChanged }) {
  const title = h("h2", { id: "actions-title", class: "sheet__title" });
  const back = h("button", { type: "button", class: "button", "data-action": "back" }, "← ", gettext("Back"));
  const body = h("div", { class: "actions-body" });
  const footer = h("footer", { class: "sheet__actions" });
  const dialog = h(
    "dialog",
    { class: "sheet actions-sheet", "aria-labelledby": "actions-title" },
    h("header", { class: "sheet__head actions-sheet__head" }, back, title),
    body,
    footer,
  );
  back.addEventListener("click", () => showMenu());

  const closeButton = (text = gettext("Cancel")) =>
    h("button", { type: "button", class: "button", "data-action": "close", onclick: () => dialog.close() }, text);

  function setView(view, { heading, withBack = true, content = [], actions = [closeButton()] }) {
    dialog.dataset.view = view;
    title.textContent = heading;
    back.hidden = !withBack;
    body.replaceChildren(...content);
    footer.replaceChildren(h("span", { class: "sheet__spacer" }), ...actions);
  }

  // While a request runs nothing else can be tapped; `button` shows the spinner state.
  let unlocked = [];
  function lock(locked, button = null) {
    if (locked) {
      unlocked = [...dialog.querySelectorAll("button:not(:disabled)")];
      for (const each of unlocked) each.disabled = true;
    } else {
      for (const each of unlocked) each.disabled = false;
      unlocked = [];
    }
    if (button) button.setAttribute("aria-busy", locked ? "true" : "false");
  }

  async function run(button, method, url, body, success) {
    lock(true, button);
    try {
      // One key per tap: a retry after lost Wi-Fi repeats the same action, never a second one.
      const order = await api(method, url, { key: newUuid(), body });
      dialog.close();
      onChanged(order);
      toast(success(order), "ok");
    } catch (error) {
      lock(false, button);
      toast(error.message);
      return false;
    }
    return true;
  }

  function loading() {
    return h("p", { class: "muted actions-body__note", role: "status" }, gettext("Loading…"));
  }

  function failed(error, retry) {
    return h(
      "div",
      { class: "actions-body__note" },
      h("p", { class: "sheet__text" }, error.message),
      h("button", { type: "button", class: "button", onclick: retry }, gettext("Try again")),
    );
  }

  // ---- the menu --------------------------------------------------------------------

  function actionButton(action, heading, text, onclick) {
    return h(
      "button",
      { type: "button", class: "action-button", "data-action": action, onclick },
      h("span", { class: "action-button__title" }, heading),
      h("span", { class: "action-button__text" }, text),
    );
  }

  function showMenu() {
    const order = getOrder();
    const atTable = Boolean(order.table);
    setView("menu", {
      heading: orderTitle(order),
      withBack: false,
      content: [
        h(
          "div",
          { class: "action-list" },
          actionButton(
            "move",
            atTable ? gettext("Move to another table") : gettext("Move to a table"),
            gettext("The guests change tables; their order goes with them."),
            showMove,
          ),
          atTable
            ? actionButton(
                "merge",
                gettext("Merge a table into this one"),
                gettext("Tables pushed together: one order, one bill."),
                showMerge,
              )
            : null,
          actionButton("handover", gettext("Hand over to another waiter"), gettext("A colleague takes over this order."), showHandover),
        ),
      ],
      actions: [closeButton(gettext("Close"))],
    });
  }

  // ---- picking a table -------------------------------------------------------------

  function tableChoice(entry, onPick, pressed = false) {
    const order = entry.order;
    return h(
      "button",
      {
        type: "button",
        class: "table-choice",
        "data-table-id": entry.id,
        "data-table-number": entry.number,
        "data-state": entry.state,
        "aria-pressed": pressed ? "true" : "false",
        onclick: (event) => onPick(entry, event.currentTarget),
      },
      h("span", { class: "table-choice__number" }, entry.number),
      h(
        "span",
        { class: "table-choice__detail" },
        personIcon(),
        order ? `${order.covers}/${entry.seats}` : String(entry.seats),
        order ? h("span", { class: "table__waiter", title: order.waiter.name }, initials(order.waiter.name)) : null,
      ),
    );
  }

  // The floor's tables that pass `keep`, as big buttons grouped by area.
  function tablesByArea(plan, keep, onPick, pickedId = null) {
    const sections = plan.areas
      .map((area) => [area, area.tables.filter(keep)])
      .filter(([, tables]) => tables.length)
      .map(([area, tables]) =>
        h(
          "section",
          { class: "choice-area", "data-area-id": area.id },
          h("h3", { class: "choice-area__title" }, area.name),
          h("div", { class: "table-choices" }, tables.map((entry) => tableChoice(entry, onPick, entry.id === pickedId))),
        ),
      );
    return sections;
  }

  async function loadFloor(view, draw) {
    const order = getOrder();
    try {
      draw(await api("GET", paths.floor(order.outlet)));
    } catch (error) {
      if (dialog.dataset.view === view) body.replaceChildren(failed(error, () => loadFloor(view, draw)));
    }
  }

  function showMove() {
    const order = getOrder();
    const here = tableNumber(order);
    setView("move", {
      heading: here ? interpolate(gettext("Move table %s to…"), [here]) : gettext("Move to table…"),
      content: [loading()],
    });
    loadFloor("move", (plan) => {
      if (dialog.dataset.view !== "move") return;
      const sections = tablesByArea(plan, (entry) => entry.state === "free", move);
      body.replaceChildren(
        h("p", { class: "sheet__text" }, gettext("Tap a free table.")),
        ...(sections.length ? sections : [h("p", { class: "empty" }, gettext("No table is free right now."))]),
      );
    });
  }

  async function move(entry, button) {
    const order = getOrder();
    const moved = await run(button, "POST", paths.transfer(order.id), { table: entry.id }, () =>
      interpolate(gettext("Moved to table %s."), [entry.number]),
    );
    if (!moved && dialog.open) showMove(); // taken meanwhile: show the tables that are free now
  }

  function showMerge() {
    const order = getOrder();
    let picked = null;
    const confirm = h("button", { type: "button", class: "button button--primary", "data-action": "merge-confirm", disabled: true }, gettext("Merge"));
    const explain = h("p", { class: "sheet__text merge-explain" });
    const describe = () => {
      const firstSeat = order.covers + 1;
      explain.textContent = picked
        ? interpolate(
            gettext(
              "Table %(source)s joins this order with its lines and guests. Its seats are numbered after this table's %(covers)s: its seat 1 becomes seat %(first)s.",
            ),
            { source: picked.number, covers: order.covers, first: firstSeat },
            true,
          )
        : interpolate(
            gettext(
              "Tap the table that joins this one. Its lines move to this order and its guests' seats are numbered after this table's %(covers)s seats (its seat 1 becomes seat %(first)s).",
            ),
            { covers: order.covers, first: firstSeat },
            true,
          );
      confirm.disabled = !picked;
      confirm.textContent = picked
        ? interpolate(gettext("Merge table %(source)s into table %(target)s"), { source: picked.number, target: tableNumber(order) }, true)
        : gettext("Merge");
    };
    confirm.addEventListener("click", () =>
      run(confirm, "POST", paths.merge(order.id), { source_order: picked.order.id }, () =>
        interpolate(gettext("Table %s is merged into this order."), [picked.number]),
      ).then((merged) => merged || (dialog.open && showMerge())),
    );
    setView("merge", {
      heading: interpolate(gettext("Merge a table into table %s"), [tableNumber(order)]),
      content: [explain, loading()],
      actions: [closeButton(), confirm],
    });
    describe();
    loadFloor("merge", (plan) => {
      if (dialog.dataset.view !== "merge") return;
      const keep = (entry) => entry.order && entry.order.id !== order.id;
      const draw = () => {
        const sections = tablesByArea(plan, keep, pick, picked?.id);
        body.replaceChildren(
          explain,
          ...(sections.length ? sections : [h("p", { class: "empty" }, gettext("No other table has an open order."))]),
        );
      };
      const pick = (entry) => {
        picked = entry;
        describe();
        draw();
      };
      draw();
    });
  }

  // ---- handing over ----------------------------------------------------------------

  async function showHandover() {
    setView("handover", { heading: gettext("Hand over to…"), content: [loading()] });
    const order = getOrder();
    let people;
    try {
      people = await api("GET", paths.signInTiles);
    } catch (error) {
      if (dialog.dataset.view === "handover") body.replaceChildren(failed(error, showHandover));
      return;
    }
    if (dialog.dataset.view !== "handover") return;
    const colleagues = people.filter((person) => person.roles.some((role) => FLOOR_ROLES.includes(role)));
    body.replaceChildren(
      colleagues.length
        ? h(
            "div",
            { class: "staff-choices" },
            colleagues.map((person) => {
              const current = person.id === order.waiter.id;
              return h(
                "button",
                {
                  type: "button",
                  class: "staff-choice",
                  "data-user-id": person.id,
                  "aria-current": current ? "true" : null,
                  disabled: current,
                  onclick: (event) =>
                    run(event.currentTarget, "POST", paths.assign(order.id), { waiter: person.id }, () =>
                      interpolate(gettext("Handed over to %s."), [person.name]),
                    ),
                },
                h("span", { class: "staff-choice__name" }, person.name),
                h(
                  "span",
                  { class: "staff-choice__roles" },
                  current
                    ? gettext("Has this order now")
                    : person.roles
                        .filter((role) => FLOOR_ROLES.includes(role))
                        .map(roleName)
                        .join(", "),
                ),
              );
            }),
          )
        : h("p", { class: "empty" }, gettext("Nobody else takes orders right now.")),
    );
  }

  showMenu();
  showDialog(dialog);
  return dialog;
}
