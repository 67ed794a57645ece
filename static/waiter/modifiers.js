// Choosing an item's modifiers: the group rules (min, max, free choices, nested groups)
// checked here the same way the server checks them, before "Add" is enabled.
import { allergenMarks } from "./allergens.js";
import { closeOnBack } from "./backbutton.js";
import { h, setBusy, showDialog } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";
import { money, moneyDelta } from "./money.js";

// "choose 1", "up to 3", "choose 1 to 2" ... and "first one free".
export function ruleText(group) {
  const { min_choices: min, max_choices: max, free_choices: free } = group;
  let rule;
  if (max !== null && min === max) rule = interpolate(gettext("choose %s"), [min]);
  else if (min === 0 && max === null) rule = gettext("optional");
  else if (min === 0) rule = interpolate(gettext("up to %s"), [max]);
  else if (max === null) rule = interpolate(gettext("at least %s"), [min]);
  else rule = interpolate(gettext("choose %(min)s to %(max)s"), { min, max }, true);
  if (free > 0) rule += " · " + interpolate(ngettext("first one free", "first %s free", free), [free]);
  return rule;
}

// Index the menu's groups: modifier id -> modifier (with its group id).
export function indexModifiers(groups) {
  const modifiers = {};
  for (const group of Object.values(groups)) {
    for (const modifier of group.modifiers) modifiers[modifier.id] = { ...modifier, group: group.id };
  }
  return modifiers;
}

// The groups to show, in order: the item's own, each followed by the groups its chosen
// modifiers open (Side salad -> Dressing), as [{group, depth}].
export function visibleGroups(rootIds, groups, modifiers, chosen) {
  const shown = [];
  const seen = new Set();
  const visit = (groupId, depth) => {
    const group = groups[groupId];
    if (!group || seen.has(groupId)) return;
    seen.add(groupId);
    shown.push({ group, depth });
    for (const id of chosen) {
      const modifier = modifiers[id];
      if (modifier.group === groupId && modifier.opens_group) visit(modifier.opens_group, depth + 1);
    }
  };
  for (const id of rootIds) visit(id, 0);
  return shown;
}

// What each chosen modifier costs: the first `free_choices` of a group are free.
export function charges(chosen, groups, modifiers) {
  const rank = {};
  const charged = {};
  for (const id of chosen) {
    const modifier = modifiers[id];
    const group = groups[modifier.group];
    rank[group.id] = (rank[group.id] || 0) + 1;
    charged[id] = rank[group.id] <= group.free_choices ? 0 : modifier.price_delta;
  }
  return charged;
}

// Groups whose minimum is not met yet.
export function unmetGroups(shown, chosen, modifiers) {
  return shown
    .map(({ group }) => group)
    .filter((group) => chosen.filter((id) => modifiers[id].group === group.id).length < group.min_choices);
}

/**
 * openModifierDialog({item, groups, onAdd({qty, note, modifiers}), initial, saveLabel})
 *
 * `initial` ({qty, note, modifiers: [modifier ids in the order chosen]}) prefills the
 * dialog, to change a line's choices; `saveLabel` (a format with %s for the price, e.g.
 * "Save · %s") replaces "Add · %s". If onAdd returns a promise the dialog stays open,
 * busy, until it settles, and shows the error if it fails. The browser's Back closes the
 * dialog (not the order screen) and hands what was chosen so far to onBack({qty, note, modifiers}).
 */
