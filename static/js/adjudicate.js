// The adjudication page: each annotator's submitted spans over the RTL text, the gold being
// built (from the merged proposal, or the saved gold), the open decisions with their choices,
// and saving through the REST API (PUT .../gold/ with the version it started from).
//
// The gold is a store.js DocumentStore, as the annotation page's document is: every change
// and every settled decision is an operation in one undo/redo history (Ctrl+Z, Ctrl+Shift+Z
// or Ctrl+Y, or the buttons), and undoing back to the saved gold leaves nothing unsaved.
// Spans are drawn and marked with the annotation page's component (marking.js) and edited
// with its span editor (editing.js) and keys (keys.js). start(root, data) draws the page from
// its data (the json_script block, read by adjudicate-boot.js) and interface text from the
// template; importing the module does nothing. All text goes in through textContent.

import { ApiError, NetworkError, apiFetch } from "./api.js";
import {
  SpanEditor,
  attributesOp,
  claimantOf,
  claimantOp,
  stanceOp,
  twinOf,
} from "./editing.js";
import { bindKeys, labelShortcuts } from "./keys.js";
import { createMarker } from "./marking.js";
import { $, createFlash, format, plural, templateStrings } from "./page.js";
import { compareSpans } from "./spans.js";
import { DocumentStore, sameValue } from "./store.js";

// ---- decisions (pure) ----------------------------------------------------------------------

// Settling `decision` with `value`: the settled decision and the change to the gold, one
// operation for undo.
export function decisionOp(content, decision, value) {
  const ops = [{ type: "settle", decision: decision.id, value }];
  if (decision.kind === "span") {
    const span = decision.span;
    if (value === "accept") {
      ops.push({ type: "add", span, relations: decision.relation ? [decision.relation] : [] });
    } else {
      const present = twinOf(content, { start: span.start, end: span.end, label: span.label });
      ops.push({ type: "remove", id: (present || span).id });
    }
  } else if (decision.kind === "attribute") {
    const op =
      decision.attribute === "claimant"
        ? claimantOp(content, decision.span_id, value)
        : attributesOp(content, decision.span_id, { [decision.attribute]: value });
    if (op) ops.push(op);
  } else {
    ops.push(stanceOp(decision.target, value));
  }
  return { type: "batch", ops };
}

// The option a decision shows as chosen, from the gold (undefined: its span is not there).
export function currentValue(content, decision) {
  if (decision.kind === "span") {
    const { start, end, label } = decision.span;
    return twinOf(content, { start, end, label }) ? "accept" : "reject";
  }
  if (decision.kind === "stance") return content.document_labels.stance[decision.target] ?? null;
  const span = content.spans.find((s) => s.id === decision.span_id);
  if (!span) return undefined;
  if (decision.attribute === "claimant") return claimantOf(content, span);
  return span.attributes[decision.attribute] ?? null;
}

// A decision is open until the reviewer settles it, whatever the majority: a suggested
// value is already in a fresh proposal, but nobody decided it (no silent majorities).
export function isOpenDecision(decision, { fromGold, settled }) {
  return !fromGold && !Object.hasOwn(settled, decision.id);
}

// The decision the page was opened for (?decision=<id>), if the article has it.
export function targetedDecision(decisions, search) {
  const id = new URLSearchParams(search).get("decision");
  return decisions.find((d) => d.id === id) || null;
}

// ---- the page ------------------------------------------------------------------------------

