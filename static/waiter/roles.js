import { gettext } from "./i18n.js";

// Role codes from the API, as people read them.
export function roleName(code) {
  const names = {
    waiter: gettext("Waiter"),
    bartender: gettext("Bartender"),
    kitchen: gettext("Kitchen"),
    cashier: gettext("Cashier"),
    front_desk: gettext("Front desk"),
    manager: gettext("Manager"),
  };
  return names[code] || code;
}

// "Anna de Vries" -> "AV"; "Bram" -> "BR"
export function initials(name) {
  const words = String(name || "").trim().split(/\s+/).filter(Boolean);
  if (!words.length) return "";
  if (words.length === 1) return words[0].slice(0, 2).toUpperCase();
  return (words[0][0] + words[words.length - 1][0]).toUpperCase();
}
