// Suggestions on the annotation page: spans the project's recommenders propose, drawn apart
// from the annotator's own (a dashed underline through the CSS Custom Highlight API, so the
// article's DOM and the marking component stay untouched) and counted nowhere until
// accepted. Keys: ] / [ focus the next / previous suggestion, a accepts it, r rejects it,
// Shift+A accepts every suggestion with its label. A label whose shortcut is one of these
// letters keeps its key (the page handles it first).
//
// Accepting adds the span to the annotation (one undoable change, saved like any other) and
// tells the server which recommender it came from; rejecting tells the server, which stops
// suggesting it to this annotator and counts it at the next training. Suggestions load after
// the page is ready, so they never delay it. Text goes in through textContent only.

import { apiFetch } from "./api.js";
import { stanceOp } from "./editing.js";
import { $, format } from "./page.js";
import { newSpanId } from "./store.js";

// ---- pure helpers ------------------------------------------------------------------------

const spanKey = (s) => `${s.start}|${s.end}|${s.label}`;

// Suggestions not yet in the annotation (same start, end and label), in text order.
export function openSuggestions(suggestions, spans) {
  const taken = new Set(spans.map(spanKey));
  return suggestions
    .filter((s) => !taken.has(spanKey(s)))
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.label < b.label ? -1 : 1));
}

// The suggestion command a keydown asks for, or null: next, previous, accept, reject,
// accept-label. Never inside a text field or a dialog, never with Ctrl, Cmd or Alt.
export function suggestionCommand(event) {
  if (event.defaultPrevented || event.isComposing) return null;
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target;
  if (target && target.closest) {
    if (target.closest("dialog, textarea, select, [contenteditable]")) return null;
    const input = target.closest("input");
    if (input && !["radio", "checkbox", "button", "submit"].includes(input.type)) return null;
  }
  // The physical key, so an Arabic layout works too (ش on A, ق on R, ج / د on the brackets).
  switch (event.code || "") {
    case "BracketRight":
      return "next";
    case "BracketLeft":
      return "previous";
    case "KeyA":
      return event.shiftKey ? "accept-label" : "accept";
    case "KeyR":
      return event.shiftKey ? null : "reject";
    default:
      break;
  }
  switch (event.key) {
    case "]":
      return "next";
    case "[":
      return "previous";
    case "a":
      return "accept";
    case "A":
      return "accept-label";
    case "r":
      return "reject";
    default:
      return null;
  }
}

// ---- the layer -------------------------------------------------------------------------

export class SuggestionLayer {
  // options: marker, store, editor, urls {suggestions, reject, accept}, strings, flash,
  // readonly() -> bool, root (the element the panel is drawn in).
  constructor(options) {
    Object.assign(this, options);
    this.all = [];
    this.items = [];
    this.focused = -1;
    this.supported = typeof CSS !== "undefined" && "highlights" in CSS;
  }

  async load() {
    const { data } = await apiFetch(this.urls.suggestions);
    this.all = data.suggestions || [];
    this.stance = data.stance || [];
    this.refresh();
  }

  // A stance suggestion under each target not set yet: "Suggested: Against (87%)" and a
  // button that sets it (an ordinary, undoable stance change).
  renderStance() {
    const given = this.store.content.document_labels.stance;
    for (const old of document.querySelectorAll(".stance-suggestion")) old.remove();
    for (const item of this.stance || []) {
      if (item.target in given) continue;
      const fieldset = document.querySelector(
        `#stance-panel fieldset[data-target="${CSS.escape(item.target)}"]`,
      );
      if (!fieldset) continue;
      const line = document.createElement("p");
      line.className = "stance-suggestion muted";
      const name = (this.valueNames && this.valueNames[item.value]) || item.value;
      line.textContent = `${format(this.strings.stance_suggested, {
        value: name,
        score: Math.round(item.score * 100),
      })} `;
      const use = document.createElement("button");
      use.type = "button";
      use.textContent = this.strings.stance_use;
      use.disabled = this.readonly();
      use.addEventListener("click", () => this.store.do(stanceOp(item.target, item.value)));
      line.append(use);
      fieldset.append(line);
    }
  }

  // Recompute what is open after the annotation changed, and draw it.
  refresh() {
    const focusedKey = this.current ? spanKey(this.current) : null;
    this.items = openSuggestions(this.all, this.store.content.spans);
    const again = focusedKey ? this.items.findIndex((s) => spanKey(s) === focusedKey) : -1;
    this.focused = again >= 0 ? again : Math.min(this.focused, this.items.length - 1);
    this.draw();
    this.renderPanel();
    this.renderStance();
  }

  get current() {
    return this.items[this.focused] || null;
  }

  range(suggestion) {
    const { marker } = this;
    if (marker.textNodes.length === 0) return null;
    const a = marker.domPoint(marker.offsets.toUtf16(suggestion.start), true);
    const b = marker.domPoint(marker.offsets.toUtf16(suggestion.end), false);
    const range = new Range();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    return range;
  }

  draw() {
    if (!this.supported) return;
    const ranges = this.items.map((s) => this.range(s)).filter(Boolean);
    CSS.highlights.set("suggestion", new Highlight(...ranges));
    const current = this.current && this.range(this.current);
    if (current) CSS.highlights.set("suggestion-focus", new Highlight(current));
    else CSS.highlights.delete("suggestion-focus");
  }

