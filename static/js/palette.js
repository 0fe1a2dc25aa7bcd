// How a label looks in the text: the drawing half of the label palette. The colours, the tag
// ink and the underline style are chosen on the server (annotate/lib/palette.py: a
// colour-blind-safe palette, black or white ink at WCAG AA, solid/dashed/dotted lines) and
// arrive with each label as {color, ink, line}; this module turns them into CSS values. Pure.

export const FALLBACK_STYLE = { color: "#888888", ink: "#000000", line: "solid" };
// The tint behind marked text: the colour at about 20% (palette.py FILL_ALPHA).
export const FILL_ALPHA = "33";

export function labelStyle(label) {
  return { ...FALLBACK_STYLE, ...(label || {}) };
}

// A background image drawing one underline of `line` style in `color` (CSS gradients, so
// stacked underlines of nested spans sit at their own heights; see annotate.css .seg).
export function underlineImage(color, line) {
  if (line === "dashed") {
    return `repeating-linear-gradient(to right, ${color} 0 8px, transparent 8px 12px)`;
  }
  if (line === "dotted") {
    return `repeating-linear-gradient(to right, ${color} 0 3px, transparent 3px 6px)`;
  }
  return `linear-gradient(${color} 0 0)`;
}

export function fillColor(color) {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}${FILL_ALPHA}` : "transparent";
}
