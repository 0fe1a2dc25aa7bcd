// The document model of the annotation and adjudication pages: changes as operations,
// undo/redo, and (on the annotation page) a queue of unsent changes kept in localStorage so
// work survives a reload, a crash or a network blip. Pure apart from the Storage object it is
// given (tests pass a Map-backed fake).
//
// Every change is an operation that sets something (add a span, remove one, set a label, an
// attribute, a claimant, a stance). Operations are idempotent and name spans by id, so the
// queue of unsent ones can be replayed on top of whatever the server holds: after a lost
// response, after a reload, or on top of a newer version someone else saved.
//
// DocumentStore holds a document and its history; the adjudication page uses it as it is,
// with the decisions the reviewer settled kept beside the document in the same history.
// AnnotationStore adds the queue of unsent changes.

export const EMPTY_CONTENT = Object.freeze({
  spans: [],
  relations: [],
  document_labels: { stance: {} },
});

export function normaliseContent(content) {
  const source = content || {};
  return {
    spans: (source.spans || []).map((s) => ({ ...s, attributes: { ...(s.attributes || {}) } })),
    relations: (source.relations || []).map((r) => ({ ...r })),
    document_labels: { stance: { ...((source.document_labels || {}).stance || {}) } },
  };
}

function sortedEntries(object) {
  return Object.entries(object || {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function withSpans(content, spans, relations = content.relations) {
  return { spans, relations, document_labels: content.document_labels };
}

function sameRange(a, b) {
  return a.start === b.start && a.end === b.end && a.label === b.label;
}

// The content after `op`; the same object when the op changes nothing (a span that is gone,
// a value already set), so the store records only real changes.
export function applyOp(content, op) {
  switch (op.type) {
    case "batch":
      return op.ops.reduce(applyOp, content);
    case "add": {
      const span = op.span;
      if (content.spans.some((s) => s.id === span.id || sameRange(s, span))) return content;
      const spanIds = new Set([...content.spans.map((s) => s.id), span.id]);
      const relations = [...content.relations];
      for (const relation of op.relations || []) {
        const taken = relations.some((r) => r.type === relation.type && r.from === relation.from);
        if (!taken && spanIds.has(relation.from) && spanIds.has(relation.to)) {
          relations.push({ ...relation });
        }
      }
      const attributes = { ...(span.attributes || {}) };
      return withSpans(content, [...content.spans, { ...span, attributes }], relations);
    }
    case "remove": {
      if (!content.spans.some((s) => s.id === op.id)) return content;
      return withSpans(
        content,
        content.spans.filter((s) => s.id !== op.id),
        content.relations.filter((r) => r.from !== op.id && r.to !== op.id),
      );
    }
    case "update": {
      const index = content.spans.findIndex((s) => s.id === op.id);
      if (index < 0) return content;
      const spans = [...content.spans];
      const span = { ...spans[index] };
      if (op.label !== undefined) span.label = op.label;
      if (op.attributes !== undefined) span.attributes = { ...op.attributes };
      if (
        span.label === spans[index].label &&
        JSON.stringify(sortedEntries(span.attributes)) ===
          JSON.stringify(sortedEntries(spans[index].attributes))
      ) {
        return content;
      }
      // A relabel onto another span's range and label would be a duplicate (the server
      // refuses those, and replaying the queue would then drop one of the two): no change.
      if (content.spans.some((s) => s.id !== op.id && sameRange(s, span))) return content;
      spans[index] = span;
      return withSpans(content, spans);
    }
    case "relation": {
      const ids = new Set(content.spans.map((s) => s.id));
      if (!ids.has(op.from)) return content;
      const current = content.relations.find((r) => r.type === op.relation && r.from === op.from);
      const to = op.to !== null && ids.has(op.to) ? op.to : null;
      if ((current ? current.to : null) === to) return content;
      const relations = content.relations.filter((r) => r !== current);
      if (to !== null) relations.push({ type: op.relation, from: op.from, to });
      return withSpans(content, content.spans, relations);
    }
    case "stance": {
      const before = content.document_labels.stance[op.target];
      if ((before === undefined ? null : before) === op.value) return content;
      const stance = { ...content.document_labels.stance };
      if (op.value === null) delete stance[op.target];
      else stance[op.target] = op.value;
      return { ...content, document_labels: { ...content.document_labels, stance } };
    }
    default:
      throw new Error(`unknown operation ${op.type}`);
  }
}

// The operation that undoes `op` when applied to applyOp(content, op).
export function inverseOp(content, op) {
  switch (op.type) {
    case "batch": {
      const inverses = [];
      let current = content;
      for (const inner of op.ops) {
        inverses.unshift(inverseOp(current, inner));
        current = applyOp(current, inner);
      }
      return { type: "batch", ops: inverses };
    }
    case "add":
      return { type: "remove", id: op.span.id };
    case "remove": {
      const span = content.spans.find((s) => s.id === op.id);
      if (!span) return { type: "batch", ops: [] };
      const relations = content.relations.filter((r) => r.from === op.id || r.to === op.id);
      return { type: "add", span, relations };
    }
    case "update": {
      const span = content.spans.find((s) => s.id === op.id);
      if (!span) return { type: "batch", ops: [] };
      return { type: "update", id: op.id, label: span.label, attributes: span.attributes };
    }
    case "relation": {
      const current = content.relations.find((r) => r.type === op.relation && r.from === op.from);
      return { type: "relation", relation: op.relation, from: op.from, to: current ? current.to : null };
    }
    case "stance": {
      const value = content.document_labels.stance[op.target];
      return { type: "stance", target: op.target, value: value === undefined ? null : value };
    }
    default:
      throw new Error(`unknown operation ${op.type}`);
  }
}

// One string per document meaning: order of spans, relations and keys does not matter.
export function canonicalJson(content) {
  const sortKeys = (value) => {
    if (Array.isArray(value)) return value.map(sortKeys);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, sortKeys(value[k])]),
      );
    }
    return value;
  };
  const byId = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const spans = [...content.spans].sort(byId).map((s) => ({
    ...s,
    attributes: Object.fromEntries(
      Object.entries(s.attributes || {}).filter(([, v]) => v !== null && v !== undefined),
    ),
  }));
  const relations = content.relations.map((r) => `${r.type}|${r.from}|${r.to}`).sort();
  return JSON.stringify(sortKeys({ spans, relations, stance: content.document_labels.stance }));
}