  renderPanel() {
    const S = this.strings;
    const panel = this.root;
    panel.hidden = this.all.length === 0 && this.items.length === 0;
    $("suggestion-count").textContent = format(S.suggestion_count, { count: this.items.length });
    const current = this.current;
    $("suggestion-current").hidden = !current;
    for (const id of ["suggestion-accept", "suggestion-reject", "suggestion-accept-label"]) {
      $(id).disabled = !current || this.readonly();
    }
    if (!current) return;
    $("suggestion-text").textContent = current.text;
    $("suggestion-label").textContent = this.marker.labelName(current.label);
    // The recommender's name (gazetteer@3) is Latin: isolated, so RTL text keeps it whole.
    const source = document.createElement("bdi");
    source.dir = "ltr";
    source.textContent = current.recommender;
    const score = $("suggestion-score");
    score.textContent = format(S.suggestion_score, {
      score: Math.round(current.score * 100),
      recommender: "",
    });
    score.append(source);
    $("suggestion-accept-label").textContent = format(S.suggestion_accept_label, {
      label: this.marker.labelName(current.label),
      count: this.items.filter((s) => s.label === current.label).length,
    });
  }

  move(forward) {
    if (this.items.length === 0) {
      this.flash(this.strings.no_suggestions);
      return;
    }
    if (this.focused < 0) {
      const cursor = this.editor.cursor || 0;
      const after = this.items.findIndex((s) => s.start >= cursor);
      this.focused = forward ? Math.max(after, 0) : (after > 0 ? after : this.items.length) - 1;
    } else {
      const n = this.items.length;
      this.focused = (this.focused + (forward ? 1 : n - 1)) % n;
    }
    this.draw();
    this.renderPanel();
    const current = this.current;
    const range = this.range(current);
    if (range) {
      const node = range.startContainer.parentElement;
      if (node) node.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
    this.flash(`${this.marker.labelName(current.label)}: ${current.text}`);
  }

  accept(suggestions) {
    if (this.readonly() || suggestions.length === 0) return;
    const spans = suggestions.map((s) =>
      this.marker.spanFor({ start: s.start, end: s.end }, s.label, newSpanId()),
    );
    const op = spans.length === 1 ? { type: "add", span: spans[0] } : { type: "batch", ops: spans.map((span) => ({ type: "add", span })) };
    this.store.do(op);
    if (this.urls.accept) {
      const body = {
        spans: spans.map((span, k) => ({
          span_id: span.id,
          start: span.start,
          end: span.end,
          label: span.label,
          recommender: suggestions[k].recommender,
        })),
      };
      apiFetch(this.urls.accept, { method: "POST", body }).catch(() => {});
    }
    this.flash(format(this.strings.suggestions_accepted, { count: spans.length }));
  }

  acceptCurrent() {
    if (this.current) this.accept([this.current]);
    else this.flash(this.strings.no_suggestion_focused);
  }

  acceptLabel() {
    const current = this.current;
    if (!current) {
      this.flash(this.strings.no_suggestion_focused);
      return;
    }
    this.accept(this.items.filter((s) => s.label === current.label));
  }

  async rejectCurrent() {
    const current = this.current;
    if (!current || this.readonly()) {
      if (!current) this.flash(this.strings.no_suggestion_focused);
      return;
    }
    this.all = this.all.filter((s) => s !== current);
    this.refresh();
    this.flash(this.strings.suggestion_rejected);
    const body = {
      start: current.start,
      end: current.end,
      label: current.label,
      recommender: current.recommender,
    };
    try {
      await apiFetch(this.urls.reject, { method: "POST", body });
    } catch {
      this.flash(this.strings.suggestion_reject_failed);
    }
  }

  run(command) {
    if (command === "next") this.move(true);
    else if (command === "previous") this.move(false);
    else if (command === "accept") this.acceptCurrent();
    else if (command === "accept-label") this.acceptLabel();
    else if (command === "reject") this.rejectCurrent();
  }
}

// Start the layer on the annotation page; loads the suggestions when the browser is idle.
export function attachSuggestions(options) {
  const root = $("suggestion-panel");
  if (!root || !options.urls.suggestions) return null;
  const layer = new SuggestionLayer({ ...options, root });
  options.store.onChange(() => layer.refresh());
  document.addEventListener("keydown", (event) => {
    if (layer.all.length === 0) return;
    const command = suggestionCommand(event);
    if (!command) return;
    event.preventDefault();
    layer.run(command);
  });
  $("suggestion-next").addEventListener("click", () => layer.move(true));
  $("suggestion-accept").addEventListener("click", () => layer.acceptCurrent());
  $("suggestion-reject").addEventListener("click", () => layer.rejectCurrent());
  $("suggestion-accept-label").addEventListener("click", () => layer.acceptLabel());
  // Marking the article re-renders its text nodes: the highlights follow the store's change.
  const idle = window.requestIdleCallback || ((callback) => setTimeout(callback, 0));
  idle(() =>
    layer
      .load()
      .then(() => {
        root.dataset.ready = "true";
        performance.mark("suggestions-ready");
      })
      .catch(() => {
        root.dataset.ready = "failed";
      }),
  );
  return layer;
}
