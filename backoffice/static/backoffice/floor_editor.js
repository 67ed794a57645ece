// The manager's floor-plan editor: drag, resize, rotate, add and remove tables, areas as tabs,
// undo and redo, saved in one request. Pointer Events throughout, so mouse and touch both work.
import { api, ApiError, newUuid } from "/static/waiter/api.js";
import { h, toast } from "/static/waiter/dom.js";
import { gettext, interpolate } from "/static/waiter/i18n.js";
import { personIcon } from "/static/waiter/icons.js";

const root = document.getElementById("floor-editor");
const canvasBox = document.getElementById("canvas-box");
const canvas = document.getElementById("canvas");
const areaTabs = document.getElementById("area-tabs");
const inspector = document.getElementById("inspector");
const undoButton = document.getElementById("undo");
const redoButton = document.getElementById("redo");
const saveButton = document.getElementById("save");
const saveStatus = document.getElementById("save-status");
const conflictBox = document.getElementById("conflict");

const GRID = Number(root.dataset.grid) || 10;
const PLAN_URL = root.dataset.planUrl;
const MIN_SIZE = 20;
const ROTATE_STEP = 15;
const MIN_TABLE_PX = 36; // however big the room, a table stays big enough to grab
const SHAPES = [
  ["round", gettext("Round")],
  ["square", gettext("Square")],
  ["rectangle", gettext("Rectangle")],
];

let version = 0;
let state = { areas: [], tables: [] }; // areas and tables carry a `key`: their id, or "new-N" until saved
let areaKey = null; // the area shown
let selectedKey = null; // the selected table
let undoStack = [];
let redoStack = [];
let saving = false;
let newCount = 0;

const snapshot = () => JSON.stringify(state);
const snap = (value) => Math.round(value / GRID) * GRID;
const clamp = (value, least, most) => Math.min(Math.max(value, least), Math.max(least, most));
const newKey = () => `new-${(newCount += 1)}`;
const currentArea = () => state.areas.find((area) => area.key === areaKey) || state.areas[0] || null;
const selectedTable = () => state.tables.find((table) => table.key === selectedKey) || null;

function load(plan) {
  version = plan.version;
  state = {
    areas: plan.areas.map((area) => ({ ...area, key: String(area.id) })),
    tables: plan.tables.map((table) => ({ ...table, key: String(table.id), area: String(table.area) })),
  };
  if (!state.areas.some((area) => area.key === areaKey)) areaKey = state.areas[0]?.key ?? null;
  if (!selectedTable()) selectedKey = null;
  undoStack = [];
  redoStack = [];
  conflictBox.hidden = true;
  render();
}

// One step of the editor: remember the plan as it was (for undo), then change it.
function step(change) {
  const before = snapshot();
  change();
  if (snapshot() === before) return;
  undoStack.push(before);
  redoStack = [];
  render();
}

function undo() {
  if (!undoStack.length) return;
  redoStack.push(snapshot());
  state = JSON.parse(undoStack.pop());
  afterHistory();
}

function redo() {
  if (!redoStack.length) return;
  undoStack.push(snapshot());
  state = JSON.parse(redoStack.pop());
  afterHistory();
}

function afterHistory() {
  if (!state.areas.some((area) => area.key === areaKey)) areaKey = state.areas[0]?.key ?? null;
  const table = selectedTable();
  if (!table) selectedKey = null;
  else areaKey = table.area; // show where the undone step happened
  render();
}

function render() {
  renderAreaTabs();
  renderCanvas();
  renderInspector();
  const dirty = undoStack.length > 0;
  undoButton.disabled = !undoStack.length;
  redoButton.disabled = !redoStack.length;
  saveButton.disabled = !dirty || saving;
  saveStatus.textContent = saving ? gettext("Saving…") : dirty ? gettext("Unsaved changes") : gettext("All changes saved");
  root.dataset.dirty = dirty ? "1" : "0";
}