export function replay(content, ops) {
  return ops.reduce(applyOp, content);
}

export function newSpanId(now = Date.now(), random = Math.random) {
  const tail = Math.floor(random() * 36 ** 5)
    .toString(36)
    .padStart(5, "0");
  return `s${now.toString(36)}${tail}`;
}

// ---- the state a store holds: the document and the settled decisions ------------------------
// A decision (adjudication) is settled with {type: "settle", decision: id, value}; value
// undefined opens it again. Every other operation changes the document.

// Whether two values (strings, booleans, null, {span: id}) are the same.
export const sameValue = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function applyChange(state, op) {
  if (op.type === "batch") return op.ops.reduce(applyChange, state);
  if (op.type === "settle") {
    const settled = state.settled;
    const had = Object.hasOwn(settled, op.decision);
    const unchanged =
      op.value === undefined ? !had : had && sameValue(settled[op.decision], op.value);
    if (unchanged) return state;
    const next = { ...settled };
    if (op.value === undefined) delete next[op.decision];
    else next[op.decision] = op.value;
    return { content: state.content, settled: next };
  }
  const content = applyOp(state.content, op);
  return content === state.content ? state : { content, settled: state.settled };
}

function inverseChange(state, op) {
  if (op.type === "batch") {
    const inverses = [];
    let current = state;
    for (const inner of op.ops) {
      inverses.unshift(inverseChange(current, inner));
      current = applyChange(current, inner);
    }
    return { type: "batch", ops: inverses };
  }
  if (op.type === "settle") {
    const { settled } = state;
    const value = Object.hasOwn(settled, op.decision) ? settled[op.decision] : undefined;
    return { type: "settle", decision: op.decision, value };
  }
  return inverseOp(state.content, op);
}

// A document with its undo/redo history. `settled`: decisions settled from the start (not
// undoable). Listeners hear "do", "undo", "redo" and "saved".
export class DocumentStore {
  constructor(content, { settled = {} } = {}) {
    this.content = normaliseContent(content);
    this.settled = { ...settled };
    this.undoStack = [];
    this.redoStack = [];
    this.listeners = [];
    this.revisions = 0; // revisions handed out so far
    this.savedRevision = 0;
  }

  onChange(listener) {
    this.listeners.push(listener);
  }

  _emit(reason) {
    for (const listener of this.listeners) listener(reason);
  }

  get canUndo() {
    return this.undoStack.length > 0;
  }

  get canRedo() {
    return this.redoStack.length > 0;
  }

  // Where the history stands: the revision of the last change not undone (0: as loaded).
  // A new change gets a new revision, so a point left by undoing never comes back.
  get revision() {
    return this.undoStack.length ? this.undoStack[this.undoStack.length - 1].revision : 0;
  }

  // Whether the document differs from the saved one: undoing back to it clears this.
  get unsaved() {
    return this.revision !== this.savedRevision;
  }

  // Apply a change made by the user. Returns false when it changed nothing.
  do(op) {
    const before = this._state();
    const after = applyChange(before, op);
    if (after === before) return false;
    this.revisions += 1;
    this.undoStack.push({ op, inverse: inverseChange(before, op), revision: this.revisions });
    this.redoStack = [];
    this._commit(op, after, "do");
    return true;
  }

  undo() {
    const entry = this.undoStack.pop();
    if (!entry) return false;
    this.redoStack.push(entry);
    this._commit(entry.inverse, applyChange(this._state(), entry.inverse), "undo");
    return true;
  }