// Draw the page in `root` and start listening. Returns its store, editor and marker.
export function start(root, data) {
  const strings = $("marking-strings");
  const S = { ...data.strings, ...templateStrings(strings, "key") };
  const valueNames = templateStrings(strings, "value");
  const text = data.article.text;
  const schema = data.schema || {};
  const CLAIM = (schema.claim_label && schema.claim_label.key) || "CLAIM";
  const fromGold = Boolean(data.gold);
  let version = fromGold ? data.gold.version : 0;

  const store = new DocumentStore(fromGold ? data.gold.content : data.proposal);
  const targeted = targetedDecision(data.decisions, window.location.search);
  const flash = createFlash($("flash"));

  const spanLabels = [
    ...(schema.entity_labels || []),
    ...(schema.claim_label ? [schema.claim_label] : []),
  ];
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
  const labelName = (label) => goldMarker.labelName(label);
  const labelColor = (label) => goldMarker.labelColor(label);

  const editor = new SpanEditor({
    store,
    marker: goldMarker,
    strings: S,
    flash,
    onSelect: (id, { scroll = false }) => {
      showSelectedSpan();
      renderSpanPanel();
      if (scroll && id) goldMarker.scrollTo(id);
    },
  });

  let exactMode = false;

  function isOpen(decision) {
    return isOpenDecision(decision, { fromGold, settled: store.settled });
  }

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

  function valueName(value) {
    return valueNames[value] || value;
  }

  function renderSelectionBar(pending) {
    $("selection-bar").hidden = !pending;
    if (!pending) return;
    $("selection-text").textContent = goldMarker.pendingText();
    $("clitic-button").hidden = !goldMarker.canCycleClitic();
  }

  function showSelectedSpan() {
    editor.highlightSelection();
    for (const item of $("gold-spans").querySelectorAll("li[data-span]")) {
      item.classList.toggle("selected", item.dataset.span === editor.selectedId);
    }
  }

  function option(value, name) {
    const element = document.createElement("option");
    element.value = value;
    element.textContent = name;
    return element;
  }

  function renderSpanPanel() {
    const span = editor.selected;
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
    const content = store.content;
    const claimant = $("claimant-select");
    const choices = [option("", S.not_set || S.none)];
    for (const value of schema.claimant_values || ["author", "unattributed"]) {
      choices.push(option(value, valueName(value)));
    }
    for (const entity of [...content.spans].sort(compareSpans)) {
      if (entity.label === CLAIM) continue;
      choices.push(option(`span:${entity.id}`, `${entity.text} — ${labelName(entity.label)}`));
    }
    claimant.replaceChildren(...choices);
    const current = claimantOf(content, span);
    const isSpan = Boolean(current) && typeof current === "object";
    claimant.value = isSpan ? `span:${current.span}` : current || "";
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
      button.addEventListener("click", () => editor.applyLabel(label.key));
      item.append(button);
      return item;
    });
    $("label-palette").replaceChildren(...items);
  }

  function onGoldClick(event, caret) {
    if (caret !== null) editor.cursor = caret;
    editor.clickSelect(event.target);
  }

  function onEscape() {
    if (goldMarker.pending) goldMarker.clearPending({ dom: true });
    else editor.select(null);
  }

  function wireMarking() {
    goldMarker.attachMouse({
      exact: (event) => event.altKey || exactMode,
      select: () => editor.select(null),
      click: onGoldClick,
    });
    bindKeys(
      {
        undo: () => editor.undo(),
        redo: () => editor.redo(),
        help: () => $("help-dialog").showModal(),
        escape: onEscape,
        delete: () => {
          if (!editor.selectedId) return false;
          editor.deleteSelected();
        },
        clitic: () => goldMarker.cycleClitic(),
        extend: ({ forward, exact }) => editor.extendSelection(forward, exact || exactMode),
        label: ({ label }) => editor.applyLabel(label),
      },
      { shortcuts },
    );
    $("undo-button").addEventListener("click", () => editor.undo());
    $("redo-button").addEventListener("click", () => editor.redo());
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
      if (editor.selectedId) editor.changeLabel(editor.selectedId, event.target.value);
    });
    $("delete-span").addEventListener("click", () => editor.deleteSelected());
    $("claimant-select").addEventListener("change", (event) => {
      if (editor.selectedId) editor.setClaimant(editor.selectedId, event.target.value);
    });
    $("checkworthy-select").addEventListener("change", (event) => {
      const value = event.target.value;
      const checkworthy = value === "" ? null : value === "true";
      if (editor.selectedId) editor.updateClaim(editor.selectedId, { checkworthy });
    });
    $("claim-stance-select").addEventListener("change", (event) => {
      const stance = event.target.value || null;
      if (editor.selectedId) editor.updateClaim(editor.selectedId, { stance });
    });
  }

  function chip(label) {
    const element = document.createElement("span");
    element.className = "label-chip";
    element.textContent = labelName(label);
    element.style.setProperty("--label-color", labelColor(label));
    return element;
  }

  // A span of the gold, else of a decision (a span the gold does not hold).
  function knownSpan(id) {
    return (
      store.spanById(id) || (data.decisions.find((d) => d.span && d.span.id === id) || {}).span
    );
  }

  function valueText(value) {
    if (value === null || value === undefined) return S.none;
    if (value === true) return S.yes;
    if (value === false) return S.no;
    if (typeof value === "object" && value.span) {
      const target = knownSpan(value.span);
      return target ? `${labelName(target.label)}: ${target.text}` : value.span;
    }
    return valueName(String(value));
  }

  // ---- rendering -------------------------------------------------------------------------

  function renderGold() {
    if (editor.selectedId && !store.spanById(editor.selectedId)) editor.selectedId = null;
    const spans = store.content.spans;
    if (spans !== goldMarker.renderedSpans) goldMarker.render(spans);
    const items = [...spans].sort(compareSpans).map((span) => {
      const item = document.createElement("li");
      item.dataset.span = span.id;
      const covered = document.createElement("span");
      covered.className = "span-covered";
      covered.addEventListener("click", () => {
        goldMarker.clearPending({ dom: true });
        editor.select(span.id, { scroll: true });
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
      remove.addEventListener("click", () => store.do({ type: "remove", id: span.id }));
      item.append(chip(span.label), covered, support, remove);
      return item;
    });
    if (items.length === 0) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = S.no_spans;
      items.push(empty);
    }
    $("gold-spans").replaceChildren(...items);
    showSelectedSpan();
    renderSpanPanel();
    renderStance();
  }

  function renderStance() {
    const stance = store.content.document_labels.stance;
    const rows = (schema.stance_targets || [])
      .filter((t) => !t.retired || stance[t.key])
      .map((target) => {
        const label = document.createElement("label");
        const name = document.createElement("span");
        name.textContent = target.name || target.key;
        const select = document.createElement("select");
        select.name = `stance-${target.key}`;
        for (const value of ["", ...(schema.stance_values || [])]) {
          select.append(option(value, value ? valueName(value) : S.none));
        }
        select.value = stance[target.key] || "";
        select.addEventListener("change", () => {
          const decision = `stance:${target.key}`;
          const settle = { type: "settle", decision, value: select.value || null };
          store.do({ type: "batch", ops: [stanceOp(target.key, select.value), settle] });
        });
        label.append(name, select);
        return label;
      });
    $("stance-panel").replaceChildren(...rows);
  }

  function covered(text) {
    const element = document.createElement("span");
    element.className = "decision-text";
    element.lang = "ar";
    element.dir = "rtl";
    element.textContent = text;
    return element;
  }

  function decisionTitle(decision) {
    const head = document.createElement("div");
    head.className = "decision-head";
    const reason = document.createElement("strong");
    reason.textContent = S[decision.reason] || decision.reason;
    head.append(reason);
    if (decision.difference) {
      const kind = document.createElement("span");
      kind.className = `diff-chip diff-${decision.difference}`;
      kind.textContent = S[`kind_${decision.difference}`] || decision.difference;
      head.append(kind);
    }
    if (decision.kind === "span") {
      head.append(chip(decision.span.label), covered(decision.span.text));
    } else if (decision.kind === "attribute") {
      const span = knownSpan(decision.span_id);
      const what = document.createElement("span");
      what.textContent = S[decision.attribute] || decision.attribute;
      head.append(what);
      if (span) head.append(covered(span.text));
    } else {
      const target = (schema.stance_targets || []).find((t) => t.key === decision.target);
      const what = document.createElement("span");
      what.textContent = (target && target.name) || decision.target;
      head.append(what);
    }
    return head;
  }

  function renderDecisions() {
    const items = data.decisions.map((decision) => {
      const item = document.createElement("li");
      item.className = "decision";
      item.dataset.decision = decision.id;
      item.id = `decision-${decision.id}`;
      if (targeted && targeted.id === decision.id) {
        item.classList.add("targeted");
        item.setAttribute("aria-current", "true");
      }
      const current = currentValue(store.content, decision);
      const open = isOpen(decision);
      item.dataset.state = open ? "open" : "decided";
      const options = document.createElement("div");
      options.className = "options";
      const disabled = decision.kind === "attribute" && current === undefined;
      for (const choice of decision.options) {
        const button = document.createElement("button");
        button.type = "button";
        const accept = choice.value === "accept" ? S.accept : S.reject;
        button.textContent = decision.kind === "span" ? accept : valueText(choice.value);
        button.dataset.value = JSON.stringify(choice.value);
        const pressed = !open && sameValue(current, choice.value);
        button.setAttribute("aria-pressed", pressed ? "true" : "false");
        const suggested = open && sameValue(decision.suggestion, choice.value);
        if (suggested) {
          button.classList.add("suggested");
          button.title = S.suggested;
        }
        button.disabled = disabled;
        button.addEventListener("click", () => {
          store.do(decisionOp(store.content, decision, choice.value));
        });
        const who = document.createElement("span");
        who.className = "who";
        who.textContent = choice.annotators.length ? `${S.by} ${choice.annotators.join(", ")}` : "";
        const wrap = document.createElement("span");
        wrap.append(button, " ", who);
        if (suggested) {
          const note = document.createElement("span");
          note.className = "suggested-note";
          note.textContent = `(${S.suggested})`;
          wrap.append(" ", note);
        }
        options.append(wrap);
      }
      item.append(decisionTitle(decision), options);
      return item;
    });
    $("decisions").replaceChildren(...items);
    const open = data.decisions.filter(isOpen).length;
    $("open-count").textContent = open ? plural(data.plurals.open_left, open) : S.all_decided;
  }

  function renderAnnotators() {
    for (const annotation of data.annotations) {
      const selector = `[data-annotation="${annotation.id}"]`;
      const container = document.querySelector(`.annotator-text${selector}`);
      if (container) drawSpans(container, annotation.content.spans || []);
      const list = document.querySelector(`.annotator-stance${selector}`);
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
    $("undo-button").disabled = !store.canUndo;
    $("redo-button").disabled = !store.canRedo;
  }

  // The decision the page was opened for: in view, its first choice focused, its span
  // selected in the gold when the gold has it.
  function showTargeted(decision) {
    const item = document.querySelector(`[data-decision="${CSS.escape(decision.id)}"]`);
    if (!item) return;
    const spanId = decision.kind === "span" ? decision.span.id : decision.span_id;
    if (spanId && store.spanById(spanId)) editor.select(spanId, { scroll: false });
    item.scrollIntoView({ block: "center" });
    const first = item.querySelector("button:not([disabled])");
    if (first) first.focus({ preventScroll: true });
  }

  // ---- saving ----------------------------------------------------------------------------

  function showState(message, state) {
    const element = $("save-state");
    element.textContent = message;
    element.dataset.state = state;
  }

  function showUnsaved() {
    if (store.unsaved) showState(S.unsaved || "", "unsaved");
    else showState("", "saved");
  }

  // What goes to the server: relations only between spans that are there.
  function contentToSave() {
    const content = store.content;
    const ids = new Set(content.spans.map((s) => s.id));
    return {
      spans: [...content.spans].sort(compareSpans),
      relations: content.relations.filter((r) => ids.has(r.from) && ids.has(r.to)),
      document_labels: { stance: { ...content.document_labels.stance } },
    };
  }

  async function save() {
    const button = $("save-gold");
    button.disabled = true;
    showState(S.saving, "saving");
    const revision = store.revision;
    try {
      const { data: gold } = await apiFetch(data.urls.gold, {
        method: "PUT",
        body: { version, content: contentToSave() },
      });
      version = gold.version;
      store.markSaved(revision, gold.content);
      if (store.unsaved) showUnsaved(); // changed while saving
      else showState(format(S.saved, { version }), "saved");
      $("gold-version").textContent = "";
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        const current = error.body.current_version;
        $("conflict-text").textContent = format(S.conflict, { version: current });
        $("conflict-banner").hidden = false;
        showState("", "conflict");
      } else if (error instanceof ApiError) {
        const detail = error.field ? `${error.field}: ${error.detail}` : error.detail;
        showState(format(S.error, { detail }), "error");
      } else if (error instanceof NetworkError) {
        showState(S.offline, "offline");
      } else {
        throw error;
      }
    } finally {
      button.disabled = false;
    }
  }

  store.onChange((reason) => {
    if (reason === "undo" || reason === "redo") {
      if (goldMarker.pending) goldMarker.clearPending({ dom: true });
    }
    if (reason !== "saved") showUnsaved();
    render();
  });
  $("save-gold").addEventListener("click", save);
  $("reload-button").addEventListener("click", () => window.location.reload());
  if (data.urls.next) {
    const next = $("next-article");
    next.href = data.urls.next;
    next.hidden = false;
  }
  // Leaving with unsaved gold asks first.
  window.addEventListener("beforeunload", (event) => {
    if (store.unsaved) event.preventDefault();
  });
  renderPalette();
  wireMarking();
  renderAnnotators();
  render();
  if (targeted) showTargeted(targeted);
  root.dataset.ready = "true";
  return { store, editor, marker: goldMarker };
}
