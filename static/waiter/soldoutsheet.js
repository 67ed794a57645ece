// The waiter's 86 sheet, opened by holding a finger on an item tile: 86 the item or set its
// countdown. Where the outlet asks for it, a manager approves with her PIN first.
import { api, newUuid, paths } from "./api.js";
import { closeOnBack } from "./backbutton.js";
import { createApproval } from "./approval.js";
import { h, showDialog, toast } from "./dom.js";
import { gettext } from "./i18n.js";
import { itemControls } from "./soldout.js";

/** openSoldOutSheet({item, asksManager, loadManagers, onChanged(availability)}) */
export function openSoldOutSheet({ item, asksManager, loadManagers, onChanged }) {
  let approval = null;
  let approved = null; // {approver, approver_pin} once the manager typed her PIN
  let pending = null; // the change waiting for the manager

  const body = h("div", { class: "sold-out-sheet__body" });
  const dialog = h(
    "dialog",
    { class: "sheet sold-out-sheet", "aria-labelledby": "sold-out-sheet-title" },
    h("h2", { id: "sold-out-sheet-title", class: "sheet__title" }, item.name),
    body,
    h("footer", { class: "sheet__actions" }, h("button", { type: "button", class: "button", onclick: () => dialog.close() }, gettext("Close"))),
  );

  async function post(change) {
    const answer = await api("POST", paths.itemAvailability(item.id), { key: newUuid(), body: { ...change, ...(approved || {}) } });
    Object.assign(item, answer);
    onChanged(answer);
    toast(item.is_86d ? gettext("Sold out: every tablet shows it.") : gettext("Saved: every tablet shows it."), "ok");
    dialog.close();
  }

  async function change(body) {
    if (asksManager && !approved) {
      pending = body;
      askManager();
      return;
    }
    try {
      await post(body);
    } catch (error) {
      toast(error.message);
    }
  }

  function askManager() {
    approval?.destroy();
    approval = createApproval({
      loadManagers,
      submitLabel: gettext("Approve"),
      onSubmit: async (approver, pin) => {
        approval.pad.setBusy(true);
        approved = { approver, approver_pin: pin };
        try {
          await post(pending);
        } catch (error) {
          approved = null;
          approval.pad.clear();
          approval.pad.setError(error.message);
          approval.pad.setBusy(false);
        }
      },
    });
    body.replaceChildren(
      h("p", { class: "sheet__text" }, gettext("A manager approves 86 at this outlet: she taps her name and types her PIN.")),
      approval.managerField,
      ...approval.pinField,
    );
  }

  body.append(itemControls(item, change));
  dialog.addEventListener("close", () => approval?.destroy());
  showDialog(dialog);
  closeOnBack(dialog);
}
