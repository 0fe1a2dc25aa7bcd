// The annotation page: wires the marking component (marking.js: the article with its spans,
// selection, snapping) to the keyboard, the panels and saving (store, api). Page data comes
// from the json_script block; all text goes in through textContent / createTextNode.

import { ApiError, NetworkError, apiFetch } from "./api.js";
import { createMarker, shortcutLabel } from "./marking.js";
import { compareSpans, innermost } from "./spans.js";
import { AnnotationStore, canonicalJson, newSpanId } from "./store.js";

performance.mark("annotation-page-start");
const data = JSON.parse(document.getElementById("page-data").textContent);
const S = data.strings;
const text = data.article.text;
const schema = data.schema || {};
const CLAIM = (schema.claim_label && schema.claim_label.key) || "CLAIM";
const SAVE_DELAY = 700; // ms after the last change
const MAX_SAVE_WAIT = 2000; // ms: save at least this often while changes keep coming
const RTL = true; // the article is always right-to-left
let readonly = Boolean(data.readonly);

const labelInfo = data.all_labels || {};
const shortcuts = new Map(data.labels.filter((l) => l.shortcut).map((l) => [l.shortcut, l.key]));

const $ = (id) => document.getElementById(id);
const el = {
  root: $("annotate"),
  article: $("article-text"),
  saveState: $("save-state"),
  flash: $("flash"),
  undo: $("undo-button"),
  redo: $("redo-button"),
  exact: $("exact-toggle"),
  guidelinesToggle: $("guidelines-toggle"),
  guidelines: $("guidelines-panel"),
  help: $("help-dialog"),
  helpButton: $("help-button"),
  submit: $("submit-button"),
  submitDialog: $("submit-dialog"),
  submitSummary: $("submit-summary"),
  conflict: $("conflict-banner"),
  conflictText: $("conflict-text"),
  reload: $("reload-button"),
  error: $("error-banner"),
  errorText: $("error-text"),
  discard: $("discard-button"),
  selectionBar: $("selection-bar"),
  selectionText: $("selection-text"),
  cliticButton: $("clitic-button"),
  spanPanel: $("span-panel"),
  spanPosition: $("span-position"),
  spanText: $("span-text"),
  spanLabel: $("span-label"),
  claimFields: $("claim-fields"),
  claimant: $("claimant-select"),
  pickClaimant: $("pick-claimant"),
  deleteSpan: $("delete-span"),
  stancePanel: $("stance-panel"),
  stanceSummary: $("stance-summary"),
};

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, name) => String(values[name]));
}

function labelName(key) {
  return (labelInfo[key] && labelInfo[key].name) || key;
}

