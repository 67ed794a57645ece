// Translations come from Django's JavaScript catalog (/jsi18n/), loaded as a classic
// script before the modules. These wrappers keep the pages working if it failed to load.

export function gettext(text) {
  return window.gettext ? window.gettext(text) : text;
}

export function ngettext(singular, plural, count) {
  if (window.ngettext) return window.ngettext(singular, plural, count);
  return count === 1 ? singular : plural;
}

// interpolate("Table %s", ["4"]) or interpolate("%(n)s left", {n: 3}, true), as Django's.
export function interpolate(format, values, named = false) {
  if (window.interpolate) return window.interpolate(format, values, named);
  if (named) return format.replace(/%\(\w+\)s/g, (match) => String(values[match.slice(2, -2)]));
  const queue = [...values];
  return format.replace(/%s/g, () => String(queue.shift()));
}
