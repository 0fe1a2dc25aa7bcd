// Character classes, tokens, cluster boundaries and clitic-aware snapping. Pure: no DOM.
//
// Mirrors corpus/text.py (`_char_class`, `iter_tokens`, `is_cluster_boundary`), so the words
// the page snaps to are the tokens the server and the exports use; tests/browser/
// test_offsets_js.py checks the two against each other. Everything here works on an array of
// code points (`Array.from(text)`) and code-point offsets, like the server.

export const SPACE = 0;
export const LETTER = 1;
export const MARK = 2;
export const DIGIT = 3;
export const PUNCT = 4;
export const SYMBOL = 5;

export const TATWEEL = "\u0640";
const ZWJ = "\u200d";
const ZWNJ = "\u200c";
const ALEF = "\u0627";
const LAM = "\u0644";

const ARABIC_PUNCTUATION = new Set("،؛؟«»“”‘’٪");
const NUMBER_SEPARATORS = new Set(".,٫٬");
// Python's str.isspace(): Unicode White_Space minus U+180E, plus the C0 separators 1C-1F.
const PY_SPACE = new Set(
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" +
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);
const RE_MARK = /^\p{M}$/u;
const RE_DIGIT = /^\p{Nd}$/u;
const RE_LETTER = /^[\p{L}\p{No}\p{Nl}]$/u;
const RE_PUNCT = /^\p{P}$/u;

// Conjunctions and prepositions that attach to the next word; the article is ال.
const CONJUNCTIONS = new Set(["و", "ف"]);
const PREPOSITIONS = new Set(["ب", "ل", "ك"]);

export function isMark(ch) {
  return RE_MARK.test(ch);
}

function isJoiner(ch) {
  const code = ch.codePointAt(0);
  return (
    ch === ZWJ ||
    ch === "\ufe0f" ||
    ch === "\ufe0e" ||
    (code >= 0x1f3fb && code <= 0x1f3ff) ||
    (code >= 0xe0020 && code <= 0xe007f)
  );
}

function isRegionalIndicator(ch) {
  const code = ch.codePointAt(0);
  return code >= 0x1f1e6 && code <= 0x1f1ff;
}

function isArabicScript(ch) {
  const code = ch.codePointAt(0);
  return (
    (code >= 0x0600 && code <= 0x06ff) ||
    (code >= 0x0750 && code <= 0x077f) ||
    (code >= 0x08a0 && code <= 0x08ff) ||
    (code >= 0xfb50 && code <= 0xfdff) ||
    (code >= 0xfe70 && code <= 0xfeff)
  );
}

export function charClass(ch) {
  if (PY_SPACE.has(ch)) return SPACE;
  if (ch === TATWEEL || ch === ZWNJ) return LETTER;
  if (isMark(ch) || isJoiner(ch)) return MARK;
  if (RE_DIGIT.test(ch)) return DIGIT;
  if (RE_LETTER.test(ch)) return LETTER;
  if (RE_PUNCT.test(ch) || ARABIC_PUNCTUATION.has(ch)) return PUNCT;
  return SYMBOL;
}

// True when `offset` does not fall inside one visible character (a letter and its marks, an
// emoji and its modifiers, a ZWJ sequence, a flag).
export function isClusterBoundary(chars, offset) {
  if (offset <= 0 || offset >= chars.length) return offset === 0 || offset === chars.length;
  const after = chars[offset];
  const before = chars[offset - 1];
  if (isMark(after) || isJoiner(after) || (before === ZWJ && !PY_SPACE.has(after))) return false;
  if (isRegionalIndicator(before) && isRegionalIndicator(after)) {
    let run = 0;
    while (offset - run - 1 >= 0 && isRegionalIndicator(chars[offset - run - 1])) run += 1;
    return run % 2 === 0;
  }
  return true;
}