function safeStorage(name) {
  try {
    const storage = window[name];
    const probe = "annotate:probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

function tabId() {
  const session = safeStorage("sessionStorage");
  let id = session && session.getItem("annotate:tab");
  if (!id) {
    id = Math.random().toString(36).slice(2, 10);
    if (session) session.setItem("annotate:tab", id);
  }
  return id;
}

const store = new AnnotationStore({
  assignmentId: data.assignment.id,
  annotation: data.annotation,
  storage: readonly ? null : safeStorage("localStorage"),
  tabId: tabId(),
});

// ---- UI state -------------------------------------------------------------------------

let cursor = 0; // where keyboard selection starts when nothing is selected
let selectedId = null;
let picking = false;
let exactMode = false;

// The article with its spans, the mouse selection and the selection waiting for a label.
const marker = createMarker(el.article, {
  text,
  labels: labelInfo,
  claimLabel: CLAIM,
  articleClitic: schema.article_clitic !== false,
  onPending: renderSelectionBar,
});
const model = marker.model;

// ---- Rendering --------------------------------------------------------------------------

function renderArticle() {
  marker.render(store.content.spans);
  showSelectedSpan();
}

function showSelectedSpan() {
  const marks = [];
  if (selectedId) {
    marks.push([selectedId, "selected"]);
    const relation = store.relationFrom(selectedId);
    if (relation) marks.push([relation.to, "is-claimant"]);
  }
  marker.highlight(marks);
}

function sortedSpans() {
  return [...store.content.spans].sort(compareSpans);
}

function renderSpanPanel() {
  const span = selectedId ? store.spanById(selectedId) : null;
  el.spanPanel.hidden = !span;
  if (!span) return;
  const ordered = sortedSpans();
  el.spanPosition.textContent = format(S.span_of, {
    n: ordered.findIndex((s) => s.id === span.id) + 1,
    total: ordered.length,
  });
  el.spanText.textContent = span.text;
  if (![...el.spanLabel.options].some((o) => o.value === span.label)) {
    const option = document.createElement("option"); // a retired label the span still has
    option.value = span.label;
    option.textContent = labelName(span.label);
    el.spanLabel.append(option);
  }
  el.spanLabel.value = span.label;
  const isClaim = span.label === CLAIM;
  el.claimFields.hidden = !isClaim;
  if (!isClaim) return;
  const attributes = span.attributes || {};
  const relation = store.relationFrom(span.id);
  // Rebuild the entity choices: every entity span, in reading order.
  for (const option of [...el.claimant.querySelectorAll("option[data-span]")]) option.remove();
  for (const entity of ordered) {
    if (entity.label === CLAIM) continue;
    const option = document.createElement("option");
    option.value = `span:${entity.id}`;
    option.dataset.span = entity.id;
    option.textContent = `${entity.text} — ${labelName(entity.label)}`;
    el.claimant.append(option);
  }
  el.claimant.value = relation ? `span:${relation.to}` : attributes.claimant || "";
  setRadio("checkworthy", attributes.checkworthy === true ? "true" : attributes.checkworthy === false ? "false" : "");
  setRadio("claim-stance", attributes.stance || "");
}

function setRadio(name, value) {
  for (const input of document.querySelectorAll(`input[type=radio][name="${name}"]`)) {
    input.checked = input.value === value;
  }
}

function activeTargets() {
  return (schema.stance_targets || []).filter((t) => !t.retired);
}

function missingTargets() {
  const stance = store.content.document_labels.stance;
  return activeTargets().filter((t) => t.required && !(t.key in stance));
}

function renderStancePanel() {
  const stance = store.content.document_labels.stance;
  for (const fieldset of el.stancePanel.querySelectorAll("fieldset[data-target]")) {
    const key = fieldset.dataset.target;
    setRadio(`stance-${key}`, stance[key] || "");
    if (stance[key]) fieldset.removeAttribute("aria-invalid");
  }
  const targets = activeTargets();
  el.stanceSummary.textContent = format(S.stance_summary, {
    done: targets.filter((t) => t.key in stance).length,
    total: targets.length,
  });
}

function renderUndo() {
  if (el.undo) el.undo.disabled = readonly || !store.canUndo;
  if (el.redo) el.redo.disabled = readonly || !store.canRedo;
}

let flashTimer = null;
function flash(message) {
  el.flash.textContent = message;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => {
    el.flash.textContent = "";
  }, 6000);
}

// ---- Selection and marking ----------------------------------------------------------------

function renderSelectionBar(pending) {
  el.selectionBar.hidden = !pending;
  if (!pending) return;
  el.selectionText.textContent = marker.pendingText();
  el.cliticButton.hidden = !marker.canCycleClitic();
}

function cycleClitic() {
  return marker.cycleClitic();
}

function mark(labelKey) {
  const range = marker.pending;
  if (!range) {
    flash(S.select_first);
    return;
  }
  const { start, end } = range;
  const twin = store.content.spans.find(
    (s) => s.start === start && s.end === end && s.label === labelKey,
  );
  marker.clearPending({ dom: true });
  cursor = end;
  if (twin) {
    flash(S.already_marked);
    selectSpan(twin.id);
    return;
  }
  const span = marker.spanFor(range, labelKey, newSpanId());
  selectedId = span.id;
  store.do({ type: "add", span });
  flash(`${S.marked}: ${labelName(labelKey)}`);
}

function changeLabel(id, labelKey) {
  const span = store.spanById(id);
  if (!span || span.label === labelKey) return;
  const twin = store.content.spans.find(
    (s) => s.id !== id && s.start === span.start && s.end === span.end && s.label === labelKey,
  );
  if (twin) {
    flash(S.already_marked);
    renderSpanPanel();
    return;
  }
  const wasClaim = span.label === CLAIM;
  const isClaim = labelKey === CLAIM;
  const ops = [];
  if (wasClaim && !isClaim) ops.push({ type: "relation", relation: "claimant", from: id, to: null });
  if (!wasClaim && isClaim) {
    for (const relation of store.content.relations.filter((r) => r.to === id)) {
      ops.push({ type: "relation", relation: relation.type, from: relation.from, to: null });
    }
  }
  const attributes = isClaim
    ? wasClaim
      ? span.attributes
      : { checkworthy: null, claimant: null, stance: null }
    : {};
  ops.push({ type: "update", id, label: labelKey, attributes });
  store.do({ type: "batch", ops });
  flash(`${S.label_changed}: ${labelName(labelKey)}`);
}

function applyLabel(labelKey) {
  if (readonly) return;
  if (marker.pending) mark(labelKey);
  else if (selectedId) changeLabel(selectedId, labelKey);
  else flash(S.select_first);
}

function deleteSelected() {
  if (readonly) return;
  const span = selectedId ? store.spanById(selectedId) : null;
  if (!span) {
    flash(S.nothing_selected);
    return;
  }
  selectedId = null;
  cursor = span.start;
  store.do({ type: "remove", id: span.id });
  flash(S.deleted);
}

function updateClaim(id, changes) {
  const span = store.spanById(id);
  if (!span || span.label !== CLAIM) return;
  store.do({ type: "update", id, attributes: { ...span.attributes, ...changes } });
}

function setClaimant(claimId, value) {
  const claim = store.spanById(claimId);
  if (!claim || claim.label !== CLAIM) return;
  const attributes = { ...claim.attributes };
  let ops;
  if (value.startsWith("span:")) {
    const target = store.spanById(value.slice(5));
    if (!target || target.label === CLAIM) {
      flash(S.pick_entity_only);
      return;
    }
    ops = [
      { type: "update", id: claimId, attributes: { ...attributes, claimant: null } },
      { type: "relation", relation: "claimant", from: claimId, to: target.id },
    ];
  } else {
    ops = [
      { type: "relation", relation: "claimant", from: claimId, to: null },
      { type: "update", id: claimId, attributes: { ...attributes, claimant: value || null } },
    ];
  }
  store.do({ type: "batch", ops });
}

function selectSpan(id, { scroll = false } = {}) {
  selectedId = id;
  showSelectedSpan();
  renderSpanPanel();
  const span = id ? store.spanById(id) : null;
  if (span) cursor = span.start;
  if (scroll && id) marker.scrollTo(id);
}

function moveBetweenSpans(forward) {
  const ordered = sortedSpans();
  if (ordered.length === 0) {
    flash(S.no_spans);
    return;
  }
  let index = ordered.findIndex((s) => s.id === selectedId);
  if (index < 0) {
    index = forward
      ? ordered.findIndex((s) => s.start >= cursor)
      : ordered.findLastIndex((s) => s.start < cursor);
    if (index < 0) index = forward ? 0 : ordered.length - 1;
  } else {
    index = Math.max(0, Math.min(ordered.length - 1, index + (forward ? 1 : -1)));
  }
  marker.clearPending({ dom: true });
  const span = ordered[index];
  selectSpan(span.id, { scroll: true });
  // Screen readers hear which span is selected now.
  flash(`${labelName(span.label)}: ${span.text}`);
}

function extendSelection(forward, exact) {
  // Start next to the selected span (after it going forward), else at the cursor.
  const span = selectedId ? store.spanById(selectedId) : null;
  const from = span ? (forward ? span.end : span.start) : cursor;
  const range = marker.extend(forward, exact, from);
  if (range && selectedId) selectSpan(null);
}

function spansAt(target) {
  return marker
    .spanIdsAt(target)
    .map((id) => store.spanById(id))
    .filter(Boolean);
}

function onArticleClick(event) {
  let candidates = spansAt(event.target);
  if (picking) {
    candidates = candidates.filter((s) => s.label !== CLAIM);
    if (candidates.length === 0) {
      flash(S.pick_entity_only);
      return;
    }
    const entity = innermost(candidates, marker.levels);
    stopPicking();
    setClaimant(selectedId, `span:${entity.id}`);
    flash(S.claimant_set);
    return;
  }
  if (candidates.length === 0) {
    selectSpan(null);
    return;
  }
  // Innermost first; clicking the selected span again selects the next one out.
  candidates.sort((a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b));
  const current = candidates.findIndex((s) => s.id === selectedId);
  const next = candidates[(current + 1) % candidates.length];
  selectSpan(next.id);
}

function stopPicking() {
  picking = false;
  el.article.classList.remove("picking");
  if (el.pickClaimant) el.pickClaimant.setAttribute("aria-pressed", "false");
}

// ---- Saving -------------------------------------------------------------------------------

let saveTimer = null;
let firstUnsavedAt = null;
let saving = null; // the promise of the save in flight
let retryDelay = 1000;
let conflict = false;
let blocked = false; // a 400/403 that retrying will not fix

function setSaveState(state, detail = "") {
  el.saveState.dataset.state = state;
  const base = S[state] || state;
  el.saveState.textContent = detail ? `${base}: ${detail}` : base;
}

function scheduleSave(delay = SAVE_DELAY) {
  if (readonly || conflict) return;
  if (!store.dirty) return;
  if (firstUnsavedAt === null) firstUnsavedAt = Date.now();
  const wait = Math.max(0, Math.min(delay, firstUnsavedAt + MAX_SAVE_WAIT - Date.now()));
  clearTimeout(saveTimer);
  saveTimer = setTimeout(save, wait);
  if (el.saveState.dataset.state === "saved") setSaveState("unsaved");
}

function save() {
  clearTimeout(saveTimer);
  saveTimer = null;
  if (saving || readonly || conflict || blocked || !store.dirty) return saving;
  saving = runSave().finally(() => {
    saving = null;
  });
  return saving;
}

// One added or removed span goes to the spans endpoint; anything else saves the document.
async function sendSnapshot(snapshot) {
  const change = store.singleSpanChange();
  if (change && change.add) {
    const { data: saved } = await apiFetch(data.urls.spans, {
      method: "POST",
      body: { version: snapshot.version, span: change.add },
    });
    return { version: saved.version, content: snapshot.content };
  }
  if (change && change.remove) {
    const url = `${data.urls.spans}${encodeURIComponent(change.remove)}/?version=${snapshot.version}`;
    const { data: saved } = await apiFetch(url, { method: "DELETE" });
    return { version: saved.version, content: snapshot.content };
  }
  const { data: annotation } = await apiFetch(data.urls.annotation, {
    method: "PUT",
    body: { version: snapshot.version, content: snapshot.content },
  });
  return annotation;
}

async function runSave() {
  const snapshot = store.snapshot();
  setSaveState("saving");
  try {
    const annotation = await sendSnapshot(snapshot);
    retryDelay = 1000;
    firstUnsavedAt = null;
    store.acknowledge(snapshot, annotation);
    setSaveState(store.dirty ? "unsaved" : "saved");
    if (store.dirty) scheduleSave(0);
  } catch (error) {
    handleSaveError(error, snapshot);
  }
}

function handleSaveError(error, snapshot) {
  if (error instanceof NetworkError) {
    setSaveState("offline");
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
    return;
  }
  if (error instanceof ApiError && error.status === 409) {
    checkLostResponse(error, snapshot);
    return;
  }
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    setSaveState("error", S.session);
    blocked = true;
    return;
  }
  if (error instanceof ApiError && error.status < 500) {
    blocked = true;
    setSaveState("error", error.detail);
    el.errorText.textContent = `${S.error}: ${error.detail}${error.field ? ` (${error.field})` : ""}`;
    el.error.hidden = false;
    return;
  }
  setSaveState("error", error.message);
  clearTimeout(saveTimer);
  saveTimer = setTimeout(save, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 15000);
}

