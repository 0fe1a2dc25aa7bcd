// The annotation page: wires the marking component (marking.js: the article with its spans,
// selection, snapping) and the span editor (editing.js) to the keyboard (keys.js), the panels
// and saving (store, api). start(root, data) draws the page in `root` from its data (the
// json_script block, read by annotate-boot.js); importing the module does nothing. All text
// goes in through textContent / createTextNode.

import { trackActiveTime } from "./active-time.js";
import { ApiError, NetworkError, apiFetch } from "./api.js";
import { SpanEditor, stanceOp } from "./editing.js";
import { bindKeys } from "./keys.js";
import { createMarker } from "./marking.js";
import { $, createFlash, format, plural } from "./page.js";
import { compareSpans, innermost } from "./spans.js";
import { AnnotationStore, canonicalJson } from "./store.js";
import { attachSuggestions } from "./suggestions.js";

const SAVE_DELAY = 700; // ms after the last change
const MAX_SAVE_WAIT = 2000; // ms: save at least this often while changes keep coming

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

function setRadio(name, value) {
  for (const input of document.querySelectorAll(`input[type=radio][name="${name}"]`)) {
    input.checked = input.value === value;
  }
}

// Draw the page in `root` and start listening. Returns its store, editor and marker.
export function start(root, data) {
  const S = data.strings;
  const schema = data.schema || {};
  const CLAIM = (schema.claim_label && schema.claim_label.key) || "CLAIM";
  let readonly = Boolean(data.readonly);
  const shortcuts = new Map(
    data.labels.filter((l) => l.shortcut).map((l) => [l.shortcut, l.key]),
  );

  const el = {
    article: $("article-text"),
    saveState: $("save-state"),
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
  const flash = createFlash($("flash"));
  // Time spent working on this assignment, measured and reported by active-time.js.
  const activeTime =
    readonly || !data.urls.active_time ? null : trackActiveTime({ url: data.urls.active_time });

  const store = new AnnotationStore({
    assignmentId: data.assignment.id,
    annotation: data.annotation,
    storage: readonly ? null : safeStorage("localStorage"),
    tabId: tabId(),
  });

  // The article with its spans, the mouse selection and the selection waiting for a label.
  const marker = createMarker(el.article, {
    text: data.article.text,
    labels: data.all_labels || {},
    claimLabel: CLAIM,
    articleClitic: schema.article_clitic !== false,
    onPending: renderSelectionBar,
  });

  const editor = new SpanEditor({
    store,
    marker,
    strings: S,
    flash,
    readonly: () => readonly,
    onSelect: (id, { scroll = false }) => {
      editor.highlightSelection();
      renderSpanPanel();
      if (scroll && id) marker.scrollTo(id);
    },
  });

  let picking = false;
  let exactMode = false;

  // ---- Rendering ------------------------------------------------------------------------

  function renderArticle() {
    marker.render(store.content.spans);
    editor.highlightSelection();
  }

  function sortedSpans() {
    return [...store.content.spans].sort(compareSpans);
  }

  function renderSpanPanel() {
    const span = editor.selected;
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
      option.textContent = marker.labelName(span.label);
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
      option.textContent = `${entity.text} — ${marker.labelName(entity.label)}`;
      el.claimant.append(option);
    }
    el.claimant.value = relation ? `span:${relation.to}` : attributes.claimant || "";
    const checkworthy = attributes.checkworthy;
    setRadio("checkworthy", checkworthy === true ? "true" : checkworthy === false ? "false" : "");
    setRadio("claim-stance", attributes.stance || "");
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

  // ---- Selection and spans ----------------------------------------------------------------

  function renderSelectionBar(pending) {
    el.selectionBar.hidden = !pending;
    if (!pending) return;
    el.selectionText.textContent = marker.pendingText();
    el.cliticButton.hidden = !marker.canCycleClitic();
  }

  function moveBetweenSpans(forward) {
    const ordered = sortedSpans();
    if (ordered.length === 0) {
      flash(S.no_spans);
      return;
    }
    const cursor = editor.cursor;
    let index = ordered.findIndex((s) => s.id === editor.selectedId);
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
    editor.select(span.id, { scroll: true });
    // Screen readers hear which span is selected now.
    flash(`${marker.labelName(span.label)}: ${span.text}`);
  }

  function onArticleClick(event, caret) {
    if (caret !== null) editor.cursor = caret;
    if (!picking) {
      editor.clickSelect(event.target);
      return;
    }
    const candidates = editor.spansAt(event.target).filter((s) => s.label !== CLAIM);
    if (candidates.length === 0) {
      flash(S.pick_entity_only);
      return;
    }
    const entity = innermost(candidates, marker.levels);
    stopPicking();
    editor.setClaimant(editor.selectedId, `span:${entity.id}`);
    flash(S.claimant_set);
  }

  function stopPicking() {
    picking = false;
    el.article.classList.remove("picking");
    if (el.pickClaimant) el.pickClaimant.setAttribute("aria-pressed", "false");
  }

  function onEscape() {
    if (picking) stopPicking();
    else if (marker.pending) marker.clearPending({ dom: true });
    else if (editor.selectedId) editor.select(null);
  }

  // ---- Saving -----------------------------------------------------------------------------

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
      const id = encodeURIComponent(change.remove);
      const url = `${data.urls.spans}${id}/?version=${snapshot.version}`;
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

  function retryLater() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function handleSaveError(error, snapshot) {
    if (error instanceof NetworkError) {
      setSaveState("offline");
      retryLater();
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
      const field = error.field ? ` (${error.field})` : "";
      el.errorText.textContent = `${S.error}: ${error.detail}${field}`;
      el.error.hidden = false;
      return;
    }
    setSaveState("error", error.message);
    retryLater();
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
    const current = error.body.current_version;
    const stale = current !== undefined && current !== snapshot.version;
    el.conflictText.textContent = stale ? S.conflict : `${S.conflict} (${error.detail})`;
    el.conflict.hidden = false;
  }

  async function submit() {
    if (readonly) return;
    clearTimeout(saveTimer);
    if (saving) await saving;
    if (conflict) return;
    if (activeTime) await activeTime.flush();
    setSaveState("saving", S.submitting);
    const snapshot = store.snapshot();
    try {
      await apiFetch(data.urls.submit, {
        method: "POST",
        body: { version: snapshot.version, content: snapshot.content },
      });
      readonly = true;
      store.forget();
      // The next page says the submission went through (see project_annotate).
      window.location.assign(`${data.urls.next}?submitted=${data.assignment.id}`);
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
        const selector = `fieldset[data-target="${CSS.escape(target.key)}"]`;
        const fieldset = el.stancePanel.querySelector(selector);
        if (fieldset) fieldset.setAttribute("aria-invalid", "true");
      }
      const names = missing.map((t) => t.name).join(S.list_separator);
      flash(format(S.missing_stance, { names }));
      const first = el.stancePanel.querySelector('fieldset[aria-invalid="true"] input');
      if (first) first.focus();
      return;
    }
    const spans = store.content.spans;
    const claims = spans.filter((s) => s.label === CLAIM).length;
    el.submitSummary.textContent = [
      plural(data.plurals.spans, spans.length),
      plural(data.plurals.claims, claims),
    ].join(S.list_separator);
    el.submitDialog.showModal();
  }

  // ---- Events -------------------------------------------------------------------------------

  function wire() {
    bindKeys(
      {
        undo: () => editor.undo(),
        redo: () => editor.redo(),
        "leave-field": () => el.article.focus(),
        help: () => el.help.showModal(),
        escape: onEscape,
        submit: openSubmitDialog,
        delete: () => editor.deleteSelected(),
        clitic: ({ back }) => {
          if (!marker.cycleClitic({ back }) && marker.pending) flash(back ? S.clitic_whole : S.clitic_bare);
        },
        extend: ({ forward, exact }) => editor.extendSelection(forward, exact || exactMode),
        move: ({ forward, alt }) => {
          if (!alt) moveBetweenSpans(forward);
        },
        label: ({ label }) => editor.applyLabel(label),
      },
      { shortcuts },
    );
    marker.attachMouse({
      readonly: () => readonly,
      exact: (event) => Boolean(event && event.altKey) || exactMode,
      select: () => {
        if (editor.selectedId) editor.select(null);
      },
      click: onArticleClick,
    });
    // Label and toolbar buttons keep the text selection: no focus change on mousedown. A tap
    // may still clear the selection before the click: the range held at the press is used.
    let held = null;
    for (const button of root.querySelectorAll(".label-button, #clitic-button")) {
      button.addEventListener("mousedown", (event) => event.preventDefault());
      button.addEventListener("pointerdown", () => {
        held = marker.pending;
      });
    }
    const restoreHeld = () => {
      if (!marker.pending && held && !readonly) marker.setPending(held);
      held = null;
    };
    for (const button of root.querySelectorAll(".label-button")) {
      button.style.setProperty("--label-color", button.dataset.color);
      button.style.setProperty("--label-line", button.dataset.line || "solid");
      button.addEventListener("click", () => {
        restoreHeld();
        editor.applyLabel(button.dataset.label);
      });
    }
    el.cliticButton.addEventListener("click", () => {
      restoreHeld();
      marker.cycleClitic();
    });
    el.exact.addEventListener("click", () => {
      exactMode = !exactMode;
      el.exact.setAttribute("aria-pressed", String(exactMode));
      flash(exactMode ? S.exact_on : S.word_snap);
    });
    if (el.undo) el.undo.addEventListener("click", () => editor.undo());
    if (el.redo) el.redo.addEventListener("click", () => editor.redo());
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
      if (editor.selectedId) editor.changeLabel(editor.selectedId, el.spanLabel.value);
    });
    el.deleteSpan.addEventListener("click", () => editor.deleteSelected());
    el.claimant.addEventListener("change", () => {
      if (editor.selectedId) editor.setClaimant(editor.selectedId, el.claimant.value);
    });
    el.pickClaimant.addEventListener("click", () => {
      if (!editor.selectedId) return;
      picking = !picking;
      el.article.classList.toggle("picking", picking);
      el.pickClaimant.setAttribute("aria-pressed", String(picking));
      if (picking) flash(S.pick_claimant);
    });
    el.claimFields.addEventListener("change", (event) => {
      const input = event.target;
      const id = editor.selectedId;
      if (!id || input.type !== "radio") return;
      if (input.name === "checkworthy") {
        const checkworthy = input.value === "" ? null : input.value === "true";
        editor.updateClaim(id, { checkworthy });
      } else if (input.name === "claim-stance") {
        editor.updateClaim(id, { stance: input.value || null });
      }
    });
    el.stancePanel.addEventListener("change", (event) => {
      const input = event.target;
      const fieldset = input.closest("fieldset[data-target]");
      if (!fieldset || input.type !== "radio" || readonly) return;
      store.do(stanceOp(fieldset.dataset.target, input.value));
    });
    // On narrow or short screens the labels dock at the bottom (annotate.css): leave room
    // for them under the page so they never cover its last lines.
    const dock = root.querySelector(".labels-card");
    if (dock && window.ResizeObserver) {
      new ResizeObserver(() => {
        const docked = getComputedStyle(dock).position === "fixed";
        root.style.setProperty("--dock-height", docked ? `${dock.offsetHeight + 8}px` : "0px");
      }).observe(dock);
    }
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => marker.placeTags(), 100);
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
      if (editor.selectedId && !store.spanById(editor.selectedId)) editor.selectedId = null;
      editor.highlightSelection();
      renderSpanPanel();
      renderStancePanel();
      renderUndo();
      if (reason !== "saved") scheduleSave();
    });
  }

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
  root.dataset.ready = "true";
  performance.mark("annotation-page-ready");
  if (data.suggestions && !readonly) {
    attachSuggestions({ marker, store, editor, flash, strings: S, urls: data.suggestions,
      valueNames: data.value_names, readonly: () => readonly });
  }
  // Words are needed at the first selection; find them while the annotator starts reading.
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 50));
  idle(() => marker.model.tokens);
  return { store, editor, marker };
}
