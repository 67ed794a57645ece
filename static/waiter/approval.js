// A manager's approval (a void, a discount above the limits, a comp): she taps her name and
// types her PIN on the waiter's tablet. Used by the line sheet and the discount dialog.
import { h } from "./dom.js";
import { gettext } from "./i18n.js";
import { createPinPad } from "./pinpad.js";

/**
 * createApproval({loadManagers, submitLabel, onSubmit(approver, pin)})
 *   -> {managerField, pinField, pad, destroy()}
 * managerField: "Approving manager" with a chip per manager (picked already when there is
 * one); pinField: "Manager's PIN" and the pad. onSubmit runs once a manager is chosen.
 */
export function createApproval({ loadManagers, submitLabel, onSubmit }) {
  let approver = null;
  const managerRow = h("div", { class: "choice-row", role: "radiogroup", "aria-label": gettext("Manager") }, h("span", { class: "muted" }, gettext("Loading…")));
  const pad = createPinPad({
    submitLabel,
    onSubmit: (pin) => {
      if (!approver) return pad.setError(gettext("Choose the approving manager."));
      return onSubmit(approver, pin);
    },
  });

  function drawManagers(managers) {
    if (!managers.length) {
      managerRow.replaceChildren(h("span", { class: "muted" }, gettext("No manager can approve right now.")));
      return;
    }
    managerRow.replaceChildren(
      ...managers.map((person) =>
        h(
          "button",
          {
            type: "button",
            class: "chip",
            role: "radio",
            "aria-checked": person.id === approver ? "true" : "false",
            "data-manager-id": person.id,
            disabled: person.pin_locked,
            onclick: () => {
              approver = person.id;
              drawManagers(managers);
            },
          },
          person.name,
        ),
      ),
    );
  }

  loadManagers().then(
    (managers) => {
      if (managers.length === 1) approver = managers[0].id;
      drawManagers(managers);
    },
    (problem) => managerRow.replaceChildren(h("span", { class: "muted" }, problem.message)),
  );

  return {
    managerField: h("div", { class: "field" }, h("span", { class: "field__label" }, gettext("Approving manager")), managerRow),
    pinField: [h("p", { class: "field__label" }, gettext("Manager's PIN")), pad.element],
    pad,
    destroy: () => pad.destroy(),
  };
}
