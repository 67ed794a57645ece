// The EU's 14 allergens on screens: short marks on tiles and choices, a full line for cooks.
import { h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

// In Annex II order. Marks are per language (pgettext), since the names' first letters clash in Dutch.
const ALLERGENS = {
  gluten: () => [pgettext("allergen mark for gluten", "GL"), gettext("Gluten")],
  crustaceans: () => [pgettext("allergen mark for crustaceans", "CR"), gettext("Crustaceans")],
  eggs: () => [pgettext("allergen mark for eggs", "EG"), gettext("Eggs")],
  fish: () => [pgettext("allergen mark for fish", "FI"), gettext("Fish")],
  peanuts: () => [pgettext("allergen mark for peanuts", "PE"), gettext("Peanuts")],
  soybeans: () => [pgettext("allergen mark for soybeans", "SO"), gettext("Soybeans")],
  milk: () => [pgettext("allergen mark for milk", "MI"), gettext("Milk")],
  nuts: () => [pgettext("allergen mark for nuts", "NU"), gettext("Nuts")],
  celery: () => [pgettext("allergen mark for celery", "CE"), gettext("Celery")],
  mustard: () => [pgettext("allergen mark for mustard", "MU"), gettext("Mustard")],
  sesame: () => [pgettext("allergen mark for sesame", "SE"), gettext("Sesame")],
  sulphites: () => [pgettext("allergen mark for sulphites", "SU"), gettext("Sulphites")],
  lupin: () => [pgettext("allergen mark for lupin", "LU"), gettext("Lupin")],
  molluscs: () => [pgettext("allergen mark for molluscs", "MO"), gettext("Molluscs")],
};

function pgettext(context, text) {
  return window.pgettext ? window.pgettext(context, text) : text;
}

const known = (codes) => (codes || []).filter((code) => code in ALLERGENS);

export function allergenName(code) {
  return ALLERGENS[code] ? ALLERGENS[code]()[1] : code;
}

// "Allergens: Gluten, Milk" (empty string for none).
export function allergenText(codes) {
  const names = known(codes).map(allergenName);
  return names.length ? interpolate(gettext("Allergens: %s"), [names.join(", ")]) : "";
}

// Compact marks (GL MI) read out as the full names; null when there are none.
export function allergenMarks(codes, className = "allergens") {
  const list = known(codes);
  if (!list.length) return null;
  const text = allergenText(list);
  return h(
    "span",
    { class: className, title: text, "aria-label": text, role: "img", "data-allergens": list.join(" ") },
    ...list.map((code) => h("abbr", { class: "allergen", "aria-hidden": "true" }, ALLERGENS[code]()[0])),
  );
}
