// The adjudication page: each annotator's submitted spans over the RTL text, the gold being
// built (from the merged proposal, or the saved gold), the open decisions with their choices,
// and saving through the REST API (PUT .../gold/ with the version it started from).
//
// Spans are drawn and marked with the annotation page's component (marking.js: the RTL text
// with stacked underlines and tags, selection -> code points with clitic-aware snapping, label
// keys): the reviewer marks new gold spans, relabels or deletes them and edits claims. Page data
// comes from the json_script block, interface text from the template; all text goes in through
// textContent / createTextNode.

import { ApiError, NetworkError, apiFetch } from "./api.js";
import { createMarker, labelShortcuts, shortcutLabel } from "./marking.js";
import { compareSpans } from "./spans.js";
import { newSpanId } from "./store.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const S = { ...data.strings, ...templateStrings("key") };
const valueNames = templateStrings("value");
const text = data.article.text;
const schema = data.schema || {};
const CLAIM = (schema.claim_label && schema.claim_label.key) || "CLAIM";

// Interface text the template translated: <span data-key="name">text</span>.
function templateStrings(attribute) {
  const strings = {};
  const holder = document.getElementById("marking-strings");
  for (const element of holder ? holder.querySelectorAll(`[data-${attribute}]`) : []) {
    strings[element.dataset[attribute]] = element.textContent;
  }
  return strings;
}

const $ = (id) => document.getElementById(id);
const root = $("adjudicate");

// ---- the working gold document (pure helpers) -------------------------------------------

const clone = (value) => JSON.parse(JSON.stringify(value));
const keyOf = (span) => `${span.start}:${span.end}:${span.label}`;

function emptyDoc() {
  return { spans: [], relations: [], document_labels: { stance: {} } };
}

function normalise(content) {
  const doc = { ...emptyDoc(), ...clone(content || {}) };
  doc.document_labels = { stance: { ...((doc.document_labels || {}).stance || {}) } };
  return doc;
}

let doc = normalise(data.gold ? data.gold.content : data.proposal);
let version = data.gold ? data.gold.version : 0;
const fromGold = Boolean(data.gold);
const chosen = new Map(); // decision id -> value the reviewer (or a suggestion) settled

function findSpan(key) {
  return doc.spans.find((span) => keyOf(span) === key) || null;
}

function spanById(id) {
  return doc.spans.find((span) => span.id === id) || null;
}

function addSpan(span, relation) {
  if (!findSpan(keyOf(span))) doc.spans.push(clone(span));
  if (relation && spanById(relation.from) && spanById(relation.to)) {
    const claim = spanById(relation.from);
    if (!doc.relations.some((r) => r.from === relation.from) && claim.attributes.claimant == null) {
      doc.relations.push({ ...relation });
    }
  }
}

function removeSpan(id) {
  doc.spans = doc.spans.filter((span) => span.id !== id);
  doc.relations = doc.relations.filter((r) => r.from !== id && r.to !== id);
}

function claimantOf(span) {
  const relation = doc.relations.find((r) => r.from === span.id);
  return relation ? { span: relation.to } : span.attributes.claimant ?? null;
}

function setAttribute(spanId, name, value) {
  const span = spanById(spanId);
  if (!span) return;
  if (name !== "claimant") {
    span.attributes = { ...span.attributes, [name]: value };
    return;
  }
  doc.relations = doc.relations.filter((r) => r.from !== spanId);
  if (value && typeof value === "object") {
    span.attributes = { ...span.attributes, claimant: null };
    if (spanById(value.span)) doc.relations.push({ type: "claimant", from: spanId, to: value.span });
  } else {
    span.attributes = { ...span.attributes, claimant: value };
  }
}

function setStance(target, value) {
  if (value === null || value === undefined || value === "") delete doc.document_labels.stance[target];
  else doc.document_labels.stance[target] = value;
}

