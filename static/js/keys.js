// Keyboard shortcuts of the marking pages (annotation and adjudication): the one place that
// decides what a key press asks for. Pure apart from bindKeys, which listens on the document.
//
// The rule: shortcuts never fire inside a dialog or while an input method composes, and keys
// typed into a text field (a text-like input, textarea, select, contenteditable) are typing.
// On any other element (the article, the body, a button, a link, a radio button, a checkbox)
// shortcuts work, label keys included; only the keys such a control uses itself stay with it:
// Enter and Space press a button, the arrows move through a radio group. Enter on a radio
// button or checkbox submits, as it does on the article.

const FALLBACK_SHORTCUTS = "123456789";

// Inputs that take no typing: label keys pressed while one has focus still mark.
const NON_TEXT_INPUTS = new Set(["radio", "checkbox", "button", "submit", "reset", "image"]);

// ---- label keys ----------------------------------------------------------------------------

// shortcut -> label key for active labels: each label's own shortcut, else a free digit.
export function labelShortcuts(labels) {
  const active = labels.filter((label) => label && !label.retired);
  const taken = new Set(active.map((label) => label.shortcut).filter(Boolean));
  const free = [...FALLBACK_SHORTCUTS].filter((key) => !taken.has(key));
  const shortcuts = new Map();
  for (const label of active) {
    const key = label.shortcut || free.shift();
    if (key) shortcuts.set(key, label.key);
  }
  return shortcuts;
}

// The label for a key press, whatever the keyboard layout: an Arabic layout types ؤ on the
// C key and may type ١ on the 1 key, so fall back to Latin digits and the physical key.
export function shortcutLabel(shortcuts, event) {
  const key = event.key;
  if (shortcuts.has(key)) return shortcuts.get(key);
  const code = key.length === 1 ? key.codePointAt(0) : 0;
  if (code >= 0x0660 && code <= 0x0669) return shortcuts.get(String(code - 0x0660)) || null;
  if (code >= 0x06f0 && code <= 0x06f9) return shortcuts.get(String(code - 0x06f0)) || null;
  const physical = /^(?:Key([A-Z])|Digit([0-9]))$/.exec(event.code || "");
  if (physical) {
    const latin = physical[1] ? physical[1].toLowerCase() : physical[2];
    return shortcuts.get(event.shiftKey && physical[1] ? physical[1] : latin) || null;
  }
  return null;
}

// ---- where the focus is --------------------------------------------------------------------

// Whether keys pressed on `target` are typing: a text-like input, textarea, select or
// editable content.
export function isTextField(target) {
  if (!target || !target.closest) return false;
  if (target.isContentEditable || target.closest("textarea, select")) return true;
  const input = target.closest("input");
  return Boolean(input) && !NON_TEXT_INPUTS.has(input.type);
}

// Whether `target` is a control with keys of its own (Enter, Space, a radio group's arrows).
export function isControl(target) {
  return Boolean(target && target.closest && target.closest("button, a, input, summary"));
}

// Whether `target` is a radio button or checkbox: Enter does nothing on those by itself.
export function isChoice(target) {
  const input = target && target.closest && target.closest("input");
  return Boolean(input) && (input.type === "radio" || input.type === "checkbox");
}

// ---- what a key asks for -------------------------------------------------------------------

// The command a keydown event asks for, or null when the key is not a shortcut here:
//   {name: "undo"} {name: "redo"}          Ctrl+Z; Ctrl+Shift+Z or Ctrl+Y (Cmd on a Mac)
//   {name: "help"}                          ? (or the Arabic ؟)
//   {name: "escape"}                        Esc
//   {name: "leave-field"}                   Esc in a text field
//   {name: "submit"}                        Enter
//   {name: "delete"}                        Delete, Backspace
//   {name: "clitic", back}                  Space (Shift+Space: back)
//   {name: "extend", forward, exact}        Shift+arrow (Alt: by character)
//   {name: "move", forward, alt}            an arrow
//   {name: "label", label}                  a label key (shortcuts: shortcut -> label key)
// The article is right-to-left, so the left arrow goes forward. `keepDefault` marks commands
// whose key the browser keeps too.
export function keyCommand(event, shortcuts = new Map()) {
  if (event.defaultPrevented || event.isComposing) return null;
  const target = event.target;
  if (target && target.closest && target.closest("dialog")) return null;
  const key = event.key;
  if (isTextField(target)) {
    return key === "Escape" ? { name: "leave-field", keepDefault: true } : null;
  }
  if (event.ctrlKey || event.metaKey) {
    if (event.altKey) return null;
    const letter = key.toLowerCase();
    if (letter === "z") return { name: event.shiftKey ? "redo" : "undo" };
    if (letter === "y") return { name: "redo" };
    return null;
  }
  const control = isControl(target);
  switch (key) {
    case "?":
    case "\u061f": // the Arabic question mark, where an Arabic layout types it
      return { name: "help" };
    case "Escape":
      return { name: "escape", keepDefault: true };
    case "Enter":
      // A button or link presses itself; a radio button or checkbox has no Enter of its own
      // (the stance radios are usually the last thing clicked), so Enter submits there too.
      return control && !isChoice(target) ? null : { name: "submit" };
    case "Delete":
    case "Backspace":
      return { name: "delete" };
    case " ":
      return control ? null : { name: "clitic", back: Boolean(event.shiftKey) };
    case "ArrowLeft":
    case "ArrowRight": {
      if (control && target.type === "radio") return null;
      const forward = key === "ArrowLeft";
      const alt = Boolean(event.altKey);
      return event.shiftKey ? { name: "extend", forward, exact: alt } : { name: "move", forward, alt };
    }
    default:
      break;
  }
  const label = event.altKey ? null : shortcutLabel(shortcuts, event);
  return label ? { name: "label", label } : null;
}

// Listen for shortcuts on `target`: handlers maps command names to functions(command, event).
// A command without a handler leaves its key to the browser, and so does a handler that
// returns false; otherwise the key's default action is prevented. Returns the listener.
export function bindKeys(handlers, { shortcuts = new Map(), target = document } = {}) {
  const listener = (event) => {
    const command = keyCommand(event, shortcuts);
    const handler = command && handlers[command.name];
    if (!handler) return;
    if (handler(command, event) !== false && !command.keepDefault) event.preventDefault();
  };
  target.addEventListener("keydown", listener);
  return listener;
}
