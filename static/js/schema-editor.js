// The schema editor: rows for labels, stance targets and claim settings over one JSON document,
// the textarea the form posts. Editing a row rewrites the JSON; editing the JSON (when it
// parses) rebuilds the rows. A shortcut used twice, or reserved, is marked beside its field
// and the save is held back; the server checks every rule again. A refused save comes back
// with the text as typed and the error's line, marked beside that line. Text goes in with
// textContent only.

import { $, format, readPageData, templateStrings } from "./page.js";

const data = readPageData("schema-editor-data");
const texts = { ...templateStrings($("schema-texts"), "text"), ...data.texts };
const form = $("schema-form");
const textarea = $("id_schema");
const gutter = $("json-gutter");
const jsonError = $("json-error");
const problem = $("form-problem");
const saveButton = $("save-schema");
const reserved = new Set(data.reserved);

let schema = null;

function element(tag, { text, className, attrs = {} } = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function input(value, { type = "text", label, dir = "auto", maxLength, onInput }) {
  const field = element("input", { attrs: { type, "aria-label": label } });
  if (type === "checkbox") field.checked = Boolean(value);
  else field.value = value ?? "";
  if (type === "text") field.dir = dir;
  if (maxLength) field.maxLength = maxLength;
  field.addEventListener(type === "checkbox" ? "change" : "input", () =>
    onInput(type === "checkbox" ? field.checked : field.value),
  );
  return field;
}

function cellWith(...nodes) {
  const td = element("td");
  td.append(...nodes);
  return td;
}

// ---- rows ----

function labelCells(label, name, withOrder, list, index) {
  const cells = [];
  const headers = [...document.querySelectorAll("#entity-table thead th")].map((th) => th.textContent);
  const at = (i) => `${label.name || label.key} — ${headers[i] || ""}`;
  if (withOrder) cells.push(orderCell(list, index, at(0)));
  cells.push(cellWith(input(label.key, { label: at(1), dir: "ltr", onInput: (v) => change(() => (label.key = v), false) })));
  cells.push(cellWith(input(label.name, { label: at(2), onInput: (v) => change(() => (label.name = v), false) })));
  cells.push(cellWith(input(label.color || "#888888", { type: "color", label: at(3), onInput: (v) => change(() => (label.color = v), false) })));
  const shortcut = input(label.shortcut || "", { label: at(4), dir: "ltr", maxLength: 1, onInput: (v) => change(() => (label.shortcut = v), false) });
  shortcut.classList.add("shortcut-input");
  shortcut.dataset.field = `${name}.shortcut`;
  const message = element("span", { className: "error field-error", attrs: { id: `${name}-shortcut-error` } });
  shortcut.setAttribute("aria-describedby", message.id);
  cells.push(cellWith(shortcut, message));
  cells.push(cellWith(input(label.description || "", { label: at(5), onInput: (v) => change(() => setDescription(label, v), false) })));
  cells.push(cellWith(input(label.retired, { type: "checkbox", label: at(6), onInput: (v) => change(() => (label.retired = v), false) })));
  return cells;
}

function setDescription(label, value) {
  if (value.trim()) label.description = value;
  else delete label.description;
}

function orderCell(list, index, label) {
  const up = element("button", { text: "↑", attrs: { type: "button", "aria-label": `${texts.up}: ${label}` } });
  const down = element("button", { text: "↓", attrs: { type: "button", "aria-label": `${texts.down}: ${label}` } });
  up.disabled = index === 0;
  down.disabled = index === list.length - 1;
  up.addEventListener("click", () => change(() => list.splice(index - 1, 0, list.splice(index, 1)[0])));
  down.addEventListener("click", () => change(() => list.splice(index + 1, 0, list.splice(index, 1)[0])));
  const td = element("td", { className: "order" });
  td.append(up, down);
  return td;
}

function removeCell(list, index, label) {
  const remove = element("button", { text: "×", attrs: { type: "button", "aria-label": `${texts.remove}: ${label}` } });
  remove.addEventListener("click", () => change(() => list.splice(index, 1)));
  return cellWith(remove);
}

function renderRows() {
  const entities = $("entity-table").tBodies[0];
  entities.replaceChildren();
  schema.entity_labels.forEach((label, i) => {
    const row = element("tr", { attrs: { "data-key": label.key } });
    row.append(...labelCells(label, `entity_labels[${i}]`, true, schema.entity_labels, i));
    row.append(removeCell(schema.entity_labels, i, label.name || label.key));
    entities.append(row);
  });
  const claim = $("claim-table").tBodies[0];
  claim.replaceChildren();
  const claimRow = element("tr");
  claimRow.append(...labelCells(schema.claim_label, "claim_label", false));
  claim.append(claimRow);
  const targets = $("target-table").tBodies[0];
  targets.replaceChildren();
  schema.stance_targets.forEach((target, i) => {
    const row = element("tr");
    const name = target.name || target.key;
    row.append(
      orderCell(schema.stance_targets, i, name),
      cellWith(input(target.key, { label: `${name} — key`, dir: "ltr", onInput: (v) => change(() => (target.key = v), false) })),
      cellWith(input(target.name, { label: `${name} — name`, onInput: (v) => change(() => (target.name = v), false) })),
      cellWith(input(target.required, { type: "checkbox", label: `${name} — required`, onInput: (v) => change(() => (target.required = v), false) })),
      cellWith(input(target.retired, { type: "checkbox", label: `${name} — retired`, onInput: (v) => change(() => (target.retired = v), false) })),
      removeCell(schema.stance_targets, i, name),
    );
    targets.append(row);
  });
  for (const field of form.querySelectorAll("[data-list]")) {
    field.value = (schema[field.dataset.list] || []).join(", ");
  }
}

for (const field of form.querySelectorAll("[data-list]")) {
  field.addEventListener("input", () =>
    change(() => {
      schema[field.dataset.list] = field.value.split(",").map((v) => v.trim()).filter(Boolean);
    }, false),
  );
}

// ---- checks, preview, JSON ----

function checkShortcuts() {
  const labels = [
    ...schema.entity_labels.map((label, i) => [label, `entity_labels[${i}]`]),
    [schema.claim_label, "claim_label"],
  ];
  const owner = new Map();
  let ok = true;
  for (const [label, name] of labels) {
    const message = document.getElementById(`${name}-shortcut-error`);
    const field = form.querySelector(`[data-field="${CSS.escape(name)}.shortcut"]`);
    let text = "";
    const key = label.shortcut || "";
    if (key && !label.retired) {
      if (reserved.has(key)) text = texts.reserved;
      else if (owner.has(key)) text = format(texts.conflict, { label: owner.get(key) });
      else owner.set(key, label.name || label.key);
    }
    if (message) message.textContent = text;
    if (field) field.setAttribute("aria-invalid", text ? "true" : "false");
    if (text) ok = false;
  }
  return ok;
}

function renderPreview() {
  const palette = $("palette-preview");
  palette.replaceChildren();
  for (const label of [...schema.entity_labels, schema.claim_label]) {
    if (!label || label.retired) continue;
    const item = element("li");
    const button = element("button", { className: "label-button", attrs: { type: "button", "data-color": label.color || "#888888" } });
    if (label.description) button.title = label.description;
    const swatch = element("span", { className: "swatch", attrs: { "aria-hidden": "true" } });
    swatch.style.background = label.color || "#888888";
    button.append(swatch, element("span", { className: "label-name", text: label.name || label.key }));
    if (label.shortcut) button.append(element("kbd", { text: label.shortcut }));
    item.append(button);
    palette.append(item);
  }
}

function renderGutter(errorLine) {
  const count = textarea.value.split("\n").length;
  const lines = [];
  for (let i = 1; i <= count; i += 1) lines.push(i === errorLine ? `⚠ ${i}` : String(i));
  gutter.textContent = lines.join("\n");
  gutter.scrollTop = textarea.scrollTop;
}

function showJsonError(line, message) {
  renderGutter(line);
  if (!message) {
    jsonError.textContent = "";
    return;
  }
  jsonError.textContent = line ? `${format(texts.line, { line })}: ${message}` : message;
  // Beside the line: the message sits level with it, scrolled with the text.
  const style = getComputedStyle(textarea);
  const lineHeight = parseFloat(style.lineHeight) || 20;
  const top = (line ? line - 1 : 0) * lineHeight + parseFloat(style.paddingTop) - textarea.scrollTop;
  jsonError.style.insetBlockStart = `${Math.max(0, Math.min(top, textarea.clientHeight - lineHeight))}px`;
}

function updateSaveState() {
  const ok = checkShortcuts();
  saveButton.disabled = !ok;
  problem.textContent = ok ? "" : texts.fix_first;
}

// `rerender`: rebuild the rows (order, keys or membership changed); otherwise only the JSON,
// checks and preview follow, so the field being typed in keeps its focus.
function change(apply, rerender = true) {
  apply();
  if (rerender) renderRows();
  textarea.value = JSON.stringify(schema, null, 2);
  showJsonError(null, "");
  renderPreview();
  updateSaveState();
}

function fromText() {
  try {
    const parsed = JSON.parse(textarea.value);
    if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.entity_labels)) throw new Error("shape");
    parsed.claim_label ||= { key: "CLAIM", name: "Claim", color: "#911eb4", shortcut: "c", retired: false };
    parsed.stance_targets ||= [];
    schema = parsed;
    renderRows();
    renderPreview();
    updateSaveState();
    return true;
  } catch {
    return false;
  }
}