// What goes to the server: relations only between spans that are there.
function contentToSave() {
  const ids = new Set(doc.spans.map((s) => s.id));
  return {
    spans: [...doc.spans].sort(compareSpans),
    relations: doc.relations.filter((r) => ids.has(r.from) && ids.has(r.to)),
    document_labels: { stance: { ...doc.document_labels.stance } },
  };
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// The option a decision shows as chosen, from the working document.
function currentValue(decision) {
  if (decision.kind === "span") return findSpan(keyOf(decision.span)) ? "accept" : "reject";
  if (decision.kind === "stance") return doc.document_labels.stance[decision.target] ?? null;
  const span = spanById(decision.span_id);
  if (!span) return undefined;
  if (decision.attribute === "claimant") return claimantOf(span);
  return span.attributes[decision.attribute] ?? null;
}

function isOpen(decision) {
  if (fromGold || chosen.has(decision.id)) return false;
  return decision.suggestion === null || decision.suggestion === undefined;
}

// A fresh proposal starts at each decision's suggestion, where there is one.
if (!fromGold) {
  for (const decision of data.decisions) {
    if (decision.suggestion !== null && decision.suggestion !== undefined) {
      chosen.set(decision.id, decision.suggestion);
    }
  }
}

// ---- the marking component -------------------------------------------------------------

function labelColor(label) {
  return (data.labels[label] && data.labels[label].color) || "#888888";
}

function labelName(label) {
  return (data.labels[label] && data.labels[label].name) || label;
}

const spanLabels = [...(schema.entity_labels || []), ...(schema.claim_label ? [schema.claim_label] : [])];
const activeLabels = spanLabels.filter((label) => label && !label.retired);
const shortcuts = labelShortcuts(activeLabels);
const shortcutOf = new Map([...shortcuts].map(([key, label]) => [label, key]));

const goldMarker = createMarker($("gold-text"), {
  text,
  labels: data.labels,
  claimLabel: CLAIM,
  articleClitic: schema.article_clitic !== false,
  onPending: renderSelectionBar,
});

// The annotators' columns: drawn by the same component, read only, sharing the text model.
function drawSpans(container, spans) {
  createMarker(container, {
    text,
    labels: data.labels,
    claimLabel: CLAIM,
    offsets: goldMarker.offsets,
    model: goldMarker.model,
  }).render(spans);
}

let selectedId = null;
let exactMode = false;
let cursor = 0; // where a keyboard selection starts when no span is selected
let dirty = false;

function valueName(value) {
  return valueNames[value] || value;
}

let flashTimer = null;
function flash(message) {
  const element = $("flash");
  element.textContent = message;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    element.textContent = "";
  }, 6000);
}

function changed() {
  remember();
  dirty = true;
  showState(S.unsaved || "", "unsaved");
  render();
}

// ---- undo / redo ---------------------------------------------------------------------------
// Every change leaves a snapshot of the working gold and of the settled decisions; undo and
// redo walk through them (Ctrl+Z, Ctrl+Shift+Z or Ctrl+Y, or the buttons). Saving keeps the
// history: the saved snapshot is what "unsaved changes" compares with.

const HISTORY_LIMIT = 500;
const snapshots = [];
let historyAt = -1;
let savedAt = 0;

function snapshot() {
  return { doc: clone(doc), chosen: [...chosen] };
}

function remember() {
  snapshots.length = historyAt + 1;
  snapshots.push(snapshot());
  if (snapshots.length > HISTORY_LIMIT) {
    snapshots.shift();
    savedAt -= 1;
  }
  historyAt = snapshots.length - 1;
}

function travel(step) {
  const to = historyAt + step;
  if (to < 0 || to >= snapshots.length) {
    flash(step < 0 ? S.nothing_to_undo : S.nothing_to_redo);
    return;
  }
  historyAt = to;
  const state = snapshots[to];
  doc = clone(state.doc);
  chosen.clear();
  for (const [id, value] of state.chosen) chosen.set(id, value);
  if (goldMarker.pending) goldMarker.clearPending({ dom: true });
  dirty = historyAt !== savedAt;
  showState(dirty ? S.unsaved || "" : "", dirty ? "unsaved" : "saved");
  render();
  flash(step < 0 ? S.undone : S.redone);
}

const undo = () => travel(-1);
const redo = () => travel(1);

function renderSelectionBar(pending) {
  $("selection-bar").hidden = !pending;
  if (!pending) return;
  $("selection-text").textContent = goldMarker.pendingText();
  $("clitic-button").hidden = !goldMarker.canCycleClitic();
}

function selectSpan(id) {
  selectedId = id && spanById(id) ? id : null;
  showSelectedSpan();
  renderSpanPanel();
}