export function openModifierDialog({ item, groups, onAdd, initial = null, saveLabel = null, onBack = null }) {
  const modifiers = indexModifiers(groups);
  // Choices the menu no longer knows are dropped; prune() drops those whose group is gone.
  let chosen = (initial?.modifiers || []).filter((id) => modifiers[id]);
  let qty = initial?.qty ?? 1;
  let busy = false;

  const body = h("div", { class: "modifier-groups" });
  const qtyValue = h("output", { class: "stepper__value", "aria-live": "polite" }, String(qty));
  const note = h("input", {
    type: "text",
    class: "input",
    name: "note",
    maxlength: 200,
    placeholder: gettext("Note for the kitchen"),
    "aria-label": gettext("Note"),
    value: initial?.note || null,
  });
  const missing = h("p", { class: "modifier-missing", role: "status" });
  const add = h("button", {
    type: "button",
    class: "button button--primary",
    "data-action": saveLabel ? "save" : "add",
    onclick: submit,
  });
  const dialog = h(
    "dialog",
    { class: "sheet modifier-dialog", "aria-labelledby": "modifier-title", "data-item-id": item.id },
    h(
      "header",
      { class: "sheet__head" },
      h("h2", { id: "modifier-title", class: "sheet__title" }, item.name),
      h("span", { class: "sheet__price" }, money(item.price)),
    ),
    allergenMarks(item.allergens, "allergens modifier-dialog__allergens"),
    body,
    h(
      "div",
      { class: "modifier-extra" },
      stepper(),
      h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Note")), note),
    ),
    h(
      "footer",
      { class: "sheet__actions" },
      missing,
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      add,
    ),
  );

  function stepper() {
    const change = (by) => {
      qty = Math.max(1, Math.min(99, qty + by));
      render();
    };
    return h(
      "div",
      { class: "stepper", role: "group", "aria-label": gettext("Quantity") },
      h("button", { type: "button", class: "stepper__button", "aria-label": gettext("One less"), "data-action": "less", onclick: () => change(-1) }, "−"),
      qtyValue,
      h("button", { type: "button", class: "stepper__button", "aria-label": gettext("One more"), "data-action": "more", onclick: () => change(1) }, "+"),
    );
  }

  // Drop choices whose group is no longer shown (their parent modifier was unchosen).
  function prune() {
    for (;;) {
      const shownIds = new Set(visibleGroups(item.modifier_groups, groups, modifiers, chosen).map(({ group }) => group.id));
      const kept = chosen.filter((id) => shownIds.has(modifiers[id].group));
      if (kept.length === chosen.length) return;
      chosen = kept;
    }
  }

  function toggle(modifier) {
    const group = groups[modifier.group];
    if (chosen.includes(modifier.id)) {
      chosen = chosen.filter((id) => id !== modifier.id);
    } else {
      const inGroup = chosen.filter((id) => modifiers[id].group === group.id);
      if (group.max_choices === 1 && inGroup.length) {
        // A single choice: swap it, in its place (the ticket keeps the order chosen).
        chosen = chosen.map((id) => (id === inGroup[0] ? modifier.id : id));
      } else if (group.max_choices !== null && inGroup.length >= group.max_choices) {
        missing.textContent = interpolate(gettext("%(group)s: up to %(n)s."), { group: group.name, n: group.max_choices }, true);
        return;
      } else {
        chosen.push(modifier.id);
      }
    }
    prune();
    render();
  }

  function priceText(modifier, group, charged) {
    if (!modifier.price_delta) return "";
    if (chosen.includes(modifier.id)) return charged[modifier.id] ? moneyDelta(charged[modifier.id]) : gettext("free");
    const taken = chosen.filter((id) => modifiers[id].group === group.id).length;
    return taken < group.free_choices ? gettext("free") : moneyDelta(modifier.price_delta);
  }

  function render() {
    const shown = visibleGroups(item.modifier_groups, groups, modifiers, chosen);
    const charged = charges(chosen, groups, modifiers);
    const unmet = unmetGroups(shown, chosen, modifiers);
    body.replaceChildren(
      ...shown.map(({ group, depth }) => {
        const count = chosen.filter((id) => modifiers[id].group === group.id).length;
        const satisfied = count >= group.min_choices;
        return h(
          "section",
          {
            class: `modifier-group modifier-group--depth-${Math.min(depth, 2)}`,
            "data-group-id": group.id,
            "data-satisfied": satisfied ? "true" : "false",
          },
          h(
            "h3",
            { class: "modifier-group__title" },
            group.name,
            h("span", { class: "modifier-group__rule" }, ruleText(group)),
          ),
          h(
            "div",
            { class: "modifier-options" },
            group.modifiers.map((modifier) =>
              h(
                "button",
                {
                  type: "button",
                  class: "option",
                  "data-modifier-id": modifier.id,
                  "aria-pressed": chosen.includes(modifier.id) ? "true" : "false",
                  "data-sold-out": modifier.is_available ? null : "true",
                  // Sold out: not to be chosen, but a line's old choice can still be taken off.
                  disabled: !modifier.is_available && !chosen.includes(modifier.id),
                  onclick: () => toggle(modifiers[modifier.id]),
                },
                h("span", { class: "option__name" }, modifier.name),
                allergenMarks(modifier.allergens, "allergens option__allergens"),
                h(
                  "span",
                  { class: "option__price" },
                  modifier.is_available ? priceText(modifier, group, charged) : gettext("sold out"),
                ),
              ),
            ),
          ),
        );
      }),
    );
    const soldOut = chosen.filter((id) => !modifiers[id].is_available);
    const unit = item.price + Object.values(charged).reduce((sum, delta) => sum + delta, 0);
    qtyValue.textContent = String(qty);
    add.textContent = interpolate(saveLabel || gettext("Add · %s"), [money(unit * qty)]);
    add.disabled = busy || unmet.length > 0 || soldOut.length > 0;
    const problems = [];
    if (soldOut.length) {
      problems.push(interpolate(gettext("Sold out now: %s"), [soldOut.map((id) => modifiers[id].name).join(", ")]));
    }
    if (unmet.length) {
      problems.push(interpolate(gettext("Still to choose: %s"), [unmet.map((group) => group.name).join(", ")]));
    }
    missing.textContent = problems.join(" ");
  }

  async function submit() {
    if (add.disabled) return;
    const done = onAdd({ qty, note: note.value.trim(), modifiers: [...chosen] });
    if (!done || typeof done.then !== "function") {
      dialog.close();
      return;
    }
    busy = true;
    setBusy(add, true);
    try {
      await done;
      dialog.close();
    } catch (error) {
      busy = false;
      setBusy(add, false);
      render();
      missing.textContent = error.message;
    }
  }

  prune();
  render();
  showDialog(dialog);
  closeOnBack(dialog, { onBack: () => onBack?.({ qty, note: note.value.trim(), modifiers: [...chosen] }) });
  return dialog;
}