function renderAreaTabs() {
  const current = currentArea();
  areaTabs.replaceChildren(
    ...state.areas.map((area) =>
      h(
        "button",
        {
          type: "button",
          class: "tab",
          role: "tab",
          "aria-selected": area === current ? "true" : "false",
          "data-area-key": area.key,
          onclick: onShown(() => {
            areaKey = area.key;
            selectedKey = null;
            render();
          }),
        },
        area.name,
        " ",
        h("span", { class: "floor-editor__count" }, `(${state.tables.filter((t) => t.area === area.key).length})`),
      ),
    ),
  );
}

function scaleFor(area) {
  const PADDING_X = 40; // the canvas's padding, room for the handles
  const PADDING_Y = 64;
  const width = canvasBox.clientWidth - PADDING_X - 4;
  const height = Math.max(280, window.innerHeight - canvas.getBoundingClientRect().top - PADDING_Y - 8);
  const fit = Math.min(width / area.plan_width, height / area.plan_height);
  const tables = state.tables.filter((t) => t.area === area.key);
  const smallest = Math.min(...tables.map((t) => Math.min(t.width, t.height)));
  return Math.max(fit, Number.isFinite(smallest) ? Math.min(MIN_TABLE_PX / smallest, width / area.plan_width) : 0);
}

function renderCanvas() {
  const area = currentArea();
  canvas.replaceChildren();
  if (!area) {
    canvas.append(h("p", { class: "empty" }, gettext("No areas yet: add one (a room, the terrace).")));
    return;
  }
  const scale = scaleFor(area);
  canvas.dataset.scale = scale;
  const plan = h("div", { class: "plan floor-editor__plan", "data-area-key": area.key });
  plan.style.width = `${Math.round(area.plan_width * scale)}px`;
  plan.style.height = `${Math.round(area.plan_height * scale)}px`;
  plan.style.backgroundSize = `${GRID * 4 * scale}px ${GRID * 4 * scale}px`;
  plan.addEventListener("pointerdown", (event) => {
    if (event.target === plan && selectedKey) {
      selectedKey = null;
      render();
    }
  });
  for (const table of state.tables.filter((t) => t.area === area.key)) plan.append(tableElement(table, scale));
  canvas.append(plan);
}

function placeTable(element, table, scale) {
  element.style.left = `${table.x * scale}px`;
  element.style.top = `${table.y * scale}px`;
  element.style.width = `${table.width * scale}px`;
  element.style.height = `${table.height * scale}px`;
  element.style.transform = `rotate(${table.rotation}deg)`;
  const size = Math.min(table.width, table.height) * scale;
  element.style.fontSize = `${Math.max(11, Math.min(18, size * 0.2))}px`;
  element.querySelector(".table__label").style.transform = `rotate(${-table.rotation}deg)`;
}

function tableElement(table, scale) {
  const selected = table.key === selectedKey;
  const face = h(
    "div",
    { class: `table table--${table.shape}`, "data-state": "free" },
    h(
      "span",
      { class: "table__label" },
      h("span", { class: "table__number" }, table.number),
      h("span", { class: "table__covers" }, personIcon(), String(table.seats)),
    ),
  );
  const element = h(
    "div",
    {
      class: selected ? "floor-editor__table floor-editor__table--selected" : "floor-editor__table",
      role: "button",
      tabindex: "0",
      "aria-pressed": selected ? "true" : "false",
      "aria-label": interpolate(gettext("Table %(number)s, %(seats)s seats, %(shape)s"), {
        number: table.number,
        seats: table.seats,
        shape: shapeLabel(table.shape),
      }, true),
      "data-table-key": table.key,
      "data-table-number": table.number,
    },
    face,
  );
  if (selected) {
    element.append(
      h("span", { class: "floor-editor__handle floor-editor__handle--resize", "data-handle": "resize", title: gettext("Drag to resize") }),
      h("span", { class: "floor-editor__handle floor-editor__handle--rotate", "data-handle": "rotate", title: gettext("Drag to rotate") }),
    );
  }
  placeTable(element, table, scale);
  element.addEventListener("pointerdown", (event) => startGesture(event, table.key, element));
  element.addEventListener("keydown", (event) => onTableKey(event, table.key));
  element.addEventListener("focus", () => {
    if (selectedKey !== table.key) select(table.key, true);
  });
  return element;
}