function showSelectedSpan() {
  const marks = [];
  if (selectedId) {
    marks.push([selectedId, "selected"]);
    const relation = doc.relations.find((r) => r.from === selectedId);
    if (relation) marks.push([relation.to, "is-claimant"]);
  }
  goldMarker.highlight(marks);
  for (const item of $("gold-spans").querySelectorAll("li[data-span]")) {
    item.classList.toggle("selected", item.dataset.span === selectedId);
  }
}

// Mark the pending selection with a label: a new gold span.
function mark(labelKey) {
  const range = goldMarker.pending;
  goldMarker.clearPending({ dom: true });
  const twin = doc.spans.find((s) => s.start === range.start && s.end === range.end && s.label === labelKey);
  if (twin) {
    flash(S.already_marked);
    selectSpan(twin.id);
    return;
  }
  const span = goldMarker.spanFor(range, labelKey, newSpanId());
  doc.spans.push(span);
  selectedId = span.id;
  flash(`${S.marked}: ${labelName(labelKey)}`);
  changed();
}

function changeLabel(id, labelKey) {
  const span = spanById(id);
  if (!span || span.label === labelKey) return;
  if (doc.spans.some((s) => s.id !== id && s.start === span.start && s.end === span.end && s.label === labelKey)) {
    flash(S.already_marked);
    renderSpanPanel();
    return;
  }
  const wasClaim = span.label === CLAIM;
  const isClaim = labelKey === CLAIM;
  if (wasClaim && !isClaim) doc.relations = doc.relations.filter((r) => r.from !== id);
  if (!wasClaim && isClaim) doc.relations = doc.relations.filter((r) => r.to !== id);
  span.label = labelKey;
  if (isClaim !== wasClaim) {
    span.attributes = isClaim ? { checkworthy: null, claimant: null, stance: null } : {};
  }
  flash(`${S.label_changed}: ${labelName(labelKey)}`);
  changed();
}

function applyLabel(labelKey) {
  if (goldMarker.pending) mark(labelKey);
  else if (selectedId) changeLabel(selectedId, labelKey);
  else flash(S.select_first);
}

function deleteSelected() {
  if (!selectedId) {
    flash(S.nothing_selected);
    return;
  }
  removeSpan(selectedId);
  selectedId = null;
  flash(S.deleted);
  changed();
}

function option(value, name) {
  const element = document.createElement("option");
  element.value = value;
  element.textContent = name;
  return element;
}

function renderSpanPanel() {
  const span = selectedId ? spanById(selectedId) : null;
  $("span-panel").hidden = !span;
  if (!span) return;
  $("span-text").textContent = span.text;
  const select = $("span-label");
  const keys = activeLabels.map((label) => label.key);
  if (!keys.includes(span.label)) keys.push(span.label); // a retired label the span still has
  select.replaceChildren(...keys.map((key) => option(key, labelName(key))));
  select.value = span.label;
  const isClaim = span.label === CLAIM;
  $("claim-fields").hidden = !isClaim;
  if (!isClaim) return;
  const claimant = $("claimant-select");
  const choices = [option("", S.not_set || S.none)];
  for (const value of schema.claimant_values || ["author", "unattributed"]) {
    choices.push(option(value, valueName(value)));
  }
  for (const entity of [...doc.spans].sort(compareSpans)) {
    if (entity.label === CLAIM) continue;
    choices.push(option(`span:${entity.id}`, `${entity.text} — ${labelName(entity.label)}`));
  }
  claimant.replaceChildren(...choices);
  const current = claimantOf(span);
  claimant.value = current && typeof current === "object" ? `span:${current.span}` : current || "";
  const attributes = span.attributes || {};
  $("checkworthy-select").value =
    attributes.checkworthy === true ? "true" : attributes.checkworthy === false ? "false" : "";
  const stance = $("claim-stance-select");
  stance.replaceChildren(
    option("", S.not_set || S.none),
    ...(schema.claim_stance_values || []).map((value) => option(value, valueName(value))),
  );
  stance.value = attributes.stance || "";
}

