// Selling a set menu ("3-gangen keuzemenu"): one dish per course, in the modifier dialog's style.
// A dish with its own choices (the steak's cooking) opens the modifier dialog over this one.
import { allergenMarks } from "./allergens.js";
import { closeOnBack } from "./backbutton.js";
import { h, setBusy, showDialog } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { openModifierDialog } from "./modifiers.js";
import { money } from "./money.js";

/**
 * openSetMenuDialog({item, items, groups, courseName, onAdd({qty, note, set_choices})})
 * `items`: menu item id -> item (the dishes to choose from); `groups`: the menu's modifier groups.
 */
export function openSetMenuDialog({ item, items, groups, courseName, onAdd }) {
  const chosen = new Map(); // course -> {item, modifiers: [ids], names: [modifier names]}
  const modifierNames = {};
  for (const group of Object.values(groups)) for (const m of group.modifiers) modifierNames[m.id] = m.name;
  let busy = false;

  const body = h("div", { class: "modifier-groups" });
  const missing = h("p", { class: "modifier-missing", role: "status" });
  const add = h("button", { type: "button", class: "button button--primary", "data-action": "add", onclick: submit });
  const dialog = h(
    "dialog",
    { class: "sheet modifier-dialog set-menu-dialog", "aria-labelledby": "set-menu-title", "data-item-id": item.id },
    h(
      "header",
      { class: "sheet__head" },
      h("h2", { id: "set-menu-title", class: "sheet__title" }, item.name),
      h("span", { class: "sheet__price" }, money(item.price)),
    ),
    body,
    h(
      "footer",
      { class: "sheet__actions" },
      missing,
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      add,
    ),
  );

  function choose(course, dish) {
    if (!dish.modifier_groups.length) {
      chosen.set(course, { item: dish, modifiers: [] });
      render();
      return;
    }
    const before = chosen.get(course);
    openModifierDialog({
      item: { ...dish, price: 0 },
      groups,
      initial: before?.item.id === dish.id ? { qty: 1, note: "", modifiers: before.modifiers } : null,
      saveLabel: gettext("Choose"),
      onAdd: ({ modifiers }) => {
        chosen.set(course, { item: dish, modifiers });
        render();
      },
    });
  }

  function render() {
    const unmet = [];
    body.replaceChildren(
      ...item.set_courses.map(({ course, choices }) => {
        const pick = chosen.get(course);
        if (!pick) unmet.push(courseName(course));
        return h(
          "section",
          { class: "modifier-group", "data-course": course, "data-satisfied": pick ? "true" : "false" },
          h(
            "h3",
            { class: "modifier-group__title" },
            courseName(course),
            h("span", { class: "modifier-group__rule" }, gettext("choose 1")),
          ),
          h(
            "div",
            { class: "modifier-options" },
            choices
              .map((id) => items[id])
              .filter(Boolean)
              .map((dish) => {
                const picked = pick?.item.id === dish.id;
                const extras = picked ? pick.modifiers.map((id) => modifierNames[id]).join(", ") : "";
                return h(
                  "button",
                  {
                    type: "button",
                    class: "option",
                    "data-dish-id": dish.id,
                    "aria-pressed": picked ? "true" : "false",
                    "data-sold-out": dish.is_86d ? "true" : null,
                    disabled: dish.is_86d,
                    onclick: () => choose(course, dish),
                  },
                  h("span", { class: "option__name" }, dish.name),
                  allergenMarks(dish.allergens, "allergens option__allergens"),
                  h("span", { class: "option__price" }, dish.is_86d ? gettext("sold out") : extras),
                );
              }),
          ),
        );
      }),
    );
    add.textContent = interpolate(gettext("Add · %s"), [money(item.price)]);
    add.disabled = busy || unmet.length > 0;
    missing.textContent = unmet.length ? interpolate(gettext("Still to choose: %s"), [unmet.join(", ")]) : "";
  }

  async function submit() {
    if (add.disabled) return;
    const setChoices = [...chosen].map(([course, pick]) => ({ course, item: pick.item.id, modifiers: pick.modifiers }));
    busy = true;
    setBusy(add, true);
    try {
      await onAdd({ qty: 1, note: "", set_choices: setChoices });
      dialog.close();
    } catch (error) {
      busy = false;
      setBusy(add, false);
      render();
      missing.textContent = error.message;
    }
  }

  render();
  showDialog(dialog);
  closeOnBack(dialog);
  return dialog;
}