  redo() {
    const entry = this.redoStack.pop();
    if (!entry) return false;
    this.undoStack.push(entry);
    this._commit(entry.op, applyChange(this._state(), entry.op), "redo");
    return true;
  }

  _state() {
    return { content: this.content, settled: this.settled };
  }

  _commit(op, state, reason) {
    this.content = state.content;
    this.settled = state.settled;
    this._emit(reason);
  }

  // The server stored the document as it was at `revision` and answered `content`, its form
  // of it, which replaces ours when nothing changed since and the two differ in meaning.
  markSaved(revision, content = null) {
    this.savedRevision = revision;
    if (content && revision === this.revision) {
      const saved = normaliseContent(content);
      if (canonicalJson(saved) !== canonicalJson(this.content)) this.content = saved;
    }
    this._emit("saved");
  }

  isSettled(decision) {
    return Object.hasOwn(this.settled, decision);
  }

  spanById(id) {
    return this.content.spans.find((s) => s.id === id) || null;
  }

  relationFrom(id, relation = "claimant") {
    return this.content.relations.find((r) => r.type === relation && r.from === id) || null;
  }
}

// ---- the annotation page: a queue of unsent changes ------------------------------------------

const PREFIX = "annotate:unsent:";

function readEntry(storage, key) {
  try {
    const entry = JSON.parse(storage.getItem(key));
    return entry && Array.isArray(entry.pending) ? entry : null;
  } catch {
    return null;
  }
}

function storageKeys(storage) {
  const keys = [];
  for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
  return keys;
}

export class AnnotationStore extends DocumentStore {
  // `annotation`: {version, content} as the server gave it. `storage`: a Storage (or null);
  // `tabId` tells this tab's queue from another tab's on the same assignment.
  constructor({ assignmentId, annotation, storage = null, tabId = "tab" }) {
    super(annotation.content);
    this.assignmentId = assignmentId;
    this.storage = storage;
    this.key = `${PREFIX}${assignmentId}:${tabId}`;
    this.version = annotation.version;
    this.acked = this.content;
    this.pending = [];
    this.restored = { count: 0, fromVersion: null };
    this._adoptStoredQueues();
    this.content = replay(this.acked, this.pending);
  }

  // Unsent changes left by an earlier load of this page (this tab or a closed one).
  _adoptStoredQueues() {
    if (!this.storage) return;
    const prefix = `${PREFIX}${this.assignmentId}:`;
    const entries = [];
    for (const key of storageKeys(this.storage)) {
      if (!key || !key.startsWith(prefix)) continue;
      const entry = readEntry(this.storage, key);
      if (entry) entries.push({ key, entry });
      if (key !== this.key) this.storage.removeItem(key);
    }
    entries.sort((a, b) => (a.key === this.key) - (b.key === this.key) || a.entry.at - b.entry.at);
    for (const { entry } of entries) {
      this.pending.push(...entry.pending);
      if (entry.pending.length && entry.baseVersion !== this.version) {
        this.restored.fromVersion = entry.baseVersion;
      }
    }
    this.restored.count = this.pending.length;
    this.persist();
  }

  persist() {
    if (!this.storage) return true;
    try {
      if (this.pending.length === 0) {
        this.storage.removeItem(this.key);
      } else {
        const entry = { baseVersion: this.version, pending: this.pending, at: Date.now() };
        this.storage.setItem(this.key, JSON.stringify(entry));
      }
      return true;
    } catch {
      return false; // quota or private mode: the queue still lives in memory
    }
  }

  forget() {
    this.pending = [];
    this.persist();
  }

  get dirty() {
    return this.pending.length > 0;
  }

  _commit(op, state, reason) {
    this.pending.push(op);
    this.persist();
    super._commit(op, state, reason);
  }

  // What to send now: the current content on top of the acknowledged version.
  snapshot() {
    return { version: this.version, content: this.content, upto: this.pending.length };
  }

  // The one unsent change when it adds or removes a single span ({add: span} or
  // {remove: id}), else null: the page then sends that span alone instead of the whole
  // document, which the server checks and stores with less work.
  singleSpanChange() {
    if (this.pending.length !== 1) return null;
    const [op] = this.pending;
    if (op.type === "add" && !(op.relations || []).length) return { add: op.span };
    if (op.type === "remove" && this.acked.spans.some((s) => s.id === op.id)) {
      return { remove: op.id };
    }
    return null;
  }

  // The server accepted `snapshot` and answered with `annotation` ({version, content}).
  acknowledge(snapshot, annotation) {
    this.version = annotation.version;
    this.acked = normaliseContent(annotation.content);
    this.pending = this.pending.slice(snapshot.upto);
    const content = replay(this.acked, this.pending);
    // Keep the object (and so the rendered article) when the server stored what we have.
    if (canonicalJson(content) !== canonicalJson(this.content)) this.content = content;
    this.persist();
    this._emit("saved");
  }
}
