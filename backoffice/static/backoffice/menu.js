// The menu editor: one outlet's menus, categories and items, and the shared modifier groups.
// Every save answers with the whole editor, so the page redraws from what the server holds.
import { api, newUuid } from "../waiter/api.js";
import { h, setBusy, showDialog, textColourOn, toast } from "../waiter/dom.js";
import { gettext, interpolate } from "../waiter/i18n.js";
import { money, moneyDelta } from "../waiter/money.js";
import { field, textInput, translated, nameFields, select, checkbox, showErrors, text, idOrNull, namesFrom } from "./menu_form.js";

const root = document.getElementById("menu-editor");
const outletId = Number(root.dataset.outletId);
const $ = (id) => document.getElementById(id);
const base = "/manager/api/menu";
const urls = {
  editor: `${base}/outlets/${outletId}/`,
  menus: `${base}/outlets/${outletId}/menus/`,
  menu: (id) => `${base}/menus/${id}/`,
  categories: (menuId) => `${base}/menus/${menuId}/categories/`,
  categoryOrder: (menuId) => `${base}/menus/${menuId}/order/`,
  category: (id) => `${base}/categories/${id}/`,
  items: (categoryId) => `${base}/categories/${categoryId}/items/`,
  itemOrder: (categoryId) => `${base}/categories/${categoryId}/order/`,
  item: (id) => `${base}/items/${id}/`,
  groups: `${base}/modifier-groups/`,
  group: (id) => `${base}/modifier-groups/${id}/`,
};

const language = document.documentElement.lang || "en";
const decimals = Number(document.body.dataset.currencyDecimals || 2);
const plain = new Intl.NumberFormat(language, {
  minimumFractionDigits: decimals,
  maximumFractionDigits: decimals,
  useGrouping: false,
});
// Cents as the manager types them back: "12,50" in Dutch, "12.50" in English.
const euros = (cents) => plain.format(cents / 10 ** decimals);

const DAYS = [0, 1, 2, 3, 4, 5, 6].map((day) =>
  // 2024-01-01 was a Monday: day 0 of the model.
  new Intl.DateTimeFormat(language, { weekday: "short" }).format(new Date(2024, 0, 1 + day)),
);

const state = { data: null, menuId: null, categoryId: null };
let Sortable = null;

// ---- reading ---------------------------------------------------------------------------

const menus = () => state.data?.menus || [];
const currentMenu = () => menus().find((m) => m.id === state.menuId) || null;
const currentCategory = () => currentMenu()?.categories.find((c) => c.id === state.categoryId) || null;
const groupById = (id) => state.data.modifier_groups.find((g) => g.id === id);
const stationName = (id) => state.data.stations.find((s) => s.id === id)?.name;
const rateName = (id) => state.data.tax_rates.find((r) => r.id === id)?.name;

function take(data) {
  state.data = data;
  if (!menus().some((m) => m.id === state.menuId)) state.menuId = menus()[0]?.id ?? null;
  const categories = currentMenu()?.categories || [];
  if (!categories.some((c) => c.id === state.categoryId)) state.categoryId = categories[0]?.id ?? null;
  render();
}

async function load() {
  try {
    take(await api("GET", urls.editor));
  } catch (error) {
    toast(error.message);
  }
}

// ---- drawing ---------------------------------------------------------------------------

function swatch(colour) {
  return h("span", { class: "menu-swatch", "data-colour": colour, "aria-hidden": "true" });
}

// The CSP forbids inline styles in the markup; colours are set through the CSSOM instead.
function paintSwatches(box) {
  for (const element of box.querySelectorAll("[data-colour]")) {
    element.style.setProperty("--swatch", element.dataset.colour);
    element.style.setProperty("--swatch-text", textColourOn(element.dataset.colour));
  }
}

function windowText(window) {
  const days = [...window.weekdays].map((d) => DAYS[Number(d)]).join(" ");
  return `${days} ${window.starts_at}–${window.ends_at}`;
}

function render() {
  const pick = $("menu-pick");
  pick.replaceChildren(
    ...menus().map((m) =>
      h("option", { value: m.id, selected: m.id === state.menuId }, m.is_active ? m.name : `${m.name} (${gettext("off")})`),
    ),
  );
  const menu = currentMenu();
  $("edit-menu").disabled = !menu;
  $("new-category").disabled = !menu;
  $("new-item").disabled = !currentCategory();
  $("menu-hint").textContent = !menu
    ? gettext("This outlet has no menu yet: make one with New menu.")
    : menu.windows.length
      ? interpolate(gettext("Served: %s"), [menu.windows.map(windowText).join(", ")])
      : gettext("Served all day, every day.");
  renderCategories(menu);
  renderItems(currentCategory());
  renderGroups();
}