function renderPalette() {
  const items = activeLabels.map((label) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "label-button";
    button.dataset.label = label.key;
    button.style.setProperty("--label-color", labelColor(label.key));
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("aria-hidden", "true");
    const name = document.createElement("span");
    name.className = "label-name";
    name.textContent = labelName(label.key);
    button.append(swatch, name);
    const key = shortcutOf.get(label.key);
    if (key) {
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      button.append(kbd);
      button.setAttribute("aria-keyshortcuts", key);
    }
    // Keep the text selection: no focus change on mousedown.
    button.addEventListener("mousedown", (event) => event.preventDefault());
    button.addEventListener("click", () => applyLabel(label.key));
    item.append(button);
    return item;
  });
  $("label-palette").replaceChildren(...items);
}

function onGoldClick(event, caret) {
  if (caret !== null) cursor = caret;
  const candidates = goldMarker
    .spanIdsAt(event.target)
    .map(spanById)
    .filter(Boolean);
  if (candidates.length === 0) {
    selectSpan(null);
    return;
  }
  // Innermost first; clicking the selected span again selects the next one out.
  candidates.sort((a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b));
  const current = candidates.findIndex((s) => s.id === selectedId);
  selectSpan(candidates[(current + 1) % candidates.length].id);
}

function isTextField(target) {
  return Boolean(target && target.closest && target.closest("input, textarea, select"));
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  const target = event.target;
  if (target && target.closest && target.closest("dialog")) return;
  if (isTextField(target)) return;
  if (event.ctrlKey || event.metaKey) {
    const key = event.key.toLowerCase();
    if (event.altKey || (key !== "z" && key !== "y")) return;
    event.preventDefault();
    if (key === "y" || event.shiftKey) redo();
    else undo();
    return;
  }
  const control = Boolean(target && target.closest && target.closest("button, a, summary"));
  switch (event.key) {
    case "?":
    case "\u061f": // the Arabic question mark, where an Arabic layout types it
      event.preventDefault();
      $("help-dialog").showModal();
      return;
    case "Escape":
      if (goldMarker.pending) goldMarker.clearPending({ dom: true });
      else selectSpan(null);
      return;
    case "Delete":
    case "Backspace":
      if (!selectedId) return;
      event.preventDefault();
      deleteSelected();
      return;
    case " ":
      if (!control && goldMarker.pending && goldMarker.cycleClitic()) event.preventDefault();
      return;
    case "ArrowLeft":
    case "ArrowRight": {
      if (!event.shiftKey || control) return;
      // Shift+arrows grow the selection by a word (Alt: a character); left is forward in RTL.
      event.preventDefault();
      const forward = event.key === "ArrowLeft";
      const span = selectedId ? spanById(selectedId) : null;
      const from = span ? (forward ? span.end : span.start) : cursor;
      if (goldMarker.extend(forward, event.altKey || exactMode, from) && selectedId) selectSpan(null);
      return;
    }
    default:
      break;
  }
  const label = event.altKey ? null : shortcutLabel(shortcuts, event);
  if (label && (goldMarker.pending || selectedId)) {
    event.preventDefault();
    applyLabel(label);
  }
}

function wireMarking() {
  goldMarker.attachMouse({
    exact: (event) => event.altKey || exactMode,
    select: () => selectSpan(null),
    click: onGoldClick,
  });
  document.addEventListener("keydown", onKeyDown);
  $("undo-button").addEventListener("click", undo);
  $("redo-button").addEventListener("click", redo);
  $("help-button").addEventListener("click", () => $("help-dialog").showModal());
  const clitic = $("clitic-button");
  clitic.addEventListener("mousedown", (event) => event.preventDefault());
  clitic.addEventListener("click", () => goldMarker.cycleClitic());
  $("exact-toggle").addEventListener("click", () => {
    exactMode = !exactMode;
    $("exact-toggle").setAttribute("aria-pressed", String(exactMode));
    flash(exactMode ? S.exact_on : S.word_snap);
  });
  $("span-label").addEventListener("change", (event) => {
    if (selectedId) changeLabel(selectedId, event.target.value);
  });
  $("delete-span").addEventListener("click", deleteSelected);
  $("claimant-select").addEventListener("change", (event) => {
    if (!selectedId) return;
    const value = event.target.value;
    setAttribute(selectedId, "claimant", value.startsWith("span:") ? { span: value.slice(5) } : value || null);
    changed();
  });
  $("checkworthy-select").addEventListener("change", (event) => {
    if (!selectedId) return;
    const value = event.target.value;
    setAttribute(selectedId, "checkworthy", value === "" ? null : value === "true");
    changed();
  });
  $("claim-stance-select").addEventListener("change", (event) => {
    if (!selectedId) return;
    setAttribute(selectedId, "stance", event.target.value || null);
    changed();
  });
}

