"""The page's pure ES modules, run in Chromium and checked against the Python rules.

offsets.js (UTF-16 <-> code points), text.js (character classes, tokens, cluster boundaries,
clitic-aware snapping), spans.js (layout of overlapping spans), store.js (operations, undo,
the unsent queue) and api.js (CSRF, errors). The modules are served from static/ on a fake
origin through Playwright routing, so no server or database is involved. Where Python has
the same rule (corpus.lib.text), the JavaScript must give exactly the Python answer.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corpus.lib.text import _char_class, is_cluster_boundary, tokenize, utf16_length
from tests.browser.conftest import module_page

pytestmark = pytest.mark.browser

MODULES = ("offsets", "text", "spans", "store", "api")

# Hard cases: emoji (astral, with skin tone, ZWJ family, keycap, flags) before and inside
# words, tashkeel on letters and on clitics, tatweel, Latin and both digit sets, NBSP.
SAMPLES = [
    "",
    "داعش",
    "😀 وداعش",
    "قال 👍🏽 إن وداعش انسحب من الرَّقَّة.",
    "👨\u200d👩\u200d👧 العائلة 🇸🇾🇮🇶 عادت",
    "بـالـجـيـش لـCNN و BBC في 2019 و١٬٠٠٠ شخص 3.5 كم",
    "وَالْجَيْشُ السُّورِيُّ 😀😀 «تَقَدَّمَ» نحو 1️⃣ مدينة",
    "𝐀𝐁𝐂 𠜎𠜱 حرف\u0670 ونقطة\u00a0هنا",
]
ALPHABET = (
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىةٱ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670ـ"
    "،؛؟«»“”.,:!?()-\"'0123456789٠١٢٣٤٥٦٧٨٩٫٬"
    "👍🏽😀👨👩👧\u200d\ufe0f\u20e3🇸🇾🇮🇶𠜎\u200c\u200e"
    "CNNabc \n\t\u00a0"
)
texts = st.text(alphabet=ALPHABET, max_size=60)
# Code points JavaScript and Python must classify alike (Python's Unicode version decides).
CLASS_RANGES = [
    (0x0000, 0x0900),
    (0x1680, 0x1681),
    (0x2000, 0x2070),
    (0x20D0, 0x20F0),
    (0x3000, 0x3001),
    (0xFB50, 0xFF00),
    (0x1F1E6, 0x1F200),
    (0x1F300, 0x1F700),
    (0xE0020, 0xE0080),
]
CLASS_NAMES = ["space", "letter", "mark", "digit", "punct", "symbol"]


@pytest.fixture(scope="module")
def js(browser):
    page = module_page(browser, list(MODULES))
    yield page
    page.context.close()


def run(page, body: str, arg=None):
    """Evaluate `body` (a function of `m`, the modules, and `arg`) in the page."""
    return page.evaluate(f"(arg) => {{ const m = window.m; {body} }}", arg)


# ---- offsets.js ---------------------------------------------------------------------------


def python_offsets(text: str) -> dict:
    to16 = [utf16_length(text[:i]) for i in range(len(text) + 1)]
    to_cp_start, to_cp_end = [], []
    for j in range(utf16_length(text) + 1):
        below = max(i for i in range(len(text) + 1) if to16[i] <= j)
        above = min(i for i in range(len(text) + 1) if to16[i] >= j)
        to_cp_start.append(below)
        to_cp_end.append(above)
    return {"to16": to16, "start": to_cp_start, "end": to_cp_end}


JS_OFFSETS = """
    const results = [];
    for (const text of arg) {
      const map = new m.offsets.OffsetMap(text);
      const to16 = [], start = [], end = [];
      for (let i = 0; i <= map.lengthCp; i++) to16.push(map.toUtf16(i));
      for (let j = 0; j <= text.length; j++) {
        start.push(map.toCodePoint(j, "start"));
        end.push(map.toCodePoint(j, "end"));
      }
      results.push({to16, start, end, lengthCp: map.lengthCp});
    }
    return results;