// A 409 right after a network blip may be our own save whose answer was lost: when the
// server holds exactly what we sent, carry on; anything else is someone else's save.
async function checkLostResponse(error, snapshot) {
  if (error.body.current_version === snapshot.version + 1) {
    try {
      const { data: annotation } = await apiFetch(data.urls.annotation);
      if (canonicalJson(annotation.content) === canonicalJson(snapshot.content)) {
        store.acknowledge(snapshot, annotation);
        setSaveState(store.dirty ? "unsaved" : "saved");
        if (store.dirty) scheduleSave(0);
        return;
      }
    } catch {
      // fall through to the conflict message
    }
  }
  showConflict(error, snapshot);
}

function showConflict(error, snapshot) {
  conflict = true;
  clearTimeout(saveTimer);
  store.persist();
  setSaveState("conflict");
  const stale = error.body.current_version !== undefined && error.body.current_version !== snapshot.version;
  el.conflictText.textContent = stale ? S.conflict : `${S.conflict} (${error.detail})`;
  el.conflict.hidden = false;
}

async function submit() {
  if (readonly) return;
  clearTimeout(saveTimer);
  if (saving) await saving;
  if (conflict) return;
  setSaveState("saving", S.submitting);
  const snapshot = store.snapshot();
  try {
    await apiFetch(data.urls.submit, {
      method: "POST",
      body: { version: snapshot.version, content: snapshot.content },
    });
    readonly = true;
    store.forget();
    window.location.assign(data.urls.next);
  } catch (error) {
    if (error instanceof NetworkError) {
      setSaveState("offline");
      flash(S.submit_offline);
      scheduleSave(retryDelay);
    } else if (error instanceof ApiError && error.status === 409) {
      showConflict(error, snapshot);
    } else {
      const detail = error instanceof ApiError ? error.detail : error.message;
      setSaveState(store.dirty ? "unsaved" : "saved");
      flash(`${S.submit_failed}: ${detail}`);
    }
  }
}