function shapeLabel(shape) {
  return (SHAPES.find(([value]) => value === shape) || [shape, shape])[1];
}

function select(key, keepFocus = false) {
  selectedKey = key;
  render();
  if (keepFocus) canvas.querySelector(`[data-table-key="${key}"]`)?.focus({ preventScroll: true });
}

// ---- pointer gestures: move (the table), resize (the corner), rotate (the knob) ----

function areaTabAt(x, y) {
  for (const tab of areaTabs.querySelectorAll("[data-area-key]")) {
    const rect = tab.getBoundingClientRect();
    if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) return tab;
  }
  return null;
}

function startGesture(event, key, element) {
  if (event.button !== 0) return;
  const table = state.tables.find((t) => t.key === key);
  const area = currentArea();
  const scale = Number(canvas.dataset.scale);
  const handle = event.target.closest("[data-handle]")?.dataset.handle || "move";
  event.preventDefault();
  if (selectedKey !== key) {
    selectedKey = key;
    renderInspector();
    for (const other of canvas.querySelectorAll(".floor-editor__table--selected")) other.classList.remove("floor-editor__table--selected");
  }
  element.setPointerCapture(event.pointerId);
  const start = { x: event.clientX, y: event.clientY, table: { ...table } };
  const draft = { ...table };
  let moved = false;
  let dropTab = null;

  const onMove = (move) => {
    const dx = (move.clientX - start.x) / scale;
    const dy = (move.clientY - start.y) / scale;
    if (!moved && Math.hypot(move.clientX - start.x, move.clientY - start.y) < 4) return;
    moved = true;
    element.classList.add("floor-editor__table--dragging");
    if (handle === "move") {
      draft.x = clamp(snap(start.table.x + dx), 0, area.plan_width - draft.width);
      draft.y = clamp(snap(start.table.y + dy), 0, area.plan_height - draft.height);
      const tab = areaTabAt(move.clientX, move.clientY);
      dropTab?.classList.remove("tab--drop");
      dropTab = tab && tab.dataset.areaKey !== area.key ? tab : null;
      dropTab?.classList.add("tab--drop");
    } else if (handle === "resize") {
      let width = Math.max(MIN_SIZE, snap(start.table.width + dx));
      let height = Math.max(MIN_SIZE, snap(start.table.height + dy));
      if (draft.shape !== "rectangle") width = height = Math.max(width, height);
      draft.width = Math.min(width, area.plan_width - draft.x);
      draft.height = Math.min(height, area.plan_height - draft.y);
    } else {
      const rect = element.getBoundingClientRect();
      const cx = rect.left + rect.width / 2;
      const cy = rect.top + rect.height / 2;
      const degrees = (Math.atan2(move.clientY - cy, move.clientX - cx) * 180) / Math.PI + 90;
      draft.rotation = ((Math.round(degrees / ROTATE_STEP) * ROTATE_STEP) % 360 + 360) % 360;
    }
    placeTable(element, draft, scale);
  };
  const onEnd = (end) => {
    element.removeEventListener("pointermove", onMove);
    element.removeEventListener("pointerup", onEnd);
    element.removeEventListener("pointercancel", onEnd);
    dropTab?.classList.remove("tab--drop");
    if (end.type === "pointercancel" || !moved) {
      render();
      return;
    }
    step(() => {
      const target = state.tables.find((t) => t.key === key);
      Object.assign(target, { x: draft.x, y: draft.y, width: draft.width, height: draft.height, rotation: draft.rotation });
      if (dropTab) moveToArea(target, dropTab.dataset.areaKey);
    });
  };
  element.addEventListener("pointermove", onMove);
  element.addEventListener("pointerup", onEnd);
  element.addEventListener("pointercancel", onEnd);
}