$("add-label").addEventListener("click", () =>
  change(() => {
    let n = schema.entity_labels.length + 1;
    while (schema.entity_labels.some((label) => label.key === `LABEL_${n}`)) n += 1;
    schema.entity_labels.push({ key: `LABEL_${n}`, name: texts.new_label, color: "#888888", shortcut: "", retired: false });
  }),
);
$("add-target").addEventListener("click", () =>
  change(() => {
    let n = schema.stance_targets.length + 1;
    while (schema.stance_targets.some((target) => target.key === `target_${n}`)) n += 1;
    schema.stance_targets.push({ key: `target_${n}`, name: texts.new_target, required: true, retired: false });
  }),
);

textarea.addEventListener("input", () => {
  if (fromText()) {
    rows.hidden = false;
    showJsonError(null, "");
  } else {
    renderGutter(null);
    jsonError.textContent = texts.json_invalid;
    saveButton.disabled = false; // the server says exactly what is wrong, and keeps the text
  }
});
textarea.addEventListener("scroll", () => {
  gutter.scrollTop = textarea.scrollTop;
  if (data.error && data.error.line) showJsonError(data.error.line, data.error.message);
});
form.addEventListener("submit", (event) => {
  if (saveButton.disabled) event.preventDefault();
});

// The rows need a valid document: a refused typo shows only the JSON until it parses.
const rows = $("schema-rows");
rows.hidden = !fromText();
if (rows.hidden) $("advanced").open = true;
if (data.error) {
  showJsonError(data.error.line, data.error.message);
  const field = data.error.field && form.querySelector(`[data-field="${CSS.escape(data.error.field)}"]`);
  if (field) {
    const message = document.getElementById(`${data.error.field.replace(".shortcut", "")}-shortcut-error`);
    if (message && !message.textContent) message.textContent = data.error.message;
    field.setAttribute("aria-invalid", "true");
  }
  if (data.error.line) {
    // Put the caret on the line at fault.
    const lines = textarea.value.split("\n");
    const offset = lines.slice(0, data.error.line - 1).join("\n").length + (data.error.line > 1 ? 1 : 0);
    textarea.setSelectionRange(offset, offset + (lines[data.error.line - 1] || "").length);
  }
} else {
  renderGutter(null);
}
