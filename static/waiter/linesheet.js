// Tapping a ticket line: change or remove a pending line; void a sent one with a
// manager's PIN.
import { createApproval } from "./approval.js";
import { closeOnBack } from "./backbutton.js";
import { h, setBusy, showDialog } from "./dom.js";
import { gettext } from "./i18n.js";
import { money } from "./money.js";
import { seatName, statusLabel } from "./ticket.js";

function choiceRow(label, options, selected, onPick) {
  const row = h("div", { class: "choice-row", role: "radiogroup", "aria-label": label });
  const draw = (value) =>
    row.replaceChildren(
      ...options.map(([optionValue, text]) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": optionValue === value ? "true" : "false",
            "data-value": optionValue,
            onclick: () => {
              onPick(optionValue);
              draw(optionValue);
            },
          },
          text,
        ),
      ),
    );
  draw(selected);
  return h("div", { class: "field" }, h("span", { class: "field__label" }, label), row);
}

// The line's modifiers as the ticket shows them: "Well done, Side salad (Vinaigrette)".
function choicesText(line) {
  const children = (entry) => line.modifiers.filter((m) => m.parent === entry.line_modifier);
  const text = (entry) => {
    const nested = children(entry);
    return nested.length ? `${entry.name} (${nested.map(text).join(", ")})` : entry.name;
  };
  return line.modifiers
    .filter((m) => !m.parent)
    .map(text)
    .join(", ");
}

/**
 * A pending line: qty, seat, course, note; Save sends only what changed.
 * onChangeChoices(changes), when the item has modifier groups, offers "Change choices":
 * the sheet closes and hands over what was changed here so far.
 */
export function openPendingLineSheet({ line, covers, courses, courseName, onSave, onRemove, onChangeChoices = null }) {
  const changes = {};
  let qty = line.qty;
  const qtyValue = h("output", { class: "stepper__value" }, String(qty));
  const step = (by) => {
    qty = Math.max(1, Math.min(99, qty + by));
    qtyValue.textContent = String(qty);
    changes.qty = qty;
  };
  const note = h("input", { type: "text", class: "input", name: "note", maxlength: 200, value: line.note });
  const seats = [[0, seatName(0)], ...Array.from({ length: covers }, (_, i) => [i + 1, String(i + 1)])];
  const noteChange = () => {
    if (note.value.trim() !== line.note) changes.note = note.value.trim();
  };
  const choices = onChangeChoices
    ? h(
        "div",
        { class: "field line-sheet__choices" },
        h("span", { class: "field__label" }, gettext("Choices")),
        h(
          "div",
          { class: "line-sheet__choices-row" },
          line.modifiers.length ? h("span", { class: "line-sheet__choices-text" }, choicesText(line)) : null,
          h(
            "button",
            {
              type: "button",
              class: "button",
              "data-action": "change-choices",
              onclick: () => {
                noteChange();
                dialog.close();
                onChangeChoices({ ...changes });
              },
            },
            gettext("Change choices"),
          ),
        ),
      )
    : null;
  const dialog = h(
    "dialog",
    { class: "sheet line-sheet", "aria-labelledby": "line-title", "data-line-id": line.id },
    h("header", { class: "sheet__head" }, h("h2", { id: "line-title", class: "sheet__title" }, line.name), h("span", { class: "sheet__price" }, money(line.total))),
    choices,
    h(
      "div",
      { class: "field" },
      h("span", { class: "field__label" }, gettext("Quantity")),
      h(
        "div",
        { class: "stepper" },
        h("button", { type: "button", class: "stepper__button", "data-action": "less", "aria-label": gettext("One less"), onclick: () => step(-1) }, "−"),
        qtyValue,
        h("button", { type: "button", class: "stepper__button", "data-action": "more", "aria-label": gettext("One more"), onclick: () => step(1) }, "+"),
      ),
    ),
    choiceRow(gettext("Seat"), seats, line.seat, (seat) => (changes.seat = seat)),
    choiceRow(gettext("Course"), courses.map((c) => [c.number, courseName(c.number)]), line.course, (course) => (changes.course = course)),
    h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Note")), note),
    h(
      "footer",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button button--danger", "data-action": "remove", onclick: () => { dialog.close(); onRemove(); } }, gettext("Remove")),
      h("span", { class: "sheet__spacer" }),
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel")),
      h(
        "button",
        {
          type: "button",
          class: "button button--primary",
          "data-action": "save",
          onclick: () => {
            noteChange();
            dialog.close();
            if (Object.keys(changes).length) onSave(changes);
          },
        },
        gettext("Save"),
      ),
    ),
  );
  showDialog(dialog);
  closeOnBack(dialog);
}

