// The RTL marking component shared by the annotation page and the adjudication page: draws an
// article with its spans (segments, stacked underlines, label tags, colours as CSS custom
// properties), turns a DOM selection into code-point offsets (offsets.js) snapped to words
// with clitics and combining marks respected (text.js), keeps the selection waiting for a
// label and finds the spans under a click. Which key marks with which label is keys.js's.
//
// What a page does with a marked range or a clicked span (its store, its panels, saving) stays
// in the page: the component reports through callbacks. All text goes in through text nodes.

import { OffsetMap } from "./offsets.js";
import { innermost, layoutSegments } from "./spans.js";
import { TextModel } from "./text.js";

export const MAX_LEVEL = 5; // underline levels the stylesheet draws (0..5)

// ---- the component ---------------------------------------------------------------------

export class Marker {
  // container: the element holding the article text (lang="ar" dir="rtl").
  // options: text; labels {key: {name, color}}; claimLabel; articleClitic;
  //          onPending(range|null) when the selection waiting for a label changes.
  constructor(container, options) {
    this.container = container;
    this.text = options.text;
    this.labels = options.labels || {};
    this.claimLabel = options.claimLabel || "CLAIM";
    this.offsets = options.offsets || new OffsetMap(this.text);
    this.model =
      options.model || new TextModel(this.text, { articleClitic: options.articleClitic !== false });
    this.onPending = options.onPending || (() => {});
    this.pending = null; // {start, end} in code points, waiting for a label
    this.keyboard = null; // {anchor, focus} while Shift+arrows build a selection
    this.mouseDown = false;
    this.renderedSpans = null;
    this.levels = new Map();
    this.textNodes = [];
    this.nodeStarts = new Int32Array(0);
    this.nodeStartOf = new Map();
    this.elementsBySpan = new Map();
    this.highlighted = [];
  }

  labelName(key) {
    return (this.labels[key] && this.labels[key].name) || key;
  }

  labelColor(key) {
    return (this.labels[key] && this.labels[key].color) || "#888888";
  }

  // ---- drawing ----

  render(spans) {
    const { offsets, text } = this;
    this.renderedSpans = spans;
    const spans16 = spans.map((s) => ({
      id: s.id,
      label: s.label,
      start: offsets.toUtf16(s.start),
      end: offsets.toUtf16(s.end),
    }));
    const byId = new Map(spans16.map((s) => [s.id, s]));
    const layout = layoutSegments(spans16, text.length);
    const levels = layout.levels;
    this.levels = levels;
    const fragment = document.createDocumentFragment();
    const nodes = [];
    const starts = [];
    const elementsBySpan = new Map();
    for (const segment of layout.segments) {
      const node = document.createTextNode(text.slice(segment.start, segment.end));
      nodes.push(node);
      starts.push(segment.start);
      if (segment.spans.length === 0) {
        fragment.append(node);
      } else {
        const seg = document.createElement("span");
        seg.className = "seg";
        seg.append(node);
        let entity = false;
        const covering = [];
        for (const id of segment.spans) {
          const span = byId.get(id);
          covering.push(span);
          const level = Math.min(levels.get(id), MAX_LEVEL);
          seg.style.setProperty(`--u${level}`, this.labelColor(span.label));
          if (span.label !== this.claimLabel) entity = true;
          if (!elementsBySpan.has(id)) elementsBySpan.set(id, []);
          elementsBySpan.get(id).push(seg);
        }
        seg.style.setProperty("--fill", `${this.labelColor(innermost(covering, levels).label)}30`);
        if (entity) seg.classList.add("entity");
        seg.dataset.spans = segment.spans.join(" ");
        fragment.append(seg);
      }
      for (const id of segment.ends) {
        const span = byId.get(id);
        const tag = document.createElement("span");
        tag.className = "tag";
        tag.dataset.span = id;
        tag.dataset.name = this.labelName(span.label);
        tag.style.setProperty("--tag", this.labelColor(span.label));
        elementsBySpan.get(id).push(tag);
        fragment.append(tag);
      }
    }
    const depth = Math.max(1, Math.min(layout.depth, MAX_LEVEL + 1));
    this.container.style.setProperty("--depth", String(depth));
    this.container.replaceChildren(fragment);
    this.textNodes = nodes;
    this.nodeStarts = Int32Array.from(starts);
    this.nodeStartOf = new Map(nodes.map((node, k) => [node, starts[k]]));
    this.elementsBySpan = elementsBySpan;
    this.highlighted = [];
  }

  // marks: [[spanId, className], ...]; the previous marks are cleared.
  highlight(marks) {
    for (const [element, cls] of this.highlighted) element.classList.remove(cls);
    this.highlighted = [];
    for (const [id, cls] of marks) {
      for (const element of this.elementsBySpan.get(id) || []) {
        element.classList.add(cls);
        this.highlighted.push([element, cls]);
      }
    }
  }