function handle() {
  return h("span", { class: "drag-handle", title: gettext("Drag to reorder"), "aria-hidden": "true" }, "⠿");
}

function renderCategories(menu) {
  const box = $("categories");
  box.replaceChildren(
    ...(menu?.categories || []).map((category) =>
      h(
        "li",
        { class: "menu-row", "data-id": category.id, "aria-current": category.id === state.categoryId ? "true" : null },
        handle(),
        swatch(category.colour),
        h(
          "button",
          {
            type: "button",
            class: "menu-row__main",
            onclick: () => {
              state.categoryId = category.id;
              render();
            },
          },
          h("strong", {}, category.name),
          h(
            "span",
            { class: "menu-row__meta" },
            interpolate(gettext("%(count)s items · course %(course)s"), { count: category.items.length, course: category.default_course }, true),
          ),
        ),
        // A pencil, so the name keeps the width of a tablet's narrow column; the word is its label.
        h(
          "button",
          { type: "button", class: "button menu-row__edit", title: gettext("Edit"), "aria-label": gettext("Edit"), onclick: () => categoryDialog(category) },
          "✎",
        ),
      ),
    ),
  );
  paintSwatches(box);
}

function renderItems(category) {
  const box = $("items");
  $("items-title").textContent = category ? category.name : gettext("Items");
  if (!category) {
    box.replaceChildren();
    return;
  }
  if (!category.items.length) {
    box.replaceChildren(h("li", { class: "empty" }, gettext("No items in this category.")));
    return;
  }
  box.replaceChildren(
    ...category.items.map((item) =>
      h(
        "li",
        { class: item.is_available ? "menu-row" : "menu-row menu-row--off", "data-id": item.id },
        handle(),
        swatch(item.colour || category.colour),
        h(
          "button",
          { type: "button", class: "menu-row__main", onclick: () => itemDialog(category, item) },
          h("strong", { class: "menu-row__name" }, item.name),
          h(
            "span",
            { class: "menu-row__meta" },
            [
              rateName(item.tax_rate),
              item.station ? stationName(item.station) : null,
              item.modifier_groups.map((id) => groupById(id)?.name).join(", ") || null,
              item.is_available ? null : gettext("Sold out"),
            ]
              .filter(Boolean)
              .join(" · "),
          ),
        ),
        h("span", { class: "menu-row__price" }, money(item.price)),
      ),
    ),
  );
  paintSwatches(box);
}

function renderGroups() {
  const box = $("groups");
  box.replaceChildren(
    ...state.data.modifier_groups.map((group) =>
      h(
        "li",
        { class: "menu-row", "data-id": group.id },
        h(
          "button",
          { type: "button", class: "menu-row__main", onclick: () => groupDialog(group) },
          h("strong", {}, group.name),
          h("span", { class: "menu-row__meta" }, [limitsText(group), group.choices.map(choiceText).join(", ")].join(" · ")),
        ),
      ),
    ),
  );
}

function limitsText(group) {
  const most = group.max_choices === null ? gettext("no limit") : String(group.max_choices);
  const text = interpolate(gettext("choose %(min)s to %(max)s"), { min: group.min_choices, max: most }, true);
  return group.free_choices ? `${text}, ${interpolate(gettext("%s free"), [group.free_choices])}` : text;
}

function choiceText(choice) {
  const price = choice.price_delta ? ` ${moneyDelta(choice.price_delta)}` : "";
  const opens = choice.opens_group ? ` → ${groupById(choice.opens_group)?.name}` : "";
  return `${choice.name}${price}${opens}`;
}

// ---- forms -----------------------------------------------------------------------------

function courseOptions(first) {
  return [...(first ? [[null, first]] : []), ...state.data.courses.map((c) => [String(c.number), `${c.number}. ${c.name}`])];
}

function stationOptions(first) {
  return [[null, first], ...state.data.stations.map((s) => [String(s.id), s.name])];
}

function formDialog(title, form, { onSave, danger } = {}) {
  const save = h("button", { type: "submit", class: "button button--primary", id: "dialog-save" }, gettext("Save"));
  const dialog = h(
    "dialog",
    { class: "sheet menu-sheet" },
    h("h2", { class: "sheet__title" }, title),
    form,
    h(
      "footer",
      { class: "sheet__actions" },
      danger || null,
      h("span", { class: "sheet__spacer" }),
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      save,
    ),
  );
  save.setAttribute("form", form.id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setBusy(save, true);
    try {
      take(await onSave(new FormData(form)));
      dialog.close();
      toast(gettext("Saved."), "ok");
    } catch (error) {
      showErrors(form, error);
    } finally {
      setBusy(save, false);
    }
  });
  showDialog(dialog, { dismissable: false });
  paintSwatches(dialog);
  return dialog;
}