"""


def test_offsets_match_python_for_emoji_diacritics_tatweel_and_latin(js):
    results = run(js, JS_OFFSETS, SAMPLES)
    for text, got in zip(SAMPLES, results, strict=True):
        expected = python_offsets(text)
        assert got["lengthCp"] == len(text)
        assert got["to16"] == expected["to16"], text
        assert got["start"] == expected["start"], text
        assert got["end"] == expected["end"], text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(texts, min_size=1, max_size=8))
def test_offsets_match_python_on_generated_text(js, batch):
    for text, got in zip(batch, run(js, JS_OFFSETS, batch), strict=True):
        expected = python_offsets(text)
        assert (got["to16"], got["start"], got["end"]) == (
            expected["to16"],
            expected["start"],
            expected["end"],
        ), text


def test_slices_by_code_points_exactly_like_python_after_an_emoji(js):
    text = "😀 قال 👍🏽 إن وداعش انسحب"
    start = text.index("داعش")
    got = run(
        js,
        "const map = new m.offsets.OffsetMap(arg.text);"
        "return [map.slice(arg.start, arg.end), map.toUtf16(arg.start),"
        " m.offsets.utf16ToCodePoint(arg.text, map.toUtf16(arg.start)),"
        " m.offsets.codePointToUtf16(arg.text, arg.start), m.offsets.codePointLength(arg.text)];",
        {"text": text, "start": start, "end": start + 4},
    )
    assert got == [
        "داعش",
        utf16_length(text[:start]),
        start,
        utf16_length(text[:start]),
        len(text),
    ]
    assert got[1] == start + 3  # three astral characters before it: 😀 👍 🏽


def test_a_span_with_emoji_inside_slices_like_python(js):
    text = "😀 قال 👍🏽 إن 👨‍👩‍👧 وداعش"
    spans = [(2, 8), (text.index("إن"), len(text)), (0, 1), (6, 8)]
    got = run(
        js,
        """const map = new m.offsets.OffsetMap(arg.text);
        return arg.spans.map(([s, e]) => {
          const s16 = map.toUtf16(s), e16 = map.toUtf16(e);
          return [arg.text.slice(s16, e16), map.toCodePoint(s16), map.toCodePoint(e16)];
        });""",
        {"text": text, "spans": spans},
    )
    assert got == [[text[s:e], s, e] for s, e in spans]
    assert got[0][0] == "قال 👍🏽"


def test_offsets_out_of_range_are_refused(js):
    errors = run(
        js,
        """const map = new m.offsets.OffsetMap("😀ab");
        const out = [];
        for (const f of [() => map.toUtf16(4), () => map.toCodePoint(5), () => map.toUtf16(-1),
                         () => map.toCodePoint(1.5)]) {
          try { f(); out.push("ok"); } catch (e) { out.push(e.name); }
        }
        return out;""",
    )
    assert errors == ["RangeError"] * 4


# ---- text.js ------------------------------------------------------------------------------


def _class_sample() -> list[str]:
    chars = []
    for lo, hi in CLASS_RANGES:
        for code in range(lo, hi):
            char = chr(code)
            if unicodedata.category(char) in ("Cn", "Cs"):
                continue  # unassigned in Python's Unicode version, or a lone surrogate
            chars.append(char)
    return chars


def test_character_classes_match_python(js):
    chars = _class_sample()
    got = run(js, "return arg.map((ch) => m.text.charClass(ch));", chars)
    mismatches = [
        (f"U+{ord(c):04X}", CLASS_NAMES[g], _char_class(c))
        for c, g in zip(chars, got, strict=True)
        if CLASS_NAMES[g] != _char_class(c)
    ]
    assert mismatches == []


JS_TOKENS = """
    return arg.map((text) => {
      const chars = Array.from(text);
      const boundaries = [];
      for (let i = 0; i <= chars.length; i++) boundaries.push(m.text.isClusterBoundary(chars, i));
      return {tokens: m.text.tokenize(chars).map((t) => [t.start, t.end, t.kind]), boundaries};
    });
