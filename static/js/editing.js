// Editing a document's spans and stance, shared by the annotation and adjudication pages.
//
// The functions at the top are pure: given the document (store.js's content) they return the
// store operation for an edit, or null when there is nothing to do. SpanEditor carries out the
// edits a reviewer or annotator makes with the keyboard and mouse (mark the selection with a
// label, relabel, delete, set a claim's claimant and attributes, undo, redo) on a store, with
// the span selected in the page and a short message for each; drawing stays in the page.

import { compareSpans } from "./spans.js";
import { newSpanId } from "./store.js";

const EMPTY_CLAIM = Object.freeze({ checkworthy: null, claimant: null, stance: null });

function spanIn(content, id) {
  return content.spans.find((s) => s.id === id) || null;
}

// Another span over the same text with the same label (two are never stored), or null.
export function twinOf(content, { id = null, start, end, label }) {
  return (
    content.spans.find(
      (s) => s.id !== id && s.start === start && s.end === end && s.label === label,
    ) || null
  );
}

// Giving span `id` another label. A claim that becomes an entity loses its claimant; an
// entity that becomes a claim is no longer any claim's claimant; a new claim starts with its
// attributes unset and an entity has none.
export function relabelOp(content, id, label, claimLabel) {
  const span = spanIn(content, id);
  if (!span || span.label === label) return null;
  const wasClaim = span.label === claimLabel;
  const isClaim = label === claimLabel;
  const ops = [];
  if (wasClaim && !isClaim) {
    ops.push({ type: "relation", relation: "claimant", from: id, to: null });
  }
  if (!wasClaim && isClaim) {
    for (const relation of content.relations.filter((r) => r.to === id)) {
      ops.push({ type: "relation", relation: relation.type, from: relation.from, to: null });
    }
  }
  const attributes = isClaim ? (wasClaim ? span.attributes : { ...EMPTY_CLAIM }) : {};
  ops.push({ type: "update", id, label, attributes });
  return { type: "batch", ops };
}

// A claim's claimant as decisions name it: {span: id} for an entity span, else the value of
// its claimant attribute ("author", "unattributed") or null.
export function claimantOf(content, claim) {
  const relation = content.relations.find((r) => r.type === "claimant" && r.from === claim.id);
  return relation ? { span: relation.to } : (claim.attributes.claimant ?? null);
}

// Setting a claim's claimant: an entity span ({span: id}) is a relation, anything else the
// claimant attribute. Only one of the two is ever set.
export function claimantOp(content, claimId, claimant) {
  const claim = spanIn(content, claimId);
  if (!claim) return null;
  const isSpan = Boolean(claimant) && typeof claimant === "object";
  const attributes = { ...claim.attributes, claimant: isSpan ? null : claimant || null };
  return {
    type: "batch",
    ops: [
      { type: "update", id: claimId, attributes },
      { type: "relation", relation: "claimant", from: claimId, to: isSpan ? claimant.span : null },
    ],
  };
}

// Changing some of a span's attributes (a claim's check-worthiness or stance).
export function attributesOp(content, id, changes) {
  const span = spanIn(content, id);
  return span ? { type: "update", id, attributes: { ...span.attributes, ...changes } } : null;
}

// The article's stance towards a target; an empty value unsets it.
export function stanceOp(target, value) {
  return { type: "stance", target, value: value === "" || value === undefined ? null : value };
}

// The claimant a claimant <select> names: "span:<id>" for an entity span, else a value.
export function claimantFromChoice(choice) {
  return choice.startsWith("span:") ? { span: choice.slice(5) } : choice || null;
}

// The spans under a click, innermost first; clicking the selected one again means the next
// one out.
export function clickedSpan(candidates, selectedId) {
  if (candidates.length === 0) return null;
  const ordered = [...candidates].sort(
    (a, b) => a.end - a.start - (b.end - b.start) || compareSpans(a, b),
  );
  const current = ordered.findIndex((s) => s.id === selectedId);
  return ordered[(current + 1) % ordered.length];
}

// ---- the editor ----------------------------------------------------------------------------

export class SpanEditor {
  // store: a DocumentStore. marker: the article's Marker (marking.js). strings: interface
  // text. flash(message): shows a short message. readonly() -> bool. onSelect(id, options):
  // draws the selection (id null: none) after it changed or its panel needs drawing again.
  constructor({ store, marker, strings, flash, readonly = () => false, onSelect = () => {} }) {
    this.store = store;
    this.marker = marker;
    this.strings = strings;
    this.flash = flash;
    this.readonly = readonly;
    this.onSelect = onSelect;
    this.selectedId = null;
    this.cursor = 0; // the code point where a keyboard selection starts when no span is selected
  }