// Tokens {start, end, kind} in code points, exactly as corpus.text.iter_tokens gives them.
export function tokenize(chars) {
  const n = chars.length;
  const cls = new Uint8Array(n);
  const known = new Map(); // an article uses few distinct characters: classify each once
  for (let k = 0; k < n; k++) {
    let c = known.get(chars[k]);
    if (c === undefined) {
      c = charClass(chars[k]);
      known.set(chars[k], c);
    }
    cls[k] = c;
  }
  const tokens = [];
  let i = 0;
  while (i < n) {
    const c = cls[i];
    if (c === SPACE) {
      i += 1;
      continue;
    }
    const start = i;
    let kind;
    if (c === LETTER || c === DIGIT || c === MARK) {
      let hasLetter = c === LETTER;
      let hasDigit = c === DIGIT;
      let arabic = null;
      if (c === LETTER && chars[i] !== ZWNJ) arabic = isArabicScript(chars[i]);
      i += 1;
      while (i < n) {
        const ch = chars[i];
        const next = cls[i];
        if (chars[i - 1] === ZWJ && next !== SPACE) {
          i += 1;
        } else if (next === LETTER) {
          if (ch !== ZWNJ) {
            const isArabic = isArabicScript(ch);
            if (arabic !== null && isArabic !== arabic) break;
            arabic = isArabic;
          }
          hasLetter = true;
          i += 1;
        } else if (next === MARK) {
          i += 1;
        } else if (next === DIGIT) {
          hasDigit = true;
          i += 1;
        } else if (
          NUMBER_SEPARATORS.has(ch) &&
          cls[i - 1] === DIGIT &&
          i + 1 < n &&
          cls[i + 1] === DIGIT
        ) {
          i += 2;
        } else {
          break;
        }
      }
      kind = hasLetter ? "word" : hasDigit ? "number" : "symbol";
    } else {
      if (isRegionalIndicator(chars[i]) && i + 1 < n && isRegionalIndicator(chars[i + 1])) {
        i += 1;
      }
      i += 1;
      while (i < n && (cls[i] === MARK || (chars[i - 1] === ZWJ && cls[i] !== SPACE))) {
        i += 1;
      }
      kind = c === PUNCT ? "punct" : "symbol";
    }
    tokens.push({ start, end: i, kind });
  }
  return tokens;
}

// Offsets inside a word where a proclitic ends: و ف, then ب ل ك, then the article ال (or the
// ل of لل after ل) when `articleClitic`. Each split keeps the clitic's marks and tatweel with
// it, and leaves at least two letters behind. For وبالجيش: [after و, after ب, after ال].
export function cliticSplits(chars, token, { articleClitic = true } = {}) {
  const splits = [];
  if (token.kind !== "word") return splits;
  const end = token.end;
  const skipMarks = (pos) => {
    let p = pos;
    while (p < end && (isMark(chars[p]) || chars[p] === TATWEEL)) p += 1;
    return p;
  };
  const lettersFrom = (pos) => {
    let count = 0;
    for (let p = pos; p < end && count < 2; p++) if (!isMark(chars[p])) count += 1;
    return count;
  };
  const push = (pos) => {
    if (lettersFrom(pos) >= 2) splits.push(pos);
  };
  let pos = token.start;
  if (CONJUNCTIONS.has(chars[pos])) {
    pos = skipMarks(pos + 1);
    push(pos);
  }
  if (PREPOSITIONS.has(chars[pos])) {
    const lam = chars[pos] === LAM;
    pos = skipMarks(pos + 1);
    if (lam && articleClitic && chars[pos] === LAM) {
      // لل: the preposition ل and the article, whose alef is not written (للجيش).
      pos = skipMarks(pos + 1);
    }
    push(pos);
  }
  if (articleClitic && chars[pos] === ALEF && chars[skipMarks(pos + 1)] === LAM) {
    pos = skipMarks(skipMarks(pos + 1) + 1);
    push(pos);
  }
  return splits.filter((p, k) => p < end && splits.indexOf(p) === k);
}

// Index of the token that contains `offset` (start <= offset < end), or -1.
function tokenAt(tokens, offset) {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < tokens.length && tokens[lo].start <= offset ? lo : -1;
}

// First token that ends after `offset` (or tokens.length).
function tokenFrom(tokens, offset) {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid].end <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Last token that starts before `offset` (or -1).
function tokenUntil(tokens, offset) {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid].start < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