"""


def python_tokens(text: str) -> dict:
    return {
        "tokens": [[t.start, t.end, t.kind] for t in tokenize(text)],
        "boundaries": [is_cluster_boundary(text, i) for i in range(len(text) + 1)],
    }


def test_tokens_and_cluster_boundaries_match_python(js):
    for text, got in zip(SAMPLES, run(js, JS_TOKENS, SAMPLES), strict=True):
        assert got == python_tokens(text), text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(texts, min_size=1, max_size=8))
def test_tokens_and_cluster_boundaries_match_python_on_generated_text(js, batch):
    for text, got in zip(batch, run(js, JS_TOKENS, batch), strict=True):
        assert got == python_tokens(text), text


def snap(js, text: str, start: int, end: int, **options) -> str | None:
    """Snap text[start:end] (code points) and return the snapped text."""
    return run(
        js,
        """const model = new m.text.TextModel(arg.text, {articleClitic: arg.articleClitic});
        const r = model.snap(arg.start, arg.end, {exact: arg.exact});
        return r && model.slice(r.start, r.end);""",
        {
            "text": text,
            "start": start,
            "end": end,
            "exact": options.get("exact", False),
            "articleClitic": options.get("article_clitic", True),
        },
    )


def test_a_selection_inside_a_word_snaps_to_the_whole_word(js):
    text = "قال إن وداعش انسحب من المدينة."
    start = text.index("اعش")
    assert snap(js, text, start, start + 2) == "وداعش"
    # From the middle of one word to the middle of the next: both words, no punctuation lost.
    assert snap(js, text, text.index("نسحب"), text.index("لمدينة") + 2) == "انسحب من المدينة"
    # Whitespace at either end is dropped.
    assert snap(js, text, text.index(" إن"), text.index("إن") + 3) == "إن"
    assert snap(js, text, 3, 4) is None


# Words whose first letter is a proclitic and words where the same letter is the word's own:
# (word, the bare word Space reaches last). A start anywhere in the first letter snaps to the
# whole word either way; only Space (or exact characters) drops a letter.
CLITIC_TABLE = [
    ("وداعش", "داعش"),  # و: and
    ("فقال", "قال"),  # ف: so
    ("بالجيش", "جيش"),  # ب + the article
    ("للجيش", "جيش"),  # ل + the article without its alef
    ("كالأسد", "أسد"),  # ك + the article
    ("والرقة", "رقة"),  # و + the article
    ("الرقة", "رقة"),  # the article
    ("فرنسا", "رنسا"),  # ف is the word's own letter; Space still offers the cut
    ("لبنان", "بنان"),  # ل is the word's own letter
    ("وزارة", "زارة"),  # و is the word's own letter
    ("بغداد", "غداد"),  # ب is the word's own letter
    ("كركوك", "ركوك"),  # ك is the word's own letter
]


@pytest.mark.parametrize(("word", "bare"), CLITIC_TABLE)
def test_a_start_inside_the_first_letter_snaps_to_the_whole_word(js, word, bare):
    text = f"قال إن {word} انسحب"
    start = text.index(word)
    end = start + len(word)
    # Before the first letter, after it (the inner half of the letter pressed), after two.
    assert snap(js, text, start, end) == word
    assert snap(js, text, start + 1, end) == word
    assert snap(js, text, start + 2, end) == word
    # Exact characters keep the start the annotator chose.
    assert snap(js, text, start + 1, end, exact=True) == word[1:]
    # Space reaches the bare word and stops there.
    options = clitic_options(js, text, word)
    assert options[0] == word
    assert options[-1] == bare


def clitic_options(js, text: str, word: str, article_clitic: bool = True) -> list[str]:
    return run(
        js,
        """const model = new m.text.TextModel(arg.text, {articleClitic: arg.articleClitic});
        const start = Array.from(arg.text.slice(0, arg.text.indexOf(arg.word))).length;
        const end = start + Array.from(arg.word).length;
        return model.cliticStarts(start, end).map((s) => model.slice(s, end));""",
        {"text": text, "word": word, "articleClitic": article_clitic},
    )


def test_proclitic_options_for_conjunctions_prepositions_and_the_article(js):
    assert clitic_options(js, "😀 قال وداعش", "وداعش") == ["وداعش", "داعش"]
    assert clitic_options(js, "وبالجيش", "وبالجيش") == ["وبالجيش", "بالجيش", "الجيش", "جيش"]
    assert clitic_options(js, "للجيش", "للجيش") == ["للجيش", "جيش"]
    assert clitic_options(js, "فالمدينة", "فالمدينة", article_clitic=False) == [
        "فالمدينة",
        "المدينة",
    ]
    assert clitic_options(js, "لـداعش", "لـداعش") == ["لـداعش", "داعش"]
    # Marks stay with the clitic letter they sit on.
    assert clitic_options(js, "وَالرَّقَّة", "وَالرَّقَّة") == ["وَالرَّقَّة", "الرَّقَّة", "رَّقَّة"]
    # At least two letters must remain; words without a clitic letter have one option.
    assert clitic_options(js, "ول", "ول") == ["ول"]
    assert clitic_options(js, "مدينة", "مدينة") == ["مدينة"]
    assert clitic_options(js, "CNN", "CNN") == ["CNN"]


def test_space_drops_one_proclitic_at_a_time_and_stops_at_the_bare_word(js):
    got = run(
        js,
        """const model = new m.text.TextModel("قال وبالجيش");
        const seen = [];
        let start = 4;
        for (let k = 0; k < 5; k++) {
          seen.push([model.slice(start, 11), model.canCycleClitic(start, 11)]);
          start = model.cycleClitic(start, 11);
        }
        const back = [];
        for (let k = 0; k < 4; k++) {
          start = model.cycleClitic(start, 11, {back: true});
          back.push(model.slice(start, 11));
        }
        return [seen, back];""",
    )
    assert got == [
        [
            ["وبالجيش", True],
            ["بالجيش", True],
            ["الجيش", True],
            ["جيش", False],
            ["جيش", False],
        ],
        ["الجيش", "بالجيش", "وبالجيش", "وبالجيش"],
    ]


def test_exact_snapping_never_splits_a_letter_from_its_marks(js):
    text = "وَالرَّقَّة 👍🏽 مدينةٌ"
    pairs = [(s, e) for s in range(len(text)) for e in range(s + 1, len(text) + 1)]
    got = run(
        js,
        """const model = new m.text.TextModel(arg.text);
        return arg.pairs.map(([s, e]) => {
          const r = model.snapExact(s, e);
          return r && [r.start, r.end];
        });""",
        {"text": text, "pairs": pairs},
    )
    for (s, e), r in zip(pairs, got, strict=True):
        if r is None:
            assert text[s:e].strip() == ""
            continue
        start, end = r
        assert is_cluster_boundary(text, start) and is_cluster_boundary(text, end), (s, e, r)
        assert start <= max(s, start) and text[start:end].strip() == text[start:end]
        # It only grows to complete a cluster and only shrinks over whitespace.
        assert text[s:e].strip() in text[start:end] or text[start:end] in text[s:e]


def test_word_movement_for_keyboard_selection(js):
    got = run(
        js,
        """const model = new m.text.TextModel("قال إن 😀 وداعش");
        return [model.nextWordEnd(0), model.nextWordEnd(3), model.nextWordEnd(8),
                model.previousWordStart(14), model.previousWordStart(9), model.previousWordStart(0),
                model.nextCluster(0), model.previousCluster(3)];""",
    )
    assert got == [3, 6, 14, 9, 7, 0, 1, 2]


# ---- spans.js -----------------------------------------------------------------------------

spans_strategy = st.lists(
    st.tuples(st.integers(0, 40), st.integers(1, 12), st.sampled_from(["PER", "ORG", "CLAIM"])),
    max_size=12,
).map(
    lambda items: [
        {"id": f"s{i}", "start": s, "end": min(s + n, 50), "label": label}
        for i, (s, n, label) in enumerate(items)
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(spans_strategy)
def test_layout_partitions_the_text_and_keeps_each_span_on_one_free_level(js, spans):
    result = run(
        js,
        """const r = m.spans.layoutSegments(arg, 50);
        return {segments: r.segments, levels: Object.fromEntries(r.levels), depth: r.depth};""",
        spans,
    )
    segments, levels = result["segments"], result["levels"]
    assert segments[0]["start"] == 0 and segments[-1]["end"] == 50
    for a, b in zip(segments, segments[1:], strict=False):
        assert a["end"] == b["start"] and a["start"] < a["end"]
    for segment in segments:
        covering = {s["id"] for s in spans if s["start"] <= segment["start"] < s["end"]}
        assert set(segment["spans"]) == covering
        assert [levels[i] for i in segment["spans"]] == sorted(levels[i] for i in segment["spans"])
        ending = {s["id"] for s in spans if s["end"] == segment["end"]}
        assert set(segment["ends"]) == ending
    for a in spans:
        for b in spans:
            if a["id"] < b["id"] and a["start"] < b["end"] and b["start"] < a["end"]:
                assert levels[a["id"]] != levels[b["id"]], (a, b)
    assert result["depth"] == (max(levels.values()) + 1 if spans else 0)


def test_nested_spans_stack_and_the_innermost_wins_a_click(js):
    got = run(
        js,
        """const spans = [{id: "outer", start: 0, end: 10, label: "ORG"},
                        {id: "inner", start: 2, end: 5, label: "PER"},
                        {id: "cross", start: 8, end: 12, label: "LOC"}];
        const r = m.spans.layoutSegments(spans, 12);
        return {levels: Object.fromEntries(r.levels),
                inner: m.spans.innermost(spans.slice(0, 2), r.levels).id,
                cuts: r.segments.map((s) => [s.start, s.end, s.spans])};""",
    )
    assert got["levels"] == {"outer": 0, "inner": 1, "cross": 1}
    assert got["inner"] == "inner"
    assert got["cuts"] == [
        [0, 2, ["outer"]],
        [2, 5, ["outer", "inner"]],
        [5, 8, ["outer"]],
        [8, 10, ["outer", "cross"]],
        [10, 12, ["cross"]],
    ]


# ---- store.js -----------------------------------------------------------------------------

ops_strategy = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"), st.integers(0, 5), st.integers(0, 8), st.sampled_from(["PER", "CLAIM"])
        ),
        st.tuples(st.just("remove"), st.integers(0, 5)),
        st.tuples(st.just("label"), st.integers(0, 5), st.sampled_from(["PER", "ORG", "CLAIM"])),
        st.tuples(st.just("relation"), st.integers(0, 5), st.integers(-1, 5)),
        st.tuples(
            st.just("stance"),
            st.sampled_from(["isis", "army"]),
            st.sampled_from([None, "favor", "against"]),
        ),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    max_size=25,
)

FAKE_STORAGE = """
    const storage = new Map();
    const fake = {
      get length() { return storage.size; },
      key: (i) => [...storage.keys()][i] ?? null,
      getItem: (k) => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
      removeItem: (k) => storage.delete(k),
    };
    const open = (assignmentId, version, content, tabId) => new m.store.AnnotationStore(
      {assignmentId, annotation: {version, content}, storage: fake, tabId});