  get selected() {
    return this.selectedId ? this.store.spanById(this.selectedId) : null;
  }

  // options: {scroll: true} brings the span into view (the page's onSelect does it).
  select(id, options = {}) {
    this.selectedId = id && this.store.spanById(id) ? id : null;
    const span = this.selected;
    if (span) this.cursor = span.start;
    this.onSelect(this.selectedId, options);
  }

  // Show the selection in the article: the selected span, and a selected claim's claimant.
  highlightSelection() {
    const marks = [];
    if (this.selectedId) {
      marks.push([this.selectedId, "selected"]);
      const relation = this.store.relationFrom(this.selectedId);
      if (relation) marks.push([relation.to, "is-claimant"]);
    }
    this.marker.highlight(marks);
  }

  // A label key or button: mark the selection waiting for a label, else relabel the
  // selected span.
  applyLabel(label) {
    if (this.readonly()) return;
    if (this.marker.pending) this.mark(label);
    else if (this.selectedId) this.changeLabel(this.selectedId, label);
    else this.flash(this.strings.select_first);
  }

  mark(label) {
    const range = this.marker.pending;
    if (!range) {
      this.flash(this.strings.select_first);
      return;
    }
    const twin = twinOf(this.store.content, { ...range, label });
    this.marker.clearPending({ dom: true });
    this.cursor = range.end;
    if (twin) {
      this.flash(this.strings.already_marked);
      this.select(twin.id);
      return;
    }
    const span = this.marker.spanFor(range, label, newSpanId());
    this.selectedId = span.id;
    this.store.do({ type: "add", span });
    this.flash(`${this.strings.marked}: ${this.marker.labelName(label)}`);
  }

  changeLabel(id, label) {
    if (this.readonly()) return;
    const content = this.store.content;
    const span = this.store.spanById(id);
    if (!span || span.label === label) return;
    if (twinOf(content, { ...span, label })) {
      this.flash(this.strings.already_marked);
      this.onSelect(this.selectedId, {}); // the label menu shows the span's label again
      return;
    }
    this.store.do(relabelOp(content, id, label, this.marker.claimLabel));
    this.flash(`${this.strings.label_changed}: ${this.marker.labelName(label)}`);
  }

  deleteSelected() {
    if (this.readonly()) return;
    const span = this.selected;
    if (!span) {
      this.flash(this.strings.nothing_selected);
      return;
    }
    this.selectedId = null;
    this.cursor = span.start;
    this.store.do({ type: "remove", id: span.id });
    this.flash(this.strings.deleted);
  }

  // choice: what a claimant menu offers, "span:<id>" for an entity span or a value.
  setClaimant(claimId, choice) {
    if (this.readonly() || !this.isClaim(claimId)) return;
    const claimant = claimantFromChoice(choice);
    if (claimant && typeof claimant === "object" && !this.isEntity(claimant.span)) {
      this.flash(this.strings.pick_entity_only);
      return;
    }
    this.store.do(claimantOp(this.store.content, claimId, claimant));
  }

  updateClaim(claimId, changes) {
    if (this.readonly() || !this.isClaim(claimId)) return;
    this.store.do(attributesOp(this.store.content, claimId, changes));
  }

  isClaim(id) {
    const span = this.store.spanById(id);
    return Boolean(span) && span.label === this.marker.claimLabel;
  }

  isEntity(id) {
    const span = this.store.spanById(id);
    return Boolean(span) && span.label !== this.marker.claimLabel;
  }

  // Shift+arrow: grow or shrink the selection waiting for a label by a word (exact: by a
  // character), starting next to the selected span (after it going forward) or at the cursor.
  extendSelection(forward, exact) {
    if (this.readonly()) return;
    const span = this.selected;
    const from = span ? (forward ? span.end : span.start) : this.cursor;
    const range = this.marker.extend(forward, exact, from);
    if (range && this.selectedId) this.select(null);
  }

  // The spans under a clicked element in the article, as documents.
  spansAt(target) {
    return this.marker
      .spanIdsAt(target)
      .map((id) => this.store.spanById(id))
      .filter(Boolean);
  }

  // A click in the article that selected no text: select the span under it, or none.
  clickSelect(target) {
    const span = clickedSpan(this.spansAt(target), this.selectedId);
    this.select(span ? span.id : null);
  }

  undo() {
    if (this.readonly()) return;
    this.flash(this.store.undo() ? this.strings.undone : this.strings.nothing_to_undo);
  }

  redo() {
    if (this.readonly()) return;
    this.flash(this.store.redo() ? this.strings.redone : this.strings.nothing_to_redo);
  }
}
