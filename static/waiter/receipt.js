// The guest's receipt once a check is paid: print it, e-mail it, show a QR code the guest
// scans for the PDF, or none. The outlet's default is picked first. And the company invoice:
// the guest's company, address and VAT number put on the check (its receipt then reads as
// an invoice).
import { api, newUuid, paths } from "./api.js";
import { h, setBusy, showDialog, toast } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";

export const RECEIPT_CHOICES = ["print", "email", "qr", "none"];

const choiceLabels = () => ({
  print: gettext("Print"),
  email: gettext("E-mail"),
  qr: gettext("QR code"),
  none: gettext("No receipt"),
});

const receiptPath = (checkId, what = "") => `${paths.checkAction(checkId, "receipt")}${what ? `${what}/` : ""}`;

function printPanel(check) {
  const note = h("p", { class: "receipt-choice__note", role: "status" });
  const button = h(
    "button",
    {
      type: "button",
      class: "button button--primary button--big",
      "data-action": "print-receipt",
      onclick: async () => {
        setBusy(button, true);
        note.textContent = "";
        try {
          await api("POST", receiptPath(check.id), { key: newUuid(), body: {} });
          note.textContent = gettext("The receipt is sent to the printer.");
          note.dataset.done = "true";
        } catch (error) {
          note.textContent = error.message;
          note.dataset.done = "false";
        } finally {
          setBusy(button, false);
        }
      },
    },
    gettext("Print the receipt"),
  );
  return h("div", { class: "receipt-choice__panel" }, button, note);
}

function emailPanel(check) {
  const input = h("input", {
    type: "email",
    name: "email",
    class: "input receipt-choice__email",
    autocomplete: "off",
    inputmode: "email",
    placeholder: gettext("guest@example.com"),
    "aria-label": gettext("The guest's e-mail address"),
  });
  const note = h("p", { class: "receipt-choice__note", role: "status" });
  let key = newUuid(); // kept for a retry of the same address; a new address is a new request
  input.addEventListener("input", () => {
    key = newUuid();
  });
  const send = h(
    "button",
    {
      type: "submit",
      class: "button button--primary",
      "data-action": "email-receipt",
    },
    gettext("Send the receipt"),
  );
  const form = h(
    "form",
    {
      class: "receipt-choice__panel receipt-choice__form",
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        setBusy(send, true);
        note.textContent = "";
        try {
          const answer = await api("POST", receiptPath(check.id, "email"), { key, body: { email: input.value }, retry: false });
          note.textContent = interpolate(gettext("Sent to %s."), [answer.sent_to]);
          note.dataset.done = "true";
          key = newUuid();
        } catch (error) {
          note.textContent = error.message;
          note.dataset.done = "false";
        } finally {
          setBusy(send, false);
        }
      },
    },
    h("div", { class: "receipt-choice__row" }, input, send),
    note,
  );
  return form;
}

function qrPanel(check) {
  const panel = h("div", { class: "receipt-choice__panel receipt-choice__qr" });
  const note = h("p", { class: "receipt-choice__note", role: "status" }, gettext("Making the QR code…"));
  panel.append(note);
  api("POST", receiptPath(check.id, "link"), { key: newUuid(), body: {} })
    .then((answer) => {
      panel.replaceChildren(
        h("img", { class: "receipt-qr", src: answer.qr_svg, alt: gettext("QR code of the receipt"), width: 220, height: 220, "data-url": answer.url }),
        h("p", { class: "receipt-choice__note" }, gettext("The guest scans this with the phone's camera to get the receipt.")),
        h("a", { class: "receipt-choice__link", href: answer.url, target: "_blank", rel: "noopener noreferrer" }, gettext("Open the receipt")),
      );
    })
    .catch((error) => {
      note.textContent = error.message;
      note.dataset.done = "false";
    });
  return panel;
}

/**
 * receiptChoice({check, preselected}) -> element: four choices, the outlet's default picked,
 * and what each needs below them (print button, e-mail address, the QR code, nothing).
 */