"""

JS_STORE_RUN = (
    FAKE_STORAGE
    + """
    const span = (id, start, label) => (
      {id, start, end: start + 2, label, text: "xx", attributes: {}});
    const initial = {spans: [{...span("s0", 0, "PER"), end: 3, text: "abc"}],
                     relations: [], document_labels: {stance: {isis: "neutral"}}};
    const store = open(7, 3, initial, "t");
    const start = m.store.canonicalJson(store.content);
    for (const [kind, a, b, c] of arg) {
      if (kind === "add") store.do({type: "add", span: span("s" + a, b, c)});
      else if (kind === "remove") store.do({type: "remove", id: "s" + a});
      else if (kind === "label") store.do({type: "update", id: "s" + a, label: b});
      else if (kind === "relation") {
        const to = b < 0 ? null : "s" + b;
        store.do({type: "relation", relation: "claimant", from: "s" + a, to});
      } else if (kind === "stance") store.do({type: "stance", target: a, value: b});
      else if (kind === "undo") store.undo();
      else if (kind === "redo") store.redo();
    }
    const json = m.store.canonicalJson;
    const base = m.store.normaliseContent(initial);
    const once = m.store.replay(base, store.pending);
    const final = json(store.content);
    const replayed = json(once);
    const twice = json(m.store.replay(once, store.pending));
    // A reload: a new store on the same storage and server state restores the queue.
    const restored = json(open(7, 3, initial, "t").content);
    while (store.undo());
    return {final, replayed, twice, restored, start, undoneAll: json(store.content)};
