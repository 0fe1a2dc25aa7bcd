// The adjudication page: each annotator's submitted spans over the RTL text, the gold being
// built (from the merged proposal, or the saved gold), the open decisions with their choices,
// and saving through the REST API (PUT .../gold/ with the version it started from).
//
// Spans are drawn with the annotation page's modules (offsets.js for code points <-> UTF-16,
// spans.js for the layout of overlapping spans, annotate.css for the look). Page data comes
// from the json_script block; all text goes in through textContent / createTextNode.

import { ApiError, NetworkError, apiFetch } from "./api.js";
import { OffsetMap } from "./offsets.js";
import { compareSpans, innermost, layoutSegments } from "./spans.js";

const data = JSON.parse(document.getElementById("page-data").textContent);
const S = data.strings;
const text = data.article.text;
const offsets = new OffsetMap(text);
const schema = data.schema || {};
const CLAIM = (schema.claim_label && schema.claim_label.key) || "CLAIM";
const MAX_LEVEL = 5;

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

// ---- drawing spans over the text ---------------------------------------------------------

function labelColor(label) {
  return (data.labels[label] && data.labels[label].color) || "#888888";
}

function labelName(label) {
  return (data.labels[label] && data.labels[label].name) || label;
}

function drawSpans(container, spans) {
  const spans16 = spans.map((s) => ({
    id: s.id,
    label: s.label,
    start: offsets.toUtf16(s.start),
    end: offsets.toUtf16(s.end),
  }));
  const byId = new Map(spans16.map((s) => [s.id, s]));
  const layout = layoutSegments(spans16, text.length);
  const fragment = document.createDocumentFragment();
  for (const segment of layout.segments) {
    const node = document.createTextNode(text.slice(segment.start, segment.end));
    if (segment.spans.length === 0) {
      fragment.append(node);
    } else {
      const seg = document.createElement("span");
      seg.className = "seg";
      seg.append(node);
      const covering = segment.spans.map((id) => byId.get(id));
      for (const span of covering) {
        const level = Math.min(layout.levels.get(span.id), MAX_LEVEL);
        seg.style.setProperty(`--u${level}`, labelColor(span.label));
      }
      seg.style.setProperty("--fill", `${labelColor(innermost(covering, layout.levels).label)}30`);
      seg.dataset.spans = segment.spans.join(" ");
      seg.title = covering.map((s) => labelName(s.label)).join(", ");
      fragment.append(seg);
    }
    for (const id of segment.ends) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.dataset.name = labelName(byId.get(id).label);
      tag.style.setProperty("--tag", labelColor(byId.get(id).label));
      fragment.append(tag);
    }
  }
  container.style.setProperty("--depth", String(Math.max(1, Math.min(layout.depth, MAX_LEVEL + 1))));
  container.replaceChildren(fragment);
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
  return String(value);
}

// ---- rendering ---------------------------------------------------------------------------

function renderGold() {
  drawSpans($("gold-text"), doc.spans);
  const list = $("gold-spans");
  const items = [...doc.spans].sort(compareSpans).map((span) => {
    const item = document.createElement("li");
    item.dataset.span = span.id;
    const covered = document.createElement("span");
    covered.className = "span-covered";
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
      render();
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
        option.textContent = value || S.none;
        select.append(option);
      }
      select.value = doc.document_labels.stance[target.key] || "";
      select.addEventListener("change", () => {
        setStance(target.key, select.value);
        chosen.set(`stance:${target.key}`, select.value || null);
        render();
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
  render();
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
      value.textContent = stance[key];
      rows.push(term, value);
    }
    list.replaceChildren(...rows);
  }
}

function render() {
  renderGold();
  renderDecisions();
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
renderAnnotators();
render();
root.dataset.ready = "true";