function openSubmitDialog() {
  if (readonly || !el.submitDialog) return;
  const missing = missingTargets();
  if (missing.length) {
    for (const target of missing) {
      const fieldset = el.stancePanel.querySelector(`fieldset[data-target="${CSS.escape(target.key)}"]`);
      if (fieldset) fieldset.setAttribute("aria-invalid", "true");
    }
    flash(format(S.missing_stance, { names: missing.map((t) => t.name).join("، ") }));
    const first = el.stancePanel.querySelector('fieldset[aria-invalid="true"] input');
    if (first) first.focus();
    return;
  }
  const spans = store.content.spans;
  el.submitSummary.textContent = format(S.spans_summary, {
    spans: spans.length,
    claims: spans.filter((s) => s.label === CLAIM).length,
  });
  el.submitDialog.showModal();
}

// ---- Events -------------------------------------------------------------------------------

function isTextField(target) {
  if (!target || !target.closest) return false;
  if (target.closest("textarea, select, [contenteditable=''], [contenteditable='true']")) return true;
  const input = target.closest("input");
  return Boolean(input) && !["radio", "checkbox", "button", "submit"].includes(input.type);
}

function isControl(target) {
  return Boolean(target && target.closest && target.closest("button, a, input, summary"));
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  const target = event.target;
  if (target && target.closest && target.closest("dialog")) return;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  if (ctrl && !event.altKey && !isTextField(target)) {
    if (key === "z" || key === "Z") {
      event.preventDefault();
      if (event.shiftKey) redo();
      else undo();
    } else if (key === "y" || key === "Y") {
      event.preventDefault();
      redo();
    }
    return;
  }
  if (ctrl || isTextField(target)) {
    if (key === "Escape" && isTextField(target)) el.article.focus();
    return;
  }
  const control = isControl(target);
  switch (key) {
    case "?":
    case "؟":
      event.preventDefault();
      el.help.showModal();
      return;
    case "Escape":
      if (picking) stopPicking();
      else if (marker.pending) marker.clearPending({ dom: true });
      else if (selectedId) selectSpan(null);
      return;
    case "Enter":
      if (control) return;
      event.preventDefault();
      openSubmitDialog();
      return;
    case "Delete":
    case "Backspace":
      event.preventDefault();
      deleteSelected();
      return;
    case " ":
      if (!control && marker.pending && cycleClitic()) event.preventDefault();
      return;
    case "ArrowLeft":
    case "ArrowRight": {
      if (control && target.type === "radio") return;
      const forward = (key === "ArrowLeft") === RTL;
      event.preventDefault();
      if (event.shiftKey) {
        if (!readonly) extendSelection(forward, event.altKey || exactMode);
      } else if (!event.altKey) {
        moveBetweenSpans(forward);
      }
      return;
    }
    default:
      break;
  }
  const label = event.altKey ? null : shortcutLabel(shortcuts, event);
  if (label) {
    event.preventDefault();
    applyLabel(label);
  }
}