  scrollTo(id) {
    const first = (this.elementsBySpan.get(id) || [])[0];
    if (first) first.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  // Ids of the spans under a clicked element: the tag's span, or every span of the segment.
  spanIdsAt(target) {
    if (!target || !target.closest) return [];
    const tag = target.closest(".tag");
    if (tag && this.container.contains(tag)) return tag.dataset.span ? [tag.dataset.span] : [];
    const seg = target.closest(".seg");
    if (!seg || !this.container.contains(seg)) return [];
    return seg.dataset.spans.split(" ");
  }

  // ---- DOM positions <-> offsets ----

  // UTF-16 offset into the article of a DOM boundary point inside it.
  boundaryOffset(container, offset) {
    if (container.nodeType === Node.TEXT_NODE) {
      const start = this.nodeStartOf.get(container);
      if (start !== undefined) return start + offset;
    }
    const range = document.createRange();
    range.setStart(this.container, 0);
    range.setEnd(container, offset);
    return range.toString().length;
  }

  // The DOM selection as UTF-16 offsets into the article, or null when it holds no article text.
  selectionOffsets() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(this.container)) return null;
    const inside = (node) => this.container.contains(node);
    const start = inside(range.startContainer)
      ? this.boundaryOffset(range.startContainer, range.startOffset)
      : 0;
    const end = inside(range.endContainer)
      ? this.boundaryOffset(range.endContainer, range.endOffset)
      : this.text.length;
    return start < end ? { start, end } : null;
  }

  // The code point where a collapsed selection (a click) sits in the article, or null.
  caret() {
    const selection = window.getSelection();
    if (!selection || !selection.anchorNode || !this.container.contains(selection.anchorNode)) {
      return null;
    }
    const offset16 = this.boundaryOffset(selection.anchorNode, selection.anchorOffset);
    return this.offsets.toCodePoint(offset16, "start");
  }

  // UTF-16 offsets -> a code-point range snapped to words (or exact characters), or null.
  snap(start16, end16, exact) {
    const start = this.offsets.toCodePoint(start16, "start");
    const end = this.offsets.toCodePoint(end16, "end");
    return this.model.snap(start, end, { exact });
  }

  // A DOM point for a UTF-16 offset: in the text node that starts there (atStart) or ends there.
  domPoint(offset16, atStart) {
    const starts = this.nodeStarts;
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] <= offset16) lo = mid + 1;
      else hi = mid;
    }
    let k = Math.max(0, lo - 1);
    if (!atStart && k > 0 && starts[k] === offset16) k -= 1;
    return { node: this.textNodes[k], offset: offset16 - starts[k] };
  }

  showDomSelection(start, end) {
    if (this.textNodes.length === 0) return;
    const a = this.domPoint(this.offsets.toUtf16(start), true);
    const b = this.domPoint(this.offsets.toUtf16(end), false);
    window.getSelection().setBaseAndExtent(a.node, a.offset, b.node, b.offset);
  }

  clearDomSelection() {
    const selection = window.getSelection();
    if (selection && selection.rangeCount && this.container.contains(selection.anchorNode)) {
      selection.removeAllRanges();
    }
  }

  // ---- the selection waiting for a label ----

  setPending(range, { keepKeyboard = false } = {}) {
    if (!range) {
      this.clearPending();
      return;
    }
    this.pending = range;
    if (!keepKeyboard) this.keyboard = { anchor: range.start, focus: range.end };
    this.showDomSelection(range.start, range.end);
    this.onPending(this.pending);
  }

  clearPending({ dom = false } = {}) {
    this.pending = null;
    this.keyboard = null;
    if (dom) this.clearDomSelection();
    this.onPending(null);
  }

  pendingText() {
    return this.pending ? this.offsets.slice(this.pending.start, this.pending.end) : "";
  }

  // Whether the pending selection starts on a proclitic that can be kept or dropped.
  canCycleClitic() {
    return Boolean(this.pending) && this.model.cliticStarts(this.pending.start, this.pending.end).length > 1;
  }

  cycleClitic() {
    if (!this.pending) return false;
    const start = this.model.cycleClitic(this.pending.start, this.pending.end);
    if (start === this.pending.start) return false;
    this.setPending({ start, end: this.pending.end });
    return true;
  }

  // Shift+arrow: grow or shrink the selection by a word (or a character when exact); a new
  // keyboard selection starts at `from`. Returns the new pending range, or null.
  extend(forward, exact, from) {
    if (!this.keyboard || !this.pending) this.keyboard = { anchor: from, focus: from };
    const ks = this.keyboard;
    const model = this.model;
    if (forward) ks.focus = exact ? model.nextCluster(ks.focus) : model.nextWordEnd(ks.focus);
    else ks.focus = exact ? model.previousCluster(ks.focus) : model.previousWordStart(ks.focus);
    const range = model.snap(Math.min(ks.anchor, ks.focus), Math.max(ks.anchor, ks.focus), {
      exact,
    });
    if (!range) {
      this.pending = null;
      this.clearDomSelection();
      this.onPending(null);
      return null;
    }
    this.setPending(range, { keepKeyboard: true });
    return range;
  }

  // A new span's document for the pending range (attributes per label kind).
  spanFor(range, label, id) {
    return {
      id,
      start: range.start,
      end: range.end,
      label,
      text: this.offsets.slice(range.start, range.end),
      attributes: label === this.claimLabel ? { checkworthy: null, claimant: null, stance: null } : {},
    };
  }

  // ---- mouse wiring ----

  // Mouse selection in the article. hooks: readonly() -> bool; exact(event) -> bool;
  // select(range) before a new range becomes pending; click(event, caret) for a click.
  attachMouse(hooks) {
    const readonly = hooks.readonly || (() => false);
    this.container.addEventListener("mousedown", (event) => {
      if (event.button === 0) this.mouseDown = true;
    });
    document.addEventListener("mouseup", (event) => {
      if (!this.mouseDown) return;
      this.mouseDown = false;
      const range16 = this.selectionOffsets();
      if (!range16) {
        if (this.container.contains(event.target)) hooks.click(event, this.caret());
        return;
      }
      if (readonly()) return;
      const range = this.snap(range16.start, range16.end, hooks.exact(event));
      if (range) {
        if (hooks.select) hooks.select(range);
        this.setPending(range);
      } else {
        this.clearPending({ dom: true });
      }
    });
    document.addEventListener("selectionchange", () => {
      if (this.mouseDown || !this.pending) return;
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed) {
        this.pending = null;
        this.keyboard = null;
        this.onPending(null);
      }
    });
  }
}

export function createMarker(container, options) {
  return new Marker(container, options);
}