// ---- menus -----------------------------------------------------------------------------

function windowRow(window) {
  const row = h(
    "fieldset",
    { class: "menu-window" },
    h("legend", { class: "visually-hidden" }, gettext("Serving window")),
    h(
      "div",
      { class: "menu-window__days", "data-field": "weekdays" },
      DAYS.map((name, day) => checkbox("day", window.weekdays.includes(String(day)), name)),
      h("p", { class: "field__error" }),
    ),
    field(gettext("From"), h("input", { class: "input", type: "time", name: "starts_at", value: window.starts_at, required: true }), "starts_at"),
    field(gettext("Until"), h("input", { class: "input", type: "time", name: "ends_at", value: window.ends_at, required: true }), "ends_at"),
    h("button", { type: "button", class: "button button--danger", onclick: () => row.remove() }, gettext("Remove")),
  );
  row.querySelectorAll('input[name="day"]').forEach((box, day) => (box.value = String(day)));
  return row;
}

function numberWindowRows(form) {
  form.querySelectorAll(".menu-window").forEach((row, index) => {
    for (const box of row.querySelectorAll("[data-field]")) {
      const name = box.dataset.field.split(".").pop();
      box.dataset.field = `windows.${index}.${name}`;
    }
  });
}

function menuDialog(menu) {
  const windows = h("div", { class: "menu-windows" }, (menu?.windows || []).map(windowRow));
  const form = h(
    "form",
    { id: "menu-form", class: "menu-form" },
    nameFields("menu", menu),
    checkbox("is_active", menu ? menu.is_active : true, gettext("On: the tablets show this menu")),
    h("h3", {}, gettext("Serving hours")),
    h("p", { class: "menu-editor__help" }, gettext("No hours: served all day. A window may pass midnight (22:00 to 02:00).")),
    windows,
    h(
      "button",
      { type: "button", class: "button", id: "add-window", onclick: () => windows.append(windowRow({ weekdays: "0123456", starts_at: "11:00", ends_at: "15:00" })) },
      "+ ",
      gettext("Serving window"),
    ),
  );
  formDialog(menu ? gettext("Menu hours") : gettext("New menu"), form, {
    onSave: (data) => {
      numberWindowRows(form);
      const body = {
        ...namesFrom("menu", data),
        is_active: data.has("is_active"),
        windows: [...form.querySelectorAll(".menu-window")].map((row) => ({
          weekdays: [...row.querySelectorAll('input[name="day"]:checked')].map((box) => box.value).join(""),
          starts_at: row.querySelector('[name="starts_at"]').value,
          ends_at: row.querySelector('[name="ends_at"]').value,
        })),
      };
      return menu ? api("PUT", urls.menu(menu.id), { body }) : api("POST", urls.menus, { body, key: newUuid() });
    },
  });
}

// ---- categories ------------------------------------------------------------------------

function categoryDialog(category) {
  const form = h(
    "form",
    { id: "category-form", class: "menu-form" },
    nameFields("category", category),
    h(
      "div",
      { class: "menu-form__row" },
      field(gettext("Colour"), h("input", { class: "input input--colour", type: "color", name: "colour", value: category?.colour || "#607d8b" }), "colour"),
      field(gettext("Course"), select("default_course", courseOptions(null), String(category?.default_course ?? 1)), "default_course"),
      field(gettext("Station"), select("station", stationOptions(gettext("No station")), category?.station ? String(category.station) : null), "station"),
    ),
  );
  formDialog(category ? gettext("Edit category") : gettext("New category"), form, {
    onSave: (data) => {
      const body = {
        ...namesFrom("category", data),
        colour: data.get("colour"),
        default_course: Number(data.get("default_course") || 1),
        station: idOrNull(data.get("station")),
      };
      return category
        ? api("PUT", urls.category(category.id), { body })
        : api("POST", urls.categories(state.menuId), { body, key: newUuid() });
    },
  });
}

// ---- items -----------------------------------------------------------------------------

