// The menu editor's form fields: every name in every language of the site, inputs, and the
// server's errors shown beside the fields they name.
import { h, toast } from "../waiter/dom.js";
import { gettext } from "../waiter/i18n.js";

// The names each kind of row has, in ONE place; each is asked in every language of the site
// (name_en, name_nl...), side by side. A name in one language is enough: screens fall back.
export const LANGUAGES = JSON.parse(document.getElementById("menu-languages").textContent);
export const NAME_FIELDS = {
  menu: [{ field: "name", label: gettext("Name"), max: 80 }],
  category: [{ field: "name", label: gettext("Name"), max: 80 }],
  item: [
    { field: "name", label: gettext("Name"), max: 80 },
    { field: "short_name", label: gettext("Kitchen name"), max: 40, optional: true },
    { field: "description", label: gettext("Description"), max: 200, optional: true },
  ],
  group: [{ field: "name", label: gettext("Name"), max: 80 }],
  choice: [{ field: "name", label: gettext("Choice"), max: 80 }],
};

export function field(label, control, name) {
  return h("label", { class: "field", "data-field": name }, h("span", { class: "field__label" }, label), control, h("p", { class: "field__error" }));
}

export function textInput(name, value, { max, required = true, inputmode } = {}) {
  return h("input", { class: "input", name, value: value ?? "", maxlength: max, required, inputmode, autocomplete: "off" });
}

export const translated = (kind) => NAME_FIELDS[kind].flatMap((spec) => LANGUAGES.map(([code, language]) => ({ ...spec, key: `${spec.field}_${code}`, language })));

export function nameFields(kind, row) {
  return NAME_FIELDS[kind].map((spec) =>
    h(
      "div",
      { class: "menu-form__row" },
      translated(kind)
        .filter((one) => one.field === spec.field)
        .map((one) => field(`${one.label} · ${one.language}`, textInput(one.key, row?.[one.key], { max: one.max, required: false }), one.key)),
    ),
  );
}

export function select(name, options, selected) {
  return h(
    "select",
    { class: "input", name },
    options.map(([value, text]) => h("option", { value: value ?? "", selected: (value ?? "") === (selected ?? "") }, text)),
  );
}

export function checkbox(name, checked, label) {
  return h("label", { class: "menu-check" }, h("input", { type: "checkbox", name, checked }), h("span", {}, label));
}

// Show the server's answer next to the fields it names ("price", "windows.0.weekdays"...).
export function showErrors(form, error) {
  for (const box of form.querySelectorAll(".field__error")) box.textContent = "";
  const body = error.body && typeof error.body === "object" ? error.body : {};
  let placed = false;
  const place = (path, value) => {
    if (typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"))) {
      const target = form.querySelector(`[data-field="${path}"] .field__error`);
      if (target) {
        target.textContent = [value].flat().join(" ");
        placed = true;
      }
    } else if (Array.isArray(value)) value.forEach((inner, index) => place(`${path}.${index}`, inner));
    else if (value && typeof value === "object") for (const [key, inner] of Object.entries(value)) place(`${path}.${key}`, inner);
  };
  for (const [key, value] of Object.entries(body)) place(key, value);
  // Named next to its field, and said once at the bottom too (a field may be scrolled away).
  toast(error.message);
  return placed;
}

export const text = (data, name) => (data.get(name) || "").trim();
export const idOrNull = (value) => (value ? Number(value) : null);

export function namesFrom(kind, data) {
  return Object.fromEntries(translated(kind).map((one) => [one.key, text(data, one.key)]));
}