"""
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops_strategy)
@example([("relation", 0, 1), ("add", 1, 0, "PER")])  # a relation to a span not there yet
# A relabel onto another span's range and label: refused, or a replay would drop a span.
@example(
    [
        ("add", 1, 0, "PER"),
        ("undo",),
        ("redo",),
        ("remove", 0),
        ("add", 0, 0, "CLAIM"),
        ("label", 0, "PER"),
    ]
)
def test_store_replays_restores_and_undoes_any_sequence(js, steps):
    got = run(js, JS_STORE_RUN, [list(step) for step in steps])
    assert got["replayed"] == got["final"]  # the unsent queue rebuilds the document
    assert got["twice"] == got["final"]  # replaying twice changes nothing (idempotent)
    assert got["restored"] == got["final"]  # a reload restores unsent work from storage
    assert got["undoneAll"] == got["start"]  # undo walks all the way back


def test_store_acknowledges_a_save_and_keeps_later_changes_queued(js):
    got = run(
        js,
        """const store = new m.store.AnnotationStore(
          {assignmentId: 1, annotation: {version: 1, content: null}});
        store.do({type: "stance", target: "isis", value: "favor"});
        const snapshot = store.snapshot();
        store.do({type: "stance", target: "army", value: "against"});
        const stance = {isis: "favor"};
        store.acknowledge(snapshot,
          {version: 2, content: {spans: [], relations: [], document_labels: {stance}}});
        return {version: store.version, pending: store.pending.length,
                stance: store.content.document_labels.stance, dirty: store.dirty};""",
    )
    assert got == {
        "version": 2,
        "pending": 1,
        "stance": {"isis": "favor", "army": "against"},
        "dirty": True,
    }


def test_store_rebases_unsent_changes_on_a_newer_server_version(js):
    got = run(
        js,
        FAKE_STORAGE
        + """const empty = {spans: [], relations: [], document_labels: {stance: {}}};
        const mine = open(5, 1, empty, "a");
        const span = {id: "mine", start: 0, end: 2, label: "PER", text: "ab", attributes: {}};
        mine.do({type: "add", span});
        // Someone else saved version 2 with their own span; this tab reloads.
        const theirs = {spans: [{...span, id: "theirs", start: 3, end: 5, label: "ORG"}],
                        relations: [], document_labels: {stance: {isis: "against"}}};
        const reloaded = open(5, 2, theirs, "b");
        return {ids: reloaded.content.spans.map((s) => s.id).sort(), restored: reloaded.restored,
                keys: [...storage.keys()]};""",
    )
    assert got["ids"] == ["mine", "theirs"]
    assert got["restored"] == {"count": 1, "fromVersion": 1}
    assert got["keys"] == ["annotate:unsent:5:b"]


def test_new_span_ids_are_valid_and_distinct(js):
    ids = run(js, "return Array.from({length: 500}, () => m.store.newSpanId());")
    assert len(set(ids)) == 500
    assert all(len(i) <= 64 and i.isascii() and i.isalnum() for i in ids)


# ---- api.js -------------------------------------------------------------------------------


def test_api_sends_csrf_on_writes_and_reports_errors_and_offline(js):
    got = run(
        js,
        """return (async () => {
          document.cookie = "csrftoken=tok%3D123; path=/";
          const seen = [];
          const respond = (status, body) => async (url, init) => {
            seen.push([init.method, init.headers["X-CSRFToken"] || null, init.body || null]);
            return new Response(body === null ? null : JSON.stringify(body), {status});
          };
          const out = {};
          const call = (options) => m.api.apiFetch("/x", options);
          out.ok = await call({method: "PUT", body: {a: 1}, fetchImpl: respond(200, {v: 2})});
          out.get = await call({fetchImpl: respond(204, null)});
          const failures = [["conflict", 409, {detail: "stale", current_version: 4}],
                            ["invalid", 400, {detail: "bad", field: "spans[0].end"}],
                            ["down", 503, {detail: "maintenance"}]];
          for (const [name, status, body] of failures) {
            try { await call({method: "POST", fetchImpl: respond(status, body)}); }
            catch (e) { out[name] = [e.name, e.status ?? null, e.detail ?? null, e.field ?? null]; }
          }
          const broken = async () => { throw new TypeError("Failed to fetch"); };
          try { await call({fetchImpl: broken}); } catch (e) { out.offline = e.name; }
          out.seen = seen;
          out.cookie = m.api.readCookie("csrftoken", "a=1; csrftoken=tok%3D123; b=2");
          return out;
        })();""",
    )
    assert got["ok"] == {"status": 200, "data": {"v": 2}}
    assert got["get"] == {"status": 204, "data": None}
    assert got["conflict"] == ["ApiError", 409, "stale", None]
    assert got["invalid"] == ["ApiError", 400, "bad", "spans[0].end"]
    assert got["down"] == ["NetworkError", None, None, None]
    assert got["offline"] == "NetworkError"
    assert got["seen"][0] == ["PUT", "tok=123", json.dumps({"a": 1}, separators=(",", ":"))]
    assert got["seen"][1] == ["GET", None, None]
    assert got["cookie"] == "tok=123"


def test_store_names_a_lone_added_or_removed_span_and_nothing_else(js):
    got = run(
        js,
        """const span = (id) => ({id, start: 0, end: 2, label: "PER", text: "xx", attributes: {}});
        const content = {spans: [span("old")], relations: [], document_labels: {stance: {}}};
        const fresh = () => new m.store.AnnotationStore(
          {assignmentId: 1, annotation: {version: 4, content}});
        const out = {};
        let store = fresh();
        out.none = store.singleSpanChange();
        store.do({type: "add", span: {...span("new"), start: 3, end: 5}});
        out.added = store.singleSpanChange();
        store.do({type: "stance", target: "isis", value: "favor"});
        out.twoChanges = store.singleSpanChange();
        store = fresh();
        store.do({type: "remove", id: "old"});
        out.removed = store.singleSpanChange();
        store = fresh();
        store.do({type: "update", id: "old", label: "ORG"});
        out.relabelled = store.singleSpanChange();
        return out;""",
    )
    assert got["none"] is None
    assert got["added"] == {
        "add": {"id": "new", "start": 3, "end": 5, "label": "PER", "text": "xx", "attributes": {}}
    }
    assert got["twoChanges"] is None
    assert got["removed"] == {"remove": "old"}
    assert got["relabelled"] is None