export function receiptChoice({ check, preselected = "print" }) {
  const labels = choiceLabels();
  let picked = RECEIPT_CHOICES.includes(preselected) ? preselected : "print";
  const panels = new Map();
  const body = h("div", { class: "receipt-choice__body" });
  const tabs = h("div", { class: "receipt-choice__choices", role: "radiogroup", "aria-label": gettext("Receipt") });
  const panelFor = (choice) => {
    if (!panels.has(choice)) {
      const make = {
        print: () => printPanel(check),
        email: () => emailPanel(check),
        qr: () => qrPanel(check),
        none: () => h("div", { class: "receipt-choice__panel" }, h("p", { class: "receipt-choice__note" }, gettext("No receipt for this guest."))),
      }[choice];
      panels.set(choice, make());
    }
    return panels.get(choice);
  };
  const draw = () => {
    tabs.replaceChildren(
      ...RECEIPT_CHOICES.map((choice) =>
        h(
          "button",
          {
            type: "button",
            class: "chip receipt-choice__choice",
            role: "radio",
            "data-receipt": choice,
            "aria-checked": choice === picked ? "true" : "false",
            onclick: () => {
              picked = choice;
              draw();
              if (choice === "email") panelFor(choice).querySelector("input")?.focus();
            },
          },
          labels[choice],
        ),
      ),
    );
    body.replaceChildren(panelFor(picked));
  };
  draw();
  return h(
    "section",
    { class: "receipt-choice", "data-check-id": check.id, "aria-labelledby": `receipt-choice-${check.id}` },
    h("h3", { class: "receipt-choice__title", id: `receipt-choice-${check.id}` }, gettext("Receipt for the guest")),
    tabs,
    body,
  );
}

// The receipt choice on its own, for a check paid earlier.
export function openReceiptDialog({ check, title, preselected }) {
  const dialog = h(
    "dialog",
    { class: "sheet receipt-sheet", "aria-labelledby": "receipt-sheet-title" },
    h("header", { class: "sheet__head" }, h("h2", { id: "receipt-sheet-title", class: "sheet__title" }, title)),
    receiptChoice({ check, preselected }),
    h(
      "footer",
      { class: "sheet__actions" },
      h("span", { class: "sheet__spacer" }),
      h("button", { type: "button", class: "button", "data-action": "close-receipt", onclick: () => dialog.close() }, gettext("Close")),
    ),
  );
  showDialog(dialog);
  return dialog;
}

function field(label, control, name) {
  return h("label", { class: "field", "data-field": name }, h("span", { class: "field__label" }, label), control, h("span", { class: "field__error", role: "alert" }));
}

/**
 * openInvoiceDialog({check, title, onSaved(bill?)}): the guest's company on the check.
 * A field the server refuses shows its message under that field.
 */
export function openInvoiceDialog({ check, title, onSaved }) {
  const invoice = check.invoice || { company: "", address: "", vat_number: "" };
  const company = h("input", { type: "text", name: "company", class: "input", maxlength: 120, autocomplete: "off", value: invoice.company });
  const address = h("textarea", { name: "address", class: "input", rows: 3, maxlength: 300 }, invoice.address);
  const vat = h("input", { type: "text", name: "vat_number", class: "input", maxlength: 40, autocomplete: "off", autocapitalize: "characters", placeholder: "NL123456789B01", value: invoice.vat_number });
  const problem = h("p", { class: "field__error", role: "alert" });
  const save = h("button", { type: "submit", class: "button button--primary", "data-action": "save-invoice" }, gettext("Save"));
  const key = { value: newUuid() };
  const submit = async (body) => {
    for (const error of form.querySelectorAll(".field__error")) error.textContent = "";
    setBusy(save, true);
    try {
      const answer = await api("POST", paths.checkAction(check.id, "invoice-details"), { key: key.value, body });
      dialog.close();
      toast(answer.company ? interpolate(gettext("The receipt is now an invoice: %s"), [answer.company]) : gettext("The company is taken off the check."), "ok");
      onSaved?.(answer);
    } catch (error) {
      key.value = newUuid();
      let placed = false;
      for (const [name, messages] of Object.entries(error.body || {})) {
        const slot = form.querySelector(`[data-field="${name}"] .field__error`);
        if (slot) {
          slot.textContent = [].concat(messages).join(" ");
          placed = true;
        }
      }
      if (!placed) problem.textContent = error.message;
    } finally {
      setBusy(save, false);
    }
  };
  const form = h(
    "form",
    {
      class: "invoice-form",
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        submit({ company: company.value, address: address.value, vat_number: vat.value });
      },
    },
    h("p", { class: "muted" }, gettext("The receipt then reads as an invoice to this company, with our VAT number.")),
    field(gettext("Company"), company, "company"),
    field(gettext("Address"), address, "address"),
    field(gettext("VAT number (optional)"), vat, "vat_number"),
    problem,
    h(
      "footer",
      { class: "sheet__actions" },
      check.invoice
        ? h("button", { type: "button", class: "button", "data-action": "remove-invoice", onclick: () => submit({ company: "", address: "", vat_number: "" }) }, gettext("Remove"))
        : null,
      h("span", { class: "sheet__spacer" }),
      h("button", { type: "button", class: "button", "data-action": "cancel", onclick: () => dialog.close() }, gettext("Cancel")),
      save,
    ),
  );
  const dialog = h(
    "dialog",
    { class: "sheet invoice-sheet", "aria-labelledby": "invoice-title" },
    h("header", { class: "sheet__head" }, h("h2", { id: "invoice-title", class: "sheet__title" }, title)),
    form,
  );
  showDialog(dialog);
  company.focus();
  return dialog;
}