// The text model the page works with: code points, tokens and clitic splits, computed once.
export class TextModel {
  constructor(text, { articleClitic = true } = {}) {
    this.chars = Array.from(text);
    this.articleClitic = articleClitic;
    this._tokens = null;
  }

  get tokens() {
    if (this._tokens === null) this._tokens = tokenize(this.chars);
    return this._tokens;
  }

  get length() {
    return this.chars.length;
  }

  slice(start, end) {
    return this.chars.slice(start, end).join("");
  }

  // Start and end moved outwards to cluster boundaries and inwards past whitespace.
  snapExact(start, end) {
    const chars = this.chars;
    let s = Math.max(0, Math.min(start, end));
    let e = Math.min(chars.length, Math.max(start, end));
    while (s > 0 && !isClusterBoundary(chars, s)) s -= 1;
    while (e < chars.length && !isClusterBoundary(chars, e)) e += 1;
    while (s < e && charClass(chars[s]) === SPACE) s += 1;
    while (e > s && charClass(chars[e - 1]) === SPACE) e -= 1;
    return s < e ? { start: s, end: e } : null;
  }

  // Whole tokens: the first token the selection touches to the last one. A start inside a
  // word always goes back to the word's first letter: the browser puts a press on the inner
  // half of that letter after it, and whether ف in فرنسا or ل in لبنان is a proclitic is a
  // question of words, not letters. Proclitics are dropped only on purpose: Space
  // (cycleClitic) or the exact-characters mode (snapExact).
  snapWords(start, end) {
    const tokens = this.tokens;
    const s0 = Math.max(0, Math.min(start, end));
    const e0 = Math.min(this.chars.length, Math.max(start, end));
    const first = tokenFrom(tokens, s0);
    const last = tokenUntil(tokens, e0);
    if (first >= tokens.length || last < 0 || first > last) return null;
    return { start: tokens[first].start, end: tokens[last].end };
  }

  snap(start, end, { exact = false } = {}) {
    return exact ? this.snapExact(start, end) : this.snapWords(start, end);
  }

  splitsOf(tokenIndex) {
    return cliticSplits(this.chars, this.tokens[tokenIndex], {
      articleClitic: this.articleClitic,
    });
  }

  // The starts a selection may take with or without proclitics, whole word first; a single
  // entry when the word has none (or the start is not at a word).
  cliticStarts(start, end) {
    const index = tokenAt(this.tokens, start);
    if (index < 0) return [start];
    const token = this.tokens[index];
    const options = [token.start, ...this.splitsOf(index)].filter((p) => p < end);
    return options.includes(start) ? options : [start];
  }

  // The next start in cliticStarts: drops one more proclitic each time and stays at the bare
  // word (no wrapping round to the whole word); `back` keeps one more proclitic instead.
  cycleClitic(start, end, { back = false } = {}) {
    const options = this.cliticStarts(start, end);
    const k = options.indexOf(start);
    const next = Math.max(0, Math.min(options.length - 1, k + (back ? -1 : 1)));
    return options[next];
  }

  // Whether cycleClitic can drop (or, with `back`, keep) one more proclitic.
  canCycleClitic(start, end, { back = false } = {}) {
    return this.cycleClitic(start, end, { back }) !== start;
  }

  // Token-wise movement for keyboard selection: the boundary one word forward or back.
  nextWordEnd(offset) {
    const k = tokenFrom(this.tokens, offset);
    return k < this.tokens.length ? this.tokens[k].end : this.chars.length;
  }

  previousWordStart(offset) {
    const k = tokenUntil(this.tokens, offset);
    return k >= 0 ? this.tokens[k].start : 0;
  }

  nextCluster(offset) {
    let p = Math.min(this.chars.length, offset + 1);
    while (p < this.chars.length && !isClusterBoundary(this.chars, p)) p += 1;
    return p;
  }

  previousCluster(offset) {
    let p = Math.max(0, offset - 1);
    while (p > 0 && !isClusterBoundary(this.chars, p)) p -= 1;
    return p;
  }
}