// Into another area: where nothing stands yet, so it does not land on another table.
function moveToArea(table, key) {
  const area = state.areas.find((each) => each.key === key);
  table.width = Math.min(table.width, area.plan_width);
  table.height = Math.min(table.height, area.plan_height);
  Object.assign(table, freeSpot(area, table.width, table.height, table));
  table.area = key;
  areaKey = key;
}

// ---- the keyboard: arrows nudge (Shift: one unit), [ and ] rotate, Delete removes ----

function onTableKey(event, key) {
  const table = state.tables.find((t) => t.key === key);
  const area = currentArea();
  const distance = event.shiftKey ? 1 : GRID;
  const moves = { ArrowLeft: [-distance, 0], ArrowRight: [distance, 0], ArrowUp: [0, -distance], ArrowDown: [0, distance] };
  if (moves[event.key]) {
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    step(() => {
      table.x = clamp(table.x + dx, 0, area.plan_width - table.width);
      table.y = clamp(table.y + dy, 0, area.plan_height - table.height);
    });
    canvas.querySelector(`[data-table-key="${key}"]`)?.focus({ preventScroll: true });
  } else if (event.key === "[" || event.key === "]") {
    event.preventDefault();
    rotateBy(table, event.key === "]" ? ROTATE_STEP : -ROTATE_STEP);
    canvas.querySelector(`[data-table-key="${key}"]`)?.focus({ preventScroll: true });
  } else if (event.key === "Delete" || event.key === "Backspace") {
    event.preventDefault();
    removeTable(table);
  } else if (event.key === "Escape") {
    selectedKey = null;
    render();
  }
}

function rotateBy(table, degrees) {
  step(() => {
    table.rotation = (((table.rotation + degrees) % 360) + 360) % 360;
  });
}

function removeTable(table) {
  step(() => {
    state.tables = state.tables.filter((t) => t !== table);
    selectedKey = null;
  });
}

// ---- adding: a table in a free spot of the area shown, an area at the end of the tabs ----

function nextNumber() {
  const numbers = state.tables.map((t) => Number.parseInt(t.number, 10)).filter(Number.isFinite);
  return String(numbers.length ? Math.max(...numbers) + 1 : 1);
}

function freeSpot(area, width, height, moving = null) {
  const taken = state.tables.filter((t) => t.area === area.key && t !== moving);
  const gap = GRID * 2;
  const overlaps = (x, y) =>
    taken.some((t) => x < t.x + t.width + gap && t.x < x + width + gap && y < t.y + t.height + gap && t.y < y + height + gap);
  for (let y = gap; y + height <= area.plan_height; y += gap) {
    for (let x = gap; x + width <= area.plan_width; x += gap) if (!overlaps(x, y)) return { x, y };
  }
  return { x: 0, y: 0 };
}

function addTable() {
  const area = currentArea();
  if (!area) return;
  const key = newKey();
  step(() => {
    state.tables.push({ id: null, key, area: area.key, number: nextNumber(), seats: 4, shape: "square", ...freeSpot(area, 80, 80), width: 80, height: 80, rotation: 0 });
    selectedKey = key;
  });
}

function addArea() {
  const key = newKey();
  step(() => {
    state.areas.push({ id: null, key, name: interpolate(gettext("Area %s"), [state.areas.length + 1]), plan_width: 1000, plan_height: 700 });
    areaKey = key;
    selectedKey = null;
  });
}

// ---- the inspector: the selected table's number, seats, shape and turn; else the area's ----