function chip(label) {
  const element = document.createElement("span");
  element.className = "label-chip";
  element.textContent = labelName(label);
  element.style.setProperty("--label-color", labelColor(label));
  return element;
}

function valueText(value) {
  if (value === null || value === undefined) return S.none;
  if (value === true) return S.yes;
  if (value === false) return S.no;
  if (typeof value === "object" && value.span) {
    const target = spanById(value.span) || (data.decisions.find((d) => d.span && d.span.id === value.span) || {}).span;
    return target ? `${labelName(target.label)}: ${target.text}` : value.span;
  }
  return valueName(String(value));
}

// ---- rendering ---------------------------------------------------------------------------

function renderGold() {
  if (selectedId && !spanById(selectedId)) selectedId = null;
  goldMarker.render(doc.spans);
  const list = $("gold-spans");
  const items = [...doc.spans].sort(compareSpans).map((span) => {
    const item = document.createElement("li");
    item.dataset.span = span.id;
    const covered = document.createElement("span");
    covered.className = "span-covered";
    covered.addEventListener("click", () => {
      goldMarker.clearPending({ dom: true });
      selectSpan(span.id);
      goldMarker.scrollTo(span.id);
    });
    covered.lang = "ar";
    covered.dir = "rtl";
    covered.textContent = span.text;
    const support = document.createElement("span");
    support.className = "muted";
    const names = data.support[span.id] || [];
    support.textContent = names.length ? `${S.marked_by}: ${names.join(", ")}` : "";
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = S.remove;
    remove.addEventListener("click", () => {
      removeSpan(span.id);
      changed();
    });
    item.append(chip(span.label), covered, support, remove);
    return item;
  });
  if (items.length === 0) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = S.no_spans;
    items.push(empty);
  }
  list.replaceChildren(...items);
  showSelectedSpan();
  renderSpanPanel();
  renderStance();
}

function renderStance() {
  const panel = $("stance-panel");
  const rows = (schema.stance_targets || [])
    .filter((t) => !t.retired || doc.document_labels.stance[t.key])
    .map((target) => {
      const label = document.createElement("label");
      const name = document.createElement("span");
      name.textContent = target.name || target.key;
      const select = document.createElement("select");
      select.name = `stance-${target.key}`;
      for (const value of ["", ...(schema.stance_values || [])]) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = value ? valueName(value) : S.none;
        select.append(option);
      }
      select.value = doc.document_labels.stance[target.key] || "";
      select.addEventListener("change", () => {
        setStance(target.key, select.value);
        chosen.set(`stance:${target.key}`, select.value || null);
        changed();
      });
      label.append(name, select);
      return label;
    });
  panel.replaceChildren(...rows);
}

function decisionTitle(decision) {
  const head = document.createElement("div");
  head.className = "decision-head";
  const reason = document.createElement("strong");
  reason.textContent = S[decision.reason] || decision.reason;
  head.append(reason);
  if (decision.kind === "span") {
    const covered = document.createElement("span");
    covered.className = "decision-text";
    covered.lang = "ar";
    covered.dir = "rtl";
    covered.textContent = decision.span.text;
    head.append(chip(decision.span.label), covered);
  } else if (decision.kind === "attribute") {
    const span = spanById(decision.span_id) || (data.decisions.find((d) => d.span && d.span.id === decision.span_id) || {}).span;
    const what = document.createElement("span");
    what.textContent = S[decision.attribute] || decision.attribute;
    head.append(what);
    if (span) {
      const covered = document.createElement("span");
      covered.className = "decision-text";
      covered.lang = "ar";
      covered.dir = "rtl";
      covered.textContent = span.text;
      head.append(covered);
    }
  } else {
    const target = (schema.stance_targets || []).find((t) => t.key === decision.target);
    const what = document.createElement("span");
    what.textContent = (target && target.name) || decision.target;
    head.append(what);
  }
  return head;
}

