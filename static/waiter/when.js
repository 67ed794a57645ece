// Dates and times as every page shows them, one format per language and the same as the
// server's (config/formats): a 24-hour clock in both; Dutch "7-12-2026 17:09", English
// "7 Dec 2026 17:09" (a date no one reads the wrong way round).
const language = document.documentElement.lang || "en";
const dutch = language.split("-")[0] === "nl";
const monthName = new Intl.DateTimeFormat("en", { month: "short" });
const two = (n) => String(n).padStart(2, "0");

const asDate = (value) => (value instanceof Date ? value : new Date(value));

// clockTime("2026-12-07T16:09:00Z") -> "17:09" (in the tablet's time zone)
export function clockTime(value) {
  if (!value) return "";
  const date = asDate(value);
  return `${two(date.getHours())}:${two(date.getMinutes())}`;
}

// shortDate(...) -> "7-12-2026" (nl) or "7 Dec 2026" (en)
export function shortDate(value) {
  if (!value) return "";
  const date = asDate(value);
  if (dutch) return `${date.getDate()}-${date.getMonth() + 1}-${date.getFullYear()}`;
  return `${date.getDate()} ${monthName.format(date)} ${date.getFullYear()}`;
}

// shortDateTime(...) -> "7-12-2026 17:09" (nl) or "7 Dec 2026 17:09" (en)
export function shortDateTime(value) {
  return value ? `${shortDate(value)} ${clockTime(value)}` : "";
}
