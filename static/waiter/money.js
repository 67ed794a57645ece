// Money arrives in integer minor units (cents); only the display divides.
const currency = document.body.dataset.currency || "EUR";
const decimals = Number(document.body.dataset.currencyDecimals || 2);
const language = document.documentElement.lang || "en";

let formatter;
try {
  formatter = new Intl.NumberFormat(language, {
    style: "currency",
    currency,
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
} catch {
  formatter = new Intl.NumberFormat("en", { style: "currency", currency });
}

// money(2450) -> "€ 24,50" (nl) or "€24.50" (en)
export function money(minor) {
  return formatter.format(minor / 10 ** decimals);
}

// moneyDelta(150) -> "+€ 1,50"
export function moneyDelta(minor) {
  return (minor < 0 ? "\u2212" : "+") + money(Math.abs(minor));
}