function groupPicker(attached) {
  // Attached groups first, in their order; ticking another adds it at the end.
  const order = [...attached, ...state.data.modifier_groups.map((g) => g.id).filter((id) => !attached.includes(id))];
  return h(
    "fieldset",
    { class: "menu-groups-pick", "data-field": "modifier_groups" },
    h("legend", { class: "field__label" }, gettext("Modifier groups")),
    order.map((id) => {
      const group = groupById(id);
      const box = checkbox("modifier_groups", attached.includes(id), `${group.name} (${limitsText(group)})`);
      box.querySelector("input").value = String(id);
      return box;
    }),
    state.data.modifier_groups.length ? null : h("p", { class: "menu-editor__help" }, gettext("No modifier groups yet.")),
    h("p", { class: "field__error" }),
  );
}

function itemDialog(category, item) {
  const ownColour = Boolean(item?.colour);
  const colour = h("input", { class: "input input--colour", type: "color", name: "colour", value: item?.colour || category.colour, disabled: !ownColour });
  const own = checkbox("own_colour", ownColour, gettext("Own colour (else the category's)"));
  own.querySelector("input").addEventListener("change", (event) => (colour.disabled = !event.target.checked));
  const rates = state.data.tax_rates.map((r) => [String(r.id), `${r.name} (${r.percent}%)`]);
  const form = h(
    "form",
    { id: "item-form", class: "menu-form" },
    nameFields("item", item),
    h(
      "div",
      { class: "menu-form__row" },
      field(
        interpolate(gettext("Price (%s)"), [document.body.dataset.currency === "EUR" ? "€" : document.body.dataset.currency]),
        textInput("price", item ? euros(item.price) : "", { inputmode: "decimal" }),
        "price",
      ),
      field(gettext("VAT rate"), select("tax_rate", rates, item ? String(item.tax_rate) : rates[0]?.[0]), "tax_rate"),
      field(gettext("Takeaway VAT rate"), select("takeaway_tax_rate", [[null, gettext("Same as dine-in")], ...rates], item?.takeaway_tax_rate ? String(item.takeaway_tax_rate) : null), "takeaway_tax_rate"),
    ),
    h(
      "div",
      { class: "menu-form__row" },
      field(gettext("Course"), select("default_course", courseOptions(gettext("The category's")), item?.default_course ? String(item.default_course) : null), "default_course"),
      field(gettext("Station"), select("station", stationOptions(gettext("The category's")), item?.station ? String(item.station) : null), "station"),
      h("div", { class: "field", "data-field": "colour" }, h("span", { class: "field__label" }, gettext("Colour")), h("div", { class: "menu-colour" }, colour, own), h("p", { class: "field__error" })),
    ),
    checkbox("is_available", item ? item.is_available : true, gettext("Available (untick to 86 it)")),
    groupPicker(item?.modifier_groups || []),
  );
  formDialog(item ? gettext("Edit item") : interpolate(gettext("New item in %s"), [category.name]), form, {
    onSave: (data) => {
      const body = {
        ...namesFrom("item", data),
        price: text(data, "price"),
        tax_rate: idOrNull(data.get("tax_rate")),
        takeaway_tax_rate: idOrNull(data.get("takeaway_tax_rate")),
        default_course: idOrNull(data.get("default_course")),
        station: idOrNull(data.get("station")),
        colour: data.has("own_colour") ? data.get("colour") : "",
        is_available: data.has("is_available"),
        modifier_groups: data.getAll("modifier_groups").map(Number),
      };
      return item ? api("PUT", urls.item(item.id), { body }) : api("POST", urls.items(category.id), { body, key: newUuid() });
    },
  });
}

// ---- modifier groups -------------------------------------------------------------------

function choiceRow(group, choice) {
  const others = state.data.modifier_groups.filter((g) => g.id !== group?.id).map((g) => [String(g.id), g.name]);
  const row = h(
    "li",
    { class: "menu-choice", "data-choice-id": choice?.id ?? "" },
    handle(),
    translated("choice").map((one) => field(`${one.label} · ${one.language}`, textInput(`choice_${one.key}`, choice?.[one.key], { max: one.max, required: false }), one.key)),
    field(gettext("Price change"), textInput("choice_price", choice ? euros(choice.price_delta) : euros(0), { inputmode: "decimal" }), "price_delta"),
    field(gettext("Opens group"), select("choice_opens", [[null, gettext("Nothing more")], ...others], choice?.opens_group ? String(choice.opens_group) : null), "opens_group"),
    checkbox("choice_available", choice ? choice.is_available : true, gettext("Available")),
    h("button", { type: "button", class: "button button--danger", title: gettext("Remove"), "aria-label": gettext("Remove"), onclick: () => row.remove() }, "×"),
  );
  return row;
}