function choose(decision, value) {
  chosen.set(decision.id, value);
  if (decision.kind === "span") {
    if (value === "accept") addSpan(decision.span, decision.relation);
    else removeSpan((findSpan(keyOf(decision.span)) || decision.span).id);
  } else if (decision.kind === "attribute") {
    setAttribute(decision.span_id, decision.attribute, value);
  } else {
    setStance(decision.target, value);
  }
  changed();
}

function renderDecisions() {
  const list = $("decisions");
  const items = data.decisions.map((decision) => {
    const item = document.createElement("li");
    item.className = "decision";
    item.dataset.decision = decision.id;
    const current = currentValue(decision);
    item.dataset.state = isOpen(decision) ? "open" : "decided";
    const options = document.createElement("div");
    options.className = "options";
    const disabled = decision.kind === "attribute" && current === undefined;
    for (const option of decision.options) {
      const button = document.createElement("button");
      button.type = "button";
      const name =
        decision.kind === "span" ? (option.value === "accept" ? S.accept : S.reject) : valueText(option.value);
      button.textContent = name;
      button.dataset.value = JSON.stringify(option.value);
      const pressed = !isOpen(decision) && same(current, option.value);
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.disabled = disabled;
      button.addEventListener("click", () => choose(decision, option.value));
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = option.annotators.length ? `${S.by} ${option.annotators.join(", ")}` : "";
      const wrap = document.createElement("span");
      wrap.append(button, " ", who);
      options.append(wrap);
    }
    item.append(decisionTitle(decision), options);
    return item;
  });
  list.replaceChildren(...items);
  const open = data.decisions.filter(isOpen).length;
  $("open-count").textContent = open ? S.open_left.replace("%(count)s", String(open)) : S.all_decided;
}

function renderAnnotators() {
  for (const annotation of data.annotations) {
    const container = document.querySelector(`.annotator-text[data-annotation="${annotation.id}"]`);
    if (container) drawSpans(container, annotation.content.spans || []);
    const list = document.querySelector(`.annotator-stance[data-annotation="${annotation.id}"]`);
    if (!list) continue;
    const stance = (annotation.content.document_labels || {}).stance || {};
    const rows = [];
    for (const key of Object.keys(stance).sort()) {
      const term = document.createElement("dt");
      const target = (schema.stance_targets || []).find((t) => t.key === key);
      term.textContent = (target && target.name) || key;
      const value = document.createElement("dd");
      value.textContent = valueName(stance[key]);
      rows.push(term, value);
    }
    list.replaceChildren(...rows);
  }
}

function render() {
  renderGold();
  renderDecisions();
  $("undo-button").disabled = historyAt <= 0;
  $("redo-button").disabled = historyAt >= snapshots.length - 1;
}

// ---- saving ------------------------------------------------------------------------------

function showState(message, state) {
  const element = $("save-state");
  element.textContent = message;
  element.dataset.state = state;
}

async function save() {
  const button = $("save-gold");
  button.disabled = true;
  showState(S.saving, "saving");
  try {
    const { data: gold } = await apiFetch(data.urls.gold, {
      method: "PUT",
      body: { version, content: contentToSave() },
    });
    version = gold.version;
    doc = normalise(gold.content);
    snapshots[historyAt] = snapshot(); // the server's form of what was saved
    savedAt = historyAt;
    dirty = false;
    showState(S.saved.replace("%(version)s", String(version)), "saved");
    $("gold-version").textContent = "";
    render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      $("conflict-text").textContent = S.conflict.replace("%(version)s", String(error.body.current_version));
      $("conflict-banner").hidden = false;
      showState("", "conflict");
    } else if (error instanceof ApiError) {
      const detail = error.field ? `${error.field}: ${error.detail}` : error.detail;
      showState(S.error.replace("%(detail)s", detail), "error");
    } else if (error instanceof NetworkError) {
      showState(S.offline, "offline");
    } else {
      throw error;
    }
  } finally {
    button.disabled = false;
  }
}

$("save-gold").addEventListener("click", save);
$("reload-button").addEventListener("click", () => window.location.reload());
if (data.urls.next) {
  const next = $("next-article");
  next.href = data.urls.next;
  next.hidden = false;
}
// Leaving with unsaved gold asks first.
window.addEventListener("beforeunload", (event) => {
  if (dirty) event.preventDefault();
});
remember(); // the starting point undo returns to
renderPalette();
wireMarking();
renderAnnotators();
render();
root.dataset.ready = "true";