function field(label, input) {
  return h("label", { class: "floor-editor__field" }, h("span", {}, label), input);
}

function numberInput(id, value, least, most, onCommit) {
  const input = h("input", { id, type: "number", inputmode: "numeric", min: least, max: most, value: String(value) });
  input.addEventListener("change", () => {
    const number = Number.parseInt(input.value, 10);
    if (Number.isFinite(number) && number >= least && number <= most) onCommit(number);
    else input.value = String(value);
  });
  return input;
}

function textInput(id, value, maxLength, onCommit) {
  const input = h("input", { id, type: "text", maxlength: maxLength, value });
  input.addEventListener("change", () => {
    const text = input.value.trim();
    if (text) onCommit(text);
    else input.value = value;
  });
  return input;
}

// A tap's click can reach a button the step it started has already redrawn (seen with touch
// emulation in Chromium): only a button still on the page acts.
const onShown = (action) => (event) => {
  if (event.currentTarget.isConnected) action();
};

function renderInspector() {
  const table = selectedTable();
  if (table) renderTableInspector(table);
  else renderAreaInspector(currentArea());
}

function renderTableInspector(table) {
  const shapes = h(
    "div",
    { class: "floor-editor__shapes", role: "group", "aria-label": gettext("Shape") },
    SHAPES.map(([value, label]) =>
      h(
        "button",
        {
          type: "button",
          class: "button floor-editor__shape",
          "data-shape": value,
          "aria-pressed": table.shape === value ? "true" : "false",
          onclick: onShown(() =>
            step(() => {
              table.shape = value;
              if (value !== "rectangle") table.width = table.height = Math.max(table.width, table.height);
              else if (table.width === table.height) table.width = table.height * 2;
              const area = state.areas.find((a) => a.key === table.area);
              table.width = Math.min(table.width, area.plan_width - table.x);
              table.height = Math.min(table.height, area.plan_height - table.y);
            }),
          ),
        },
        label,
      ),
    ),
  );
  inspector.replaceChildren(
    h("h2", { class: "floor-editor__inspector-title" }, interpolate(gettext("Table %s"), [table.number])),
    field(gettext("Number or name"), textInput("table-number", table.number, 10, (text) => step(() => (table.number = text)))),
    field(gettext("Seats"), numberInput("table-seats", table.seats, 1, 99, (n) => step(() => (table.seats = n)))),
    h("div", { class: "floor-editor__field" }, h("span", {}, gettext("Shape")), shapes),
    h(
      "div",
      { class: "floor-editor__field" },
      h("span", {}, interpolate(gettext("Turned %s°"), [table.rotation])),
      h(
        "div",
        { class: "floor-editor__row" },
        h("button", { type: "button", class: "button", id: "rotate-left", onclick: onShown(() => rotateBy(table, -ROTATE_STEP)) }, "⟲ 15°"),
        h("button", { type: "button", class: "button", id: "rotate-right", onclick: onShown(() => rotateBy(table, ROTATE_STEP)) }, "⟳ 15°"),
      ),
    ),
    field(
      gettext("Area"),
      (() => {
        const choice = h(
          "select",
          { id: "table-area" },
          state.areas.map((area) => h("option", { value: area.key, selected: area.key === table.area }, area.name)),
        );
        choice.addEventListener("change", () => step(() => moveToArea(table, choice.value)));
        return choice;
      })(),
    ),
    h("button", { type: "button", class: "button button--danger", id: "remove-table", onclick: onShown(() => removeTable(table)) }, gettext("Remove table")),
  );
}