function groupDialog(group) {
  const choices = h("ol", { class: "menu-choices", id: "choices" }, (group?.choices || [null]).map((choice) => choiceRow(group, choice)));
  const form = h(
    "form",
    { id: "group-form", class: "menu-form" },
    nameFields("group", group),
    h(
      "div",
      { class: "menu-form__row" },
      field(gettext("At least"), h("input", { class: "input", type: "number", min: 0, max: 99, name: "min_choices", value: group?.min_choices ?? 0 }), "min_choices"),
      field(gettext("At most (empty: no limit)"), h("input", { class: "input", type: "number", min: 1, max: 99, name: "max_choices", value: group?.max_choices ?? "" }), "max_choices"),
      field(gettext("Free choices"), h("input", { class: "input", type: "number", min: 0, max: 99, name: "free_choices", value: group?.free_choices ?? 0 }), "free_choices"),
    ),
    h("h3", {}, gettext("Choices")),
    h("div", { "data-field": "choices" }, h("p", { class: "field__error" })),
    choices,
    h("button", { type: "button", class: "button", id: "add-choice", onclick: () => choices.append(choiceRow(group, null)) }, "+ ", gettext("Choice")),
  );
  formDialog(group ? gettext("Edit modifier group") : gettext("New modifier group"), form, {
    onSave: (data) => {
      const rows = [...choices.children];
      rows.forEach((row, index) => {
        for (const box of row.querySelectorAll("[data-field]")) box.dataset.field = `choices.${index}.${box.dataset.field.split(".").pop()}`;
      });
      const body = {
        outlet: outletId,
        ...namesFrom("group", data),
        min_choices: Number(data.get("min_choices") || 0),
        max_choices: data.get("max_choices") ? Number(data.get("max_choices")) : null,
        free_choices: Number(data.get("free_choices") || 0),
        choices: rows.map((row) => ({
          id: row.dataset.choiceId ? Number(row.dataset.choiceId) : null,
          ...Object.fromEntries(translated("choice").map((one) => [one.key, row.querySelector(`[name="choice_${one.key}"]`).value.trim()])),
          price_delta: row.querySelector('[name="choice_price"]').value.trim() || "0",
          opens_group: idOrNull(row.querySelector('[name="choice_opens"]').value),
          is_available: row.querySelector('[name="choice_available"]').checked,
        })),
      };
      return group ? api("PUT", urls.group(group.id), { body }) : api("POST", urls.groups, { body, key: newUuid() });
    },
  });
  sortable(choices, null);
}

// ---- drag to reorder -------------------------------------------------------------------

function sortable(list, onDrop) {
  if (!Sortable) return;
  // The fallback drags with pointer events: the same on a touch tablet as with a mouse.
  Sortable.create(list, {
    handle: ".drag-handle",
    animation: 150,
    forceFallback: true,
    onEnd: (event) => {
      if (onDrop && event.oldIndex !== event.newIndex) onDrop([...list.children].map((row) => Number(row.dataset.id)));
    },
  });
}

async function saveOrder(url, body) {
  try {
    take(await api("POST", url, { body, key: newUuid() }));
    toast(gettext("Order saved."), "ok");
  } catch (error) {
    toast(error.message);
    load();
  }
}

// ---- wiring ----------------------------------------------------------------------------

function showView(view) {
  $("items-view").hidden = view !== "items";
  $("groups-view").hidden = view !== "groups";
  $("show-items").setAttribute("aria-selected", view === "items" ? "true" : "false");
  $("show-groups").setAttribute("aria-selected", view === "groups" ? "true" : "false");
}

$("menu-pick").addEventListener("change", (event) => {
  state.menuId = Number(event.target.value);
  state.categoryId = currentMenu()?.categories[0]?.id ?? null;
  render();
});
$("edit-menu").addEventListener("click", () => menuDialog(currentMenu()));
$("new-menu").addEventListener("click", () => menuDialog(null));
$("new-category").addEventListener("click", () => categoryDialog(null));
$("new-item").addEventListener("click", () => currentCategory() && itemDialog(currentCategory(), null));
$("new-group").addEventListener("click", () => groupDialog(null));
$("show-items").addEventListener("click", () => showView("items"));
$("show-groups").addEventListener("click", () => showView("groups"));

import(root.dataset.sortableSrc)
  .then((module) => {
    Sortable = module.default;
    sortable($("categories"), (ids) => saveOrder(urls.categoryOrder(state.menuId), { categories: ids }));
    sortable($("items"), (ids) => saveOrder(urls.itemOrder(state.categoryId), { items: ids }));
  })
  .catch(() => toast(gettext("Dragging is not available: reload the page.")))
  .finally(load);
