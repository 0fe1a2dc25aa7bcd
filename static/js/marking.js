// The RTL marking component shared by the annotation page and the adjudication page: draws an
// article with its spans (segments, stacked underlines, label tags, colours as CSS custom
// properties), turns a DOM selection into code-point offsets (offsets.js) snapped to words
// with clitics and combining marks respected (text.js), keeps the selection waiting for a
// label and finds the spans under a click. Which key marks with which label is keys.js's.
//
// What a page does with a marked range or a clicked span (its store, its panels, saving) stays
// in the page: the component reports through callbacks. All text goes in through text nodes.

import { OffsetMap } from "./offsets.js";
import { fillColor, labelStyle, underlineImage } from "./palette.js";
import { innermost, layoutSegments } from "./spans.js";
import { TextModel } from "./text.js";

export const MAX_LEVEL = 5; // underline levels the stylesheet draws (0..5)
// How long a selection made without a mouse button (touch handles, Ctrl+A) must stay still
// before it becomes the selection waiting for a label.
export const SELECTION_SETTLE_MS = 250;

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
    this.pointerType = null;
    this.lastExact = false;
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
    return this.labelStyle(key).color;
  }

  // {color, ink, line}: the label's colour, its tag's ink and its underline style.
  labelStyle(key) {
    return labelStyle(this.labels[key]);
  }

  // Text nodes for text16[start:end], appended to `parent`: a run of line breaks becomes its
  // own block element (.para-break), so paragraphs get a small gap instead of blank lines.
  appendText(parent, start, end, nodes, starts) {
    const piece = this.text.slice(start, end);
    const breaks = /[^\S\n]*\n\s*/g;
    let at = 0;
    const add = (from, to, isBreak) => {
      if (to <= from) return;
      const node = document.createTextNode(piece.slice(from, to));
      nodes.push(node);
      starts.push(start + from);
      if (!isBreak) {
        parent.append(node);
        return;
      }
      const gap = document.createElement("span");
      gap.className = "para-break";
      gap.append(node);
      parent.append(gap);
    };
    for (const match of piece.matchAll(breaks)) {
      add(at, match.index, false);
      add(match.index, match.index + match[0].length, true);
      at = match.index + match[0].length;
    }
    add(at, piece.length, false);
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
      if (segment.spans.length === 0) {
        this.appendText(fragment, segment.start, segment.end, nodes, starts);
      } else {
        const seg = document.createElement("span");
        seg.className = "seg";
        this.appendText(seg, segment.start, segment.end, nodes, starts);
        let entity = false;
        const covering = [];
        for (const id of segment.spans) {
          const span = byId.get(id);
          covering.push(span);
          const level = Math.min(levels.get(id), MAX_LEVEL);
          const style = this.labelStyle(span.label);
          seg.style.setProperty(`--u${level}`, underlineImage(style.color, style.line));
          if (span.label !== this.claimLabel) entity = true;
          if (!elementsBySpan.has(id)) elementsBySpan.set(id, []);
          elementsBySpan.get(id).push(seg);
        }
        seg.style.setProperty("--fill", fillColor(this.labelColor(innermost(covering, levels).label)));
        if (entity) seg.classList.add("entity");
        seg.dataset.spans = segment.spans.join(" ");
        fragment.append(seg);
      }
      if (segment.ends.length) fragment.append(this.tagsFor(segment.ends, byId, elementsBySpan));
    }
    const depth = Math.max(1, Math.min(layout.depth, MAX_LEVEL + 1));
    this.container.style.setProperty("--depth", String(depth));
    this.container.replaceChildren(fragment);
    this.textNodes = nodes;
    this.nodeStarts = Int32Array.from(starts);
    this.nodeStartOf = new Map(nodes.map((node, k) => [node, starts[k]]));
    this.elementsBySpan = elementsBySpan;
    this.highlighted = [];
    this.placeTags();
  }

  // Short spans close together would have their tags on top of each other: slide each tag
  // list that overlaps an earlier one on its line along the line, away from it (towards the
  // end of the text). One pass reading every box, then one pass writing transforms, so the
  // page is laid out once; transforms move nothing else.
  placeTags() {
    const lists = [...this.container.querySelectorAll(".tag-list")];
    for (const list of lists) list.style.removeProperty("transform");
    const boxes = lists.map((list) => list.getBoundingClientRect());
    const rtl = getComputedStyle(this.container).direction === "rtl";
    const placed = []; // [top, left, right] of the lists already placed
    const shifts = boxes.map((box) => {
      let left = box.left;
      let right = box.right;
      for (const [top, otherLeft, otherRight] of placed) {
        if (Math.abs(top - box.top) > 2 || right <= otherLeft || left >= otherRight) continue;
        const by = rtl ? otherLeft - 2 - right : otherRight + 2 - left;
        left += by;
        right += by;
      }
      placed.push([box.top, left, right]);
      return left - box.left;
    });
    lists.forEach((list, k) => {
      if (Math.abs(shifts[k]) > 0.5) list.style.transform = `translateX(${shifts[k]}px)`;
    });
  }

  // The label names of the spans ending here, outside the text flow: an empty inline anchor
  // (it takes no room, so marking never reflows a line) holding an absolutely positioned
  // list of tags above the end of the span. Names are CSS generated content: not selectable,
  // not part of any offset.
  tagsFor(ids, byId, elementsBySpan) {
    const anchor = document.createElement("span");
    anchor.className = "tag-anchor";
    const list = document.createElement("span");
    list.className = "tag-list";
    for (const id of ids) {
      const span = byId.get(id);
      const style = this.labelStyle(span.label);
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.dataset.span = id;
      tag.dataset.name = this.labelName(span.label);
      tag.style.setProperty("--tag", style.color);
      tag.style.setProperty("--tag-ink", style.ink);
      elementsBySpan.get(id).push(tag);
      list.append(tag);
    }
    anchor.append(list);
    return anchor;
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

  // Whether the pending selection starts on a proclitic that can be dropped (or, with `back`,
  // a dropped one that can be kept again).
  canCycleClitic({ back = false } = {}) {
    if (!this.pending) return false;
    return this.model.canCycleClitic(this.pending.start, this.pending.end, { back });
  }

  // Space drops one more proclitic, stopping at the bare word; Shift+Space keeps one back.
  cycleClitic({ back = false } = {}) {
    if (!this.pending) return false;
    const start = this.model.cycleClitic(this.pending.start, this.pending.end, { back });
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

  // ---- pointer wiring ----

  // Selection in the article by mouse, pen or touch. hooks: readonly() -> bool;
  // exact(event) -> bool; select(range) before a new range becomes pending; click(event, caret)
  // for a click or tap. A mouse or pen drag is read when the button comes up; a touch
  // selection (long press, then the handles) fires no pointer event while it changes, so it is
  // read from selectionchange once it has been still for a moment. Either way the range is
  // snapped like a drag; a touch selection keeps the handles where the finger left them.
  attachMouse(hooks) {
    const readonly = hooks.readonly || (() => false);
    const pick = (range16, event) => {
      this.lastExact = Boolean(hooks.exact(event || { altKey: false }));
      const range = this.snap(range16.start, range16.end, this.lastExact);
      if (range && hooks.select) hooks.select(range);
      return range;
    };
    this.container.addEventListener("pointerdown", (event) => {
      this.pointerType = event.pointerType;
      if (event.pointerType !== "touch" && event.button === 0) this.mouseDown = true;
    });
    document.addEventListener("pointerup", (event) => {
      if (event.pointerType === "touch") {
        // A tap: a click on a span; a selection is read from selectionchange below.
        if (this.container.contains(event.target) && !this.selectionOffsets()) {
          hooks.click(event, this.caret());
        }
        return;
      }
      if (!this.mouseDown) return;
      this.mouseDown = false;
      const range16 = this.selectionOffsets();
      if (!range16) {
        if (this.container.contains(event.target)) hooks.click(event, this.caret());
        return;
      }
      if (readonly()) return;
      const range = pick(range16, event);
      if (range) this.setPending(range);
      else this.clearPending({ dom: true });
    });
    document.addEventListener("pointercancel", () => {
      this.mouseDown = false;
    });
    let settle = null;
    document.addEventListener("selectionchange", () => {
      if (this.mouseDown) return;
      clearTimeout(settle);
      const selection = window.getSelection();
      if (!selection || selection.isCollapsed) {
        if (!this.pending) return;
        this.pending = null;
        this.keyboard = null;
        this.onPending(null);
        return;
      }
      const range16 = this.selectionOffsets();
      if (!range16 || readonly() || this.matchesPending(range16)) return;
      settle = setTimeout(() => {
        const now = this.selectionOffsets();
        if (!now || this.mouseDown || this.matchesPending(now)) return;
        const range = pick(now, null);
        if (!range) return;
        this.pending = range;
        this.keyboard = { anchor: range.start, focus: range.end };
        this.onPending(range);
      }, SELECTION_SETTLE_MS);
    });
  }

  // Whether a DOM selection (UTF-16 offsets) is what the pending range shows or came from.
  matchesPending(range16) {
    if (!this.pending) return false;
    const start = this.offsets.toUtf16(this.pending.start);
    const end = this.offsets.toUtf16(this.pending.end);
    if (range16.start === start && range16.end === end) return true;
    const snapped = this.snap(range16.start, range16.end, this.lastExact);
    return Boolean(snapped) && snapped.start === this.pending.start && snapped.end === this.pending.end;
  }
}

export function createMarker(container, options) {
  return new Marker(container, options);
}
