// Layout of overlapping and nested spans for display. Pure: no DOM.
//
// Spans may overlap and nest. Each span gets a level (the lowest one free over its whole
// extent, like interval-graph colouring), so its underline sits at one height from start to
// end; the text is cut into segments at every span boundary, each listing the spans that
// cover it in level order. One sort plus one sweep: O(n log n + segments x depth).

// Spans in reading order: by start, longer first (outer before inner), then label and id.
export function compareSpans(a, b) {
  return (
    a.start - b.start ||
    b.end - a.end ||
    (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

// {levels: Map id -> level, depth: number of levels used}
export function assignLevels(spans) {
  const sorted = [...spans].sort(compareSpans);
  const levelEnds = []; // end offset of the last span placed on each level
  const levels = new Map();
  for (const span of sorted) {
    let level = 0;
    while (level < levelEnds.length && levelEnds[level] > span.start) level += 1;
    levelEnds[level] = span.end;
    levels.set(span.id, level);
  }
  return { levels, depth: levelEnds.length };
}

// Segments covering [0, length): {start, end, spans: [ids by level], ends: [ids ending here]}.
// Uncovered stretches are segments with no spans. Offsets are in whatever unit the spans use.
export function layoutSegments(spans, length) {
  const { levels, depth } = assignLevels(spans);
  const cuts = new Set([0, length]);
  const startsAt = new Map();
  const endsAt = new Map();
  for (const span of spans) {
    cuts.add(span.start);
    cuts.add(span.end);
    if (!startsAt.has(span.start)) startsAt.set(span.start, []);
    startsAt.get(span.start).push(span);
    if (!endsAt.has(span.end)) endsAt.set(span.end, []);
    endsAt.get(span.end).push(span);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= length).sort((a, b) => a - b);
  const active = new Map(); // id -> span
  const segments = [];
  for (let k = 0; k < points.length - 1; k++) {
    const start = points[k];
    const end = points[k + 1];
    for (const span of endsAt.get(start) || []) active.delete(span.id);
    for (const span of startsAt.get(start) || []) active.set(span.id, span);
    const covering = [...active.values()].sort((a, b) => levels.get(a.id) - levels.get(b.id));
    const ending = (endsAt.get(end) || []).filter((s) => active.has(s.id));
    segments.push({
      start,
      end,
      spans: covering.map((s) => s.id),
      ends: ending.sort(compareSpans).map((s) => s.id),
    });
  }
  return { segments, levels, depth };
}

// The innermost span at a point: the shortest covering span (ties: the highest level).
export function innermost(spanList, levels) {
  let best = null;
  for (const span of spanList) {
    if (
      best === null ||
      span.end - span.start < best.end - best.start ||
      (span.end - span.start === best.end - best.start &&
        levels.get(span.id) > levels.get(best.id))
    ) {
      best = span;
    }
  }
  return best;
}
