// Small helpers every page script uses: elements by id, the page's data and interface text
// from the template, Python-style placeholders, and a status line for short messages. Text
// goes into the page through textContent only.

export const $ = (id) => document.getElementById(id);

// The data a template put into a json_script block (<script id=... type="application/json">).
export function readPageData(id = "page-data") {
  return JSON.parse($(id).textContent);
}

// Interface text the template translated, as {name: text}: the elements under `holder` with
// a data-<attribute>="name" attribute, e.g. <span data-key="deleted">Span deleted</span>.
export function templateStrings(holder, attribute) {
  const strings = {};
  for (const element of holder ? holder.querySelectorAll(`[data-${attribute}]`) : []) {
    strings[element.dataset[attribute]] = element.textContent;
  }
  return strings;
}

// A translated template with Python's named placeholders: "%(count)s left" and "50%%".
export function format(template, values) {
  return template.replace(/%\((\w+)\)s|%%/g, (match, name) =>
    name === undefined ? "%" : String(values[name] ?? ""),
  );
}

// A function showing a message in `element` (a role=status line) for a few seconds.
export function createFlash(element, { duration = 6000 } = {}) {
  let timer = null;
  return (message) => {
    element.textContent = message;
    clearTimeout(timer);
    timer = setTimeout(() => {
      element.textContent = "";
    }, duration);
  };
}

// A count in words, in the page's language: `forms` maps the CLDR plural categories (zero,
// one, two, few, many, other) to translated templates with a %(count)s placeholder, made on
// the server with Django's ngettext (see annotate/views/plurals.py).
export function plural(forms, count, lang = document.documentElement.lang || "en") {
  let category = "other";
  try {
    category = new Intl.PluralRules(lang).select(count);
  } catch {
    // an unknown language tag: "other"
  }
  return format(forms[category] ?? forms.other, { count });
}