function undo() {
  if (readonly) return;
  flash(store.undo() ? S.undone : S.nothing_to_undo);
}

function redo() {
  if (readonly) return;
  flash(store.redo() ? S.redone : S.nothing_to_redo);
}

function onArticleMouseClick(event, caret) {
  if (caret !== null) cursor = caret;
  onArticleClick(event);
}

function wire() {
  document.addEventListener("keydown", onKeyDown);
  marker.attachMouse({
    readonly: () => readonly,
    exact: (event) => event.altKey || exactMode,
    select: () => {
      if (selectedId) selectSpan(null);
    },
    click: onArticleMouseClick,
  });
  // Label and toolbar buttons keep the text selection: no focus change on mousedown.
  for (const button of document.querySelectorAll(".label-button, #clitic-button")) {
    button.addEventListener("mousedown", (event) => event.preventDefault());
  }
  for (const button of document.querySelectorAll(".label-button")) {
    button.style.setProperty("--label-color", button.dataset.color);
    button.addEventListener("click", () => applyLabel(button.dataset.label));
  }
  el.cliticButton.addEventListener("click", cycleClitic);
  el.exact.addEventListener("click", () => {
    exactMode = !exactMode;
    el.exact.setAttribute("aria-pressed", String(exactMode));
    flash(exactMode ? S.exact_on : S.word_snap);
  });
  if (el.undo) el.undo.addEventListener("click", undo);
  if (el.redo) el.redo.addEventListener("click", redo);
  el.helpButton.addEventListener("click", () => el.help.showModal());
  el.guidelinesToggle.addEventListener("click", () => {
    const open = el.guidelines.hidden;
    el.guidelines.hidden = !open;
    el.guidelinesToggle.setAttribute("aria-expanded", String(open));
    if (open) el.guidelines.scrollIntoView({ block: "nearest" });
  });
  if (el.submit) el.submit.addEventListener("click", openSubmitDialog);
  if (el.submitDialog) {
    el.submitDialog.addEventListener("close", () => {
      if (el.submitDialog.returnValue === "submit") submit();
    });
  }
  el.reload.addEventListener("click", () => {
    store.persist();
    window.location.reload();
  });
  el.discard.addEventListener("click", () => {
    store.forget();
    window.location.reload();
  });
  el.spanLabel.addEventListener("change", () => {
    if (selectedId) changeLabel(selectedId, el.spanLabel.value);
  });
  el.deleteSpan.addEventListener("click", deleteSelected);
  el.claimant.addEventListener("change", () => {
    if (selectedId) setClaimant(selectedId, el.claimant.value);
  });
  el.pickClaimant.addEventListener("click", () => {
    if (!selectedId) return;
    picking = !picking;
    el.article.classList.toggle("picking", picking);
    el.pickClaimant.setAttribute("aria-pressed", String(picking));
    if (picking) flash(S.pick_claimant);
  });
  el.claimFields.addEventListener("change", (event) => {
    const input = event.target;
    if (!selectedId || input.type !== "radio") return;
    if (input.name === "checkworthy") {
      updateClaim(selectedId, { checkworthy: input.value === "" ? null : input.value === "true" });
    } else if (input.name === "claim-stance") {
      updateClaim(selectedId, { stance: input.value || null });
    }
  });
  el.stancePanel.addEventListener("change", (event) => {
    const input = event.target;
    const fieldset = input.closest("fieldset[data-target]");
    if (!fieldset || input.type !== "radio" || readonly) return;
    store.do({ type: "stance", target: fieldset.dataset.target, value: input.value });
  });
  window.addEventListener("online", () => {
    if (el.saveState.dataset.state === "offline") {
      retryDelay = 1000;
      save();
    }
  });
  window.addEventListener("offline", () => {
    if (store.dirty) setSaveState("offline");
  });
  store.onChange((reason) => {
    if (store.content.spans !== marker.renderedSpans) renderArticle();
    if (selectedId && !store.spanById(selectedId)) selectedId = null;
    showSelectedSpan();
    renderSpanPanel();
    renderStancePanel();
    renderUndo();
    if (reason !== "saved") scheduleSave();
  });
}

function start() {
  renderArticle();
  renderSpanPanel();
  renderStancePanel();
  renderUndo();
  wire();
  if (readonly) {
    setSaveState("readonly");
  } else if (store.restored.count > 0) {
    let message = format(S.restored, { count: store.restored.count });
    if (store.restored.fromVersion !== null) message += ` ${S.rebased}`;
    flash(message);
    setSaveState("unsaved");
    scheduleSave(0);
  } else {
    setSaveState("saved");
  }
  el.root.dataset.ready = "true";
  performance.mark("annotation-page-ready");
  // Words are needed at the first selection; find them while the annotator starts reading.
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 50));
  idle(() => model.tokens);
}

start();