const QUICK_REASONS = () => [gettext("Guest changed their mind"), gettext("Wrong item entered"), gettext("Kitchen mistake")];

/**
 * A sent line: show it; "Void" asks for a reason, a manager and the manager's PIN.
 * onNote(note), when given, sends a new note to the kitchen (its screens flash it).
 */
export function openSentLineSheet({ line, loadManagers, onVoid, onNote = null }) {
  const body = h("div", { class: "sheet__body" });
  const dialog = h(
    "dialog",
    { class: "sheet line-sheet", "aria-labelledby": "line-title", "data-line-id": line.id },
    h("header", { class: "sheet__head" }, h("h2", { id: "line-title", class: "sheet__title" }, `${line.qty}× ${line.name}`), h("span", { class: `status status--${line.status}` }, statusLabel(line.status))),
    body,
  );
  let pad = null;
  dialog.addEventListener("close", () => pad?.destroy());

  body.append(
    h("p", { class: "sheet__text" }, gettext("This line went to the kitchen. To cancel it, void it with a manager's approval.")),
    onNote && line.status === "sent" ? kitchenNote() : null,
    h(
      "div",
      { class: "sheet__actions" },
      h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Close")),
      h("button", { type: "button", class: "button button--danger", "data-action": "void", onclick: showVoidForm }, gettext("Void…")),
    ),
  );

  // "Allergy: nuts" after sending: the note goes to the line's tickets, which flash it.
  function kitchenNote() {
    const input = h("input", {
      type: "text",
      class: "input",
      name: "kitchen-note",
      id: "kitchen-note",
      maxlength: 200,
      value: line.note || null,
      placeholder: gettext("e.g. allergy: nuts"),
    });
    const send = h("button", { type: "button", class: "button", "data-action": "send-note" }, gettext("Send note"));
    send.addEventListener("click", async () => {
      setBusy(send, true);
      try {
        await onNote(input.value.trim());
        dialog.close();
      } catch {
        setBusy(send, false); // the toast says why
      }
    });
    return h(
      "div",
      { class: "field" },
      h("label", { class: "field__label", for: "kitchen-note" }, gettext("Note for the kitchen")),
      h("div", { class: "line-sheet__note-row" }, input, send),
    );
  }

  function showVoidForm() {
    const reason = h("input", { type: "text", class: "input", name: "reason", maxlength: 200, placeholder: gettext("Why is it voided?") });
    const approval = createApproval({
      loadManagers,
      submitLabel: gettext("Void line"),
      onSubmit: async (approver, pin) => {
        if (!reason.value.trim()) return pad.setError(gettext("Give a reason."));
        pad.setBusy(true);
        try {
          await onVoid({ reason: reason.value.trim(), approver, approver_pin: pin });
          dialog.close();
        } catch (error) {
          pad.clear();
          pad.setError(error.message);
          pad.setBusy(false);
        }
      },
    });
    pad = approval.pad;
    dialog.classList.add("line-sheet--void");
    body.replaceChildren(
      h(
        "div",
        { class: "void-form" },
        h(
          "div",
          { class: "void-form__details" },
          h("label", { class: "field" }, h("span", { class: "field__label" }, gettext("Reason")), reason),
          h(
            "div",
            { class: "choice-row" },
            QUICK_REASONS().map((text) => h("button", { type: "button", class: "chip", onclick: () => (reason.value = text) }, text)),
          ),
          approval.managerField,
        ),
        h("div", { class: "void-form__pin" }, approval.pinField),
      ),
      h("div", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Cancel"))),
    );
  }

  showDialog(dialog);
  closeOnBack(dialog);
  return dialog;
}