function renderAreaInspector(area) {
  if (!area) {
    inspector.replaceChildren(h("p", { class: "empty" }, gettext("Add an area to start.")));
    return;
  }
  const index = state.areas.indexOf(area);
  const shift = (by) =>
    step(() => {
      state.areas.splice(index, 1);
      state.areas.splice(index + by, 0, area);
    });
  const hasTables = state.tables.some((t) => t.area === area.key);
  inspector.replaceChildren(
    h("h2", { class: "floor-editor__inspector-title" }, area.name),
    h("p", { class: "floor-editor__note" }, gettext("Select a table to change it, or add one.")),
    field(gettext("Area name"), textInput("area-name", area.name, 80, (text) => step(() => (area.name = text)))),
    field(gettext("Width"), numberInput("area-width", area.plan_width, 200, 5000, (n) => step(() => (area.plan_width = n)))),
    field(gettext("Depth"), numberInput("area-height", area.plan_height, 200, 5000, (n) => step(() => (area.plan_height = n)))),
    h(
      "div",
      { class: "floor-editor__row" },
      h("button", { type: "button", class: "button", id: "area-earlier", disabled: index === 0, onclick: onShown(() => shift(-1)) }, gettext("← Earlier")),
      h("button", { type: "button", class: "button", id: "area-later", disabled: index === state.areas.length - 1, onclick: onShown(() => shift(1)) }, gettext("Later →")),
    ),
    h(
      "button",
      {
        type: "button",
        class: "button button--danger",
        id: "remove-area",
        disabled: hasTables,
        title: hasTables ? gettext("Move or remove its tables first.") : null,
        onclick: onShown(() =>
          step(() => {
            state.areas = state.areas.filter((a) => a !== area);
            areaKey = state.areas[0]?.key ?? null;
          }),
        ),
      },
      gettext("Remove area"),
    ),
  );
}

// ---- saving: the whole plan in one request, refused if someone saved since we loaded ----

async function save() {
  if (saving || !undoStack.length) return;
  saving = true;
  render();
  const body = {
    version,
    areas: state.areas.map(({ id, key, name, plan_width, plan_height }) => ({ id, key, name, plan_width, plan_height })),
    tables: state.tables.map(({ id, area, number, seats, shape, x, y, width, height, rotation }) => ({ id, area, number, seats, shape, x, y, width, height, rotation })),
  };
  try {
    const plan = await api("PUT", PLAN_URL, { body, key: newUuid() });
    const shown = currentArea()?.name;
    saving = false;
    load(plan);
    areaKey = state.areas.find((area) => area.name === shown)?.key ?? areaKey;
    render();
    toast(gettext("Floor plan saved. The waiters' floors show it now."), "ok");
  } catch (error) {
    saving = false;
    render();
    if (error instanceof ApiError && error.status === 409 && error.body?.code === "floor_plan_changed") {
      document.getElementById("conflict-text").textContent = error.message;
      conflictBox.hidden = false;
    } else toast(error.message);
  }
}

async function reloadPlan() {
  try {
    load(await api("GET", PLAN_URL));
  } catch (error) {
    toast(error.message);
  }
}

undoButton.addEventListener("click", undo);
redoButton.addEventListener("click", redo);
saveButton.addEventListener("click", save);
document.getElementById("add-table").addEventListener("click", addTable);
document.getElementById("add-area").addEventListener("click", addArea);
document.getElementById("reload-plan").addEventListener("click", reloadPlan);
document.addEventListener("keydown", (event) => {
  if (!(event.ctrlKey || event.metaKey) || event.target.matches("input, select, textarea")) return;
  const key = event.key.toLowerCase();
  if (key === "z" && !event.shiftKey) undo();
  else if (key === "y" || (key === "z" && event.shiftKey)) redo();
  else if (key === "s") save();
  else return;
  event.preventDefault();
});
window.addEventListener("beforeunload", (event) => {
  if (undoStack.length) event.preventDefault(); // unsaved changes: the browser asks before leaving
});
let resizeFrame = 0;
window.addEventListener("resize", () => {
  cancelAnimationFrame(resizeFrame);
  resizeFrame = requestAnimationFrame(renderCanvas);
});

load(JSON.parse(document.getElementById("floor-plan-data").textContent));
