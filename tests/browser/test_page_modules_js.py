"""The marking pages' shared modules and their start(), run in Chromium without a server.

keys.js (what a key press asks for, one rule for where the focus is), page.js (placeholders,
template strings, the status line), editing.js (edits as store operations), store.js's
DocumentStore (settled decisions in the undo history, the saved revision), adjudicate.js's
decisions, and each page's start(root, data) on a small DOM fixture. As in test_offsets_js,
the modules are served from static/ on a made-up origin; the REST API is a fake.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.browser.conftest import MODULE_ORIGIN, module_page, serve_modules
from tests.factories import span_of

pytestmark = pytest.mark.browser

MODULES = ("keys", "page", "editing", "store", "adjudicate", "annotate-page")

TEXT = "😀 قال المتحدث إن وداعش انسحب من الميادين، وأكد الجيش السوري ذلك."

# Every place the focus can be, for the keyboard rule.
FOCUS_FIXTURE = """<!doctype html><meta charset=utf-8><title>focus</title>
<div id="article" tabindex="0" lang="ar" dir="rtl">قال المتحدث</div>
<button id="button">b</button> <a id="link" href="#x">a</a>
<details><summary id="summary">s</summary></details>
<input id="radio" type="radio" name="r" value="1"> <input id="checkbox" type="checkbox">
<input id="submit" type="submit">
<input id="text" type="text"> <input id="untyped"> <input id="number" type="number">
<input id="search" type="search"> <textarea id="textarea"></textarea>
<select id="select"><option>1</option></select>
<div id="editable" contenteditable="true"><b>bold</b></div>
<div id="plain-editable" contenteditable="plaintext-only">plain</div>
<dialog id="dialog" open><button id="in-dialog">close</button></dialog>
"""


@pytest.fixture(scope="module")
def js(browser):
    page = module_page(browser, list(MODULES), html=FOCUS_FIXTURE)
    yield page
    page.context.close()


def run(page, body: str, arg=None):
    """Evaluate `body` (a function of `m`, the modules, and `arg`) in the page."""
    return page.evaluate(f"(arg) => {{ const m = window.m; {body} }}", arg)


# ---- keys.js -------------------------------------------------------------------------------

COMMAND = """
    const shortcuts = new Map([["1", "PER"], ["2", "ORG"], ["c", "CLAIM"]]);
    return arg.map(([selector, init]) => {
      const target = selector === "body" ? document.body : document.querySelector(selector);
      const command = m.keys.keyCommand({code: "", ...init, target}, shortcuts);
      return command && command.name + (command.label ? `:${command.label}` : "");
    });
"""


def commands(js, cases: list[tuple[str, dict]]) -> list[str | None]:
    return run(js, COMMAND, [list(case) for case in cases])


NOT_TYPING = ["body", "#article", "#button", "#link", "#summary", "#radio", "#checkbox", "#submit"]
TYPING = [
    "#text",
    "#untyped",
    "#number",
    "#search",
    "#textarea",
    "#select",
    "#editable",
    "#editable b",
    "#plain-editable",
]


def test_a_label_key_marks_from_any_non_text_control_and_is_typing_in_a_text_field(js):
    got = commands(js, [(where, {"key": "2", "code": "Digit2"}) for where in NOT_TYPING + TYPING])
    assert dict(zip(NOT_TYPING + TYPING, got, strict=True)) == {
        **dict.fromkeys(NOT_TYPING, "label:ORG"),
        **dict.fromkeys(TYPING, None),
    }
    fields = run(
        js, "return arg.map((s) => m.keys.isTextField(document.querySelector(s)));", TYPING
    )
    assert all(fields)


def test_nothing_is_a_shortcut_in_a_dialog_or_while_an_input_method_composes(js):
    assert commands(
        js,
        [
            ("#in-dialog", {"key": "2"}),
            ("#in-dialog", {"key": "Delete"}),
            ("#article", {"key": "2", "isComposing": True}),
            ("#article", {"key": "2", "defaultPrevented": True}),
        ],
    ) == [None, None, None, None]


def test_label_keys_on_an_arabic_layout_and_with_modifiers(js):
    assert commands(
        js,
        [
            ("#article", {"key": "٢", "code": "Digit2"}),  # Arabic-Indic digit
            ("#article", {"key": "۱", "code": "Digit1"}),  # Persian digit
            ("#article", {"key": "ؤ", "code": "KeyC"}),  # the C key on an Arabic layout
            ("#article", {"key": "C", "code": "KeyC", "shiftKey": True}),
            ("#article", {"key": "2", "code": "Digit2", "altKey": True}),
            ("#article", {"key": "x", "code": "KeyX"}),
        ],
    ) == ["label:ORG", "label:PER", "label:CLAIM", None, None, None]


def test_the_other_shortcuts_and_the_keys_a_control_keeps(js):
    cases = {
        "undo": ("#radio", {"key": "z", "ctrlKey": True}),
        "redo with shift": ("#button", {"key": "Z", "ctrlKey": True, "shiftKey": True}),
        "redo with y": ("body", {"key": "y", "metaKey": True}),
        "ctrl+alt+z": ("body", {"key": "z", "ctrlKey": True, "altKey": True}),
        "ctrl+z in a field": ("#text", {"key": "z", "ctrlKey": True}),
        "other ctrl": ("body", {"key": "s", "ctrlKey": True}),
        "help": ("#button", {"key": "?"}),
        "arabic help": ("#article", {"key": "؟"}),
        "escape": ("#article", {"key": "Escape"}),
        "escape in a field": ("#select", {"key": "Escape"}),
        "enter": ("#article", {"key": "Enter"}),
        "enter on a button": ("#button", {"key": "Enter"}),
        "enter on a radio": ("#radio", {"key": "Enter"}),
        "enter on a checkbox": ("#checkbox", {"key": "Enter"}),
        "enter on a link": ("#link", {"key": "Enter"}),
        "enter in a field": ("#text", {"key": "Enter"}),
        "delete": ("#checkbox", {"key": "Delete"}),
        "backspace": ("#article", {"key": "Backspace"}),
        "space": ("#article", {"key": " "}),
        "shift+space": ("#article", {"key": " ", "shiftKey": True}),
        "space on a button": ("#button", {"key": " "}),
        "left": ("#article", {"key": "ArrowLeft"}),
        "right on a button": ("#button", {"key": "ArrowRight"}),
        "arrow in a radio group": ("#radio", {"key": "ArrowLeft"}),
        "shift+arrow in a radio group": ("#radio", {"key": "ArrowLeft", "shiftKey": True}),
        "shift+left": ("#article", {"key": "ArrowLeft", "shiftKey": True}),
        "shift+alt+right": ("#link", {"key": "ArrowRight", "shiftKey": True, "altKey": True}),
        "alt+left": ("#article", {"key": "ArrowLeft", "altKey": True}),
    }
    got = run(
        js,
        """return arg.map(([selector, init]) => {
          const target = selector === "body" ? document.body : document.querySelector(selector);
          return m.keys.keyCommand({code: "", ...init, target}, new Map());
        });""",
        [list(case) for case in cases.values()],
    )
    assert dict(zip(cases, got, strict=True)) == {
        "undo": {"name": "undo"},
        "redo with shift": {"name": "redo"},
        "redo with y": {"name": "redo"},
        "ctrl+alt+z": None,
        "ctrl+z in a field": None,  # the field's own undo
        "other ctrl": None,
        "help": {"name": "help"},
        "arabic help": {"name": "help"},
        "escape": {"name": "escape", "keepDefault": True},
        "escape in a field": {"name": "leave-field", "keepDefault": True},
        "enter": {"name": "submit"},
        "enter on a button": None,
        "enter on a radio": {"name": "submit"},
        "enter on a checkbox": {"name": "submit"},
        "enter on a link": None,
        "enter in a field": None,
        "delete": {"name": "delete"},
        "backspace": {"name": "delete"},
        "space": {"name": "clitic", "back": False},
        "shift+space": {"name": "clitic", "back": True},
        "space on a button": None,
        # Right-to-left: the left arrow goes forward.
        "left": {"name": "move", "forward": True, "alt": False},
        "right on a button": {"name": "move", "forward": False, "alt": False},
        "arrow in a radio group": None,
        "shift+arrow in a radio group": None,
        "shift+left": {"name": "extend", "forward": True, "exact": False},
        "shift+alt+right": {"name": "extend", "forward": False, "exact": True},
        "alt+left": {"name": "move", "forward": True, "alt": True},
    }


def test_bound_keys_keep_the_browser_default_unless_handled(js):
    got = run(
        js,
        """const target = document.createElement("div");
        const seen = [];
        m.keys.bindKeys({
          label: ({label}) => { seen.push(label); },
          delete: () => false,  // nothing to delete: the browser keeps Backspace
          escape: () => { seen.push("escape"); },
        }, {shortcuts: new Map([["1", "PER"]]), target});
        const press = (key) => {
          const event = new KeyboardEvent("keydown", {key, bubbles: true, cancelable: true});
          target.dispatchEvent(event);
          return event.defaultPrevented;
        };
        return {label: press("1"), delete: press("Backspace"), escape: press("Escape"),
                help: press("?"), other: press("q"), seen};""",
    )
    assert got == {
        "label": True,
        "delete": False,
        "escape": False,  # Esc still closes what the browser closes
        "help": False,  # no handler: not a shortcut here
        "other": False,
        "seen": ["PER", "escape"],
    }


def test_label_shortcuts_give_free_digits_to_labels_without_one(js):
    got = run(
        js,
        """return [...m.keys.labelShortcuts([
          {key: "PER", shortcut: "1"}, {key: "ORG"}, {key: "OLD", retired: true},
          {key: "LOC"}, {key: "CLAIM", shortcut: "c"}, null])];""",
    )
    assert got == [["1", "PER"], ["2", "ORG"], ["3", "LOC"], ["c", "CLAIM"]]


# ---- page.js -------------------------------------------------------------------------------


def test_format_fills_python_placeholders_once(js):
    got = run(
        js,
        """const f = m.page.format;
        return [f("%(done)s of %(total)s", {done: 3, total: 0}),
                f("جارٍ الرفع… %(percent)s%%", {percent: 40}),
                f("%(detail)s", {detail: "$& 100%% %(x)s"}),
                f("%(missing)s|", {}),
                f("no placeholders", {})];""",
    )
    assert got == ["3 of 0", "جارٍ الرفع… 40%", "$& 100%% %(x)s", "|", "no placeholders"]


def test_template_strings_and_the_status_line(js):
    got = run(
        js,
        """return (async () => {
          const holder = document.createElement("div");
          for (const [attribute, name, text] of [["key", "deleted", "حُذف"],
                                                 ["value", "favor", "مؤيد"]]) {
            const span = document.createElement("span");
            span.dataset[attribute] = name;
            span.textContent = text;
            holder.append(span);
          }
          const status = document.createElement("p");
          const flash = m.page.createFlash(status, {duration: 30});
          flash("<b>تم</b>");
          const shown = status.textContent;
          const markup = status.children.length;
          await new Promise((resolve) => setTimeout(resolve, 80));
          return {keys: m.page.templateStrings(holder, "key"),
                  values: m.page.templateStrings(holder, "value"),
                  none: m.page.templateStrings(null, "key"),
                  shown, markup, after: status.textContent};
        })();""",
    )
    assert got == {
        "keys": {"deleted": "حُذف"},
        "values": {"favor": "مؤيد"},
        "none": {},
        "shown": "<b>تم</b>",
        "markup": 0,
        "after": "",
    }


# ---- editing.js ----------------------------------------------------------------------------

CONTENT = {
    "spans": [
        {"id": "per", "start": 4, "end": 11, "label": "PER", "text": "المتحدث", "attributes": {}},
        {
            "id": "claim",
            "start": 15,
            "end": 20,
            "label": "CLAIM",
            "text": "وداعش",
            "attributes": {"checkworthy": True, "claimant": None, "stance": "reports"},
        },
    ],
    "relations": [{"type": "claimant", "from": "claim", "to": "per"}],
    "document_labels": {"stance": {}},
}


def test_relabelling_keeps_claims_and_claimants_consistent(js):
    got = run(
        js,
        """const apply = (op) => m.store.applyOp(arg, op);
        const e = m.editing;
        const claimToEntity = apply(e.relabelOp(arg, "claim", "ORG", "CLAIM"));
        const entityToClaim = apply(e.relabelOp(arg, "per", "CLAIM", "CLAIM"));
        const entityToEntity = apply(e.relabelOp(arg, "per", "ORG", "CLAIM"));
        return {
          claimToEntity: [claimToEntity.spans[1].attributes, claimToEntity.relations],
          entityToClaim: [entityToClaim.spans[0].attributes, entityToClaim.relations],
          entityToEntity: [entityToEntity.spans[0].label, entityToEntity.relations.length],
          same: e.relabelOp(arg, "per", "PER", "CLAIM"),
          missing: e.relabelOp(arg, "gone", "PER", "CLAIM"),
        };""",
        CONTENT,
    )
    assert got == {
        "claimToEntity": [{}, []],
        "entityToClaim": [{"checkworthy": None, "claimant": None, "stance": None}, []],
        "entityToEntity": ["ORG", 1],
        "same": None,
        "missing": None,
    }


def test_a_claimant_is_either_a_span_or_a_value(js):
    got = run(
        js,
        """const e = m.editing;
        const apply = (content, op) => m.store.applyOp(content, op);
        const author = apply(arg, e.claimantOp(arg, "claim", "author"));
        const back = apply(author, e.claimantOp(author, "claim", e.claimantFromChoice("span:per")));
        const missing = apply(arg, e.claimantOp(arg, "claim", {span: "gone"}));
        const claimOf = (c) => e.claimantOf(c, c.spans.find((s) => s.id === "claim"));
        return {author: [claimOf(author), author.relations.length],
                back: [claimOf(back), back.spans[1].attributes.claimant],
                missing: claimOf(missing), none: e.claimantFromChoice("")};""",
        CONTENT,
    )
    assert got == {
        "author": ["author", 0],
        "back": [{"span": "per"}, None],
        "missing": None,
        "none": None,
    }


def test_a_click_selects_the_innermost_span_then_the_next_one_out(js):
    got = run(
        js,
        """const spans = [{id: "outer", start: 0, end: 10, label: "ORG"},
                       {id: "inner", start: 2, end: 5, label: "PER"},
                       {id: "middle", start: 1, end: 8, label: "LOC"}];
        const order = [];
        let selected = null;
        for (let k = 0; k < 4; k++) {
          selected = m.editing.clickedSpan(spans, selected).id;
          order.push(selected);
        }
        return {order, none: m.editing.clickedSpan([], "x")};""",
    )
    assert got == {"order": ["inner", "middle", "outer", "inner"], "none": None}


# ---- store.js: DocumentStore and adjudicate.js's decisions --------------------------------

DECISIONS = [
    {
        "id": "span:loc",
        "kind": "span",
        "span": {
            "id": "loc",
            "start": 33,
            "end": 41,
            "label": "LOC",
            "text": "الميادين",
            "attributes": {},
        },
        "suggestion": None,
    },
    {
        "id": "attr:claim:claimant",
        "kind": "attribute",
        "span_id": "claim",
        "attribute": "claimant",
        "suggestion": None,
    },
    {
        "id": "attr:claim:checkworthy",
        "kind": "attribute",
        "span_id": "claim",
        "attribute": "checkworthy",
        "suggestion": None,
    },
    {"id": "stance:isis", "kind": "stance", "target": "isis", "suggestion": "against"},
]


def test_settling_decisions_changes_the_gold_and_undo_opens_them_again(js):
    got = run(
        js,
        """const [content, decisions] = arg;
        const store = new m.store.DocumentStore(content);
        const a = m.adjudicate;
        const settle = (decision, value) => store.do(a.decisionOp(store.content, decision, value));
        const values = () => decisions.map((d) => a.currentValue(store.content, d));
        const open = () => decisions.filter(
          (d) => a.isOpenDecision(d, {fromGold: false, settled: store.settled})).map((d) => d.id);
        const out = {start: {values: values(), settled: {...store.settled}, open: open()}};
        out.targeted = [
          a.targetedDecision(decisions, "?decision=stance%3Aisis")?.id,
          a.targetedDecision(decisions, "?decision=nothing"),
          a.targetedDecision(decisions, ""),
        ];
        out.fromGold = decisions.filter(
          (d) => a.isOpenDecision(d, {fromGold: true, settled: {}})).length;
        const [span, claimant, checkworthy, stance] = decisions;
        settle(span, "accept");
        settle(claimant, "author");
        settle(checkworthy, false);
        settle(stance, "favor");
        out.decided = {values: values(), settled: {...store.settled}, unsaved: store.unsaved,
                       open: open()};
        out.again = settle(stance, "favor");  // the same choice changes nothing
        settle(span, "reject");
        out.rejected = values()[0];
        while (store.undo());
        out.undone = {values: values(), settled: {...store.settled}, unsaved: store.unsaved,
                      open: open(),
                      same: m.store.canonicalJson(store.content) === m.store.canonicalJson(
                        m.store.normaliseContent(content))};
        return out;""",
        [CONTENT, DECISIONS],
    )
    every = [d["id"] for d in DECISIONS]
    # Every decision starts open, the one with a suggestion too (no silent majority).
    assert got["start"] == {
        "values": ["reject", {"span": "per"}, True, None],
        "settled": {},
        "open": every,
    }
    assert got["targeted"] == ["stance:isis", None, None]
    assert got["fromGold"] == 0
    assert got["decided"] == {
        "values": ["accept", "author", False, "favor"],
        "settled": {
            "span:loc": "accept",
            "attr:claim:claimant": "author",
            "attr:claim:checkworthy": False,
            "stance:isis": "favor",
        },
        "unsaved": True,
        "open": [],
    }
    assert got["again"] is False
    assert got["rejected"] == "reject"
    assert got["undone"] == {
        "values": ["reject", {"span": "per"}, True, None],
        "settled": {},
        "open": every,
        "unsaved": False,
        "same": True,
    }


def test_the_saved_revision_is_unsaved_once_left_and_saved_again_when_back(js):
    got = run(
        js,
        """const store = new m.store.DocumentStore(null);
        const events = [];
        store.onChange((reason) => events.push(reason));
        const stance = (value) => store.do({type: "stance", target: "isis", value});
        const out = [];
        const note = (what) => out.push([what, store.unsaved, store.canUndo, store.canRedo]);
        note("loaded");
        stance("favor");
        note("changed");
        const revision = store.revision;
        stance("against");  // made while the save was on its way
        store.markSaved(revision, {spans: [], relations: [],
                                   document_labels: {stance: {isis: "favor"}}});
        note("saved an earlier revision");
        store.undo();
        note("undone to the saved revision");
        store.redo();
        store.undo();
        store.undo();
        note("undone past it");
        stance("neutral");
        note("a new change where the saved one was undone");
        store.undo();
        note("undone the new change");
        return {out, events, stance: store.content.document_labels.stance};""",
    )
    assert got["out"] == [
        ["loaded", False, False, False],
        ["changed", True, True, False],
        ["saved an earlier revision", True, True, False],
        ["undone to the saved revision", False, True, True],
        ["undone past it", True, False, True],
        ["a new change where the saved one was undone", True, True, False],
        ["undone the new change", True, False, True],
    ]
    assert got["events"] == ["do", "do", "saved", "undo", "redo", "undo", "undo", "do", "undo"]
    assert got["stance"] == {}


def test_a_save_answered_in_the_servers_form_replaces_the_document_only_when_it_differs(js):
    got = run(
        js,
        """const span = {id: "a", start: 0, end: 2, label: "PER", text: "ab", attributes: {}};
        const store = new m.store.DocumentStore({spans: [span]});
        store.do({type: "stance", target: "isis", value: "favor"});
        const before = store.content;
        store.markSaved(store.revision, {spans: [{...span, attributes: {x: null}}],
                                         document_labels: {stance: {isis: "favor"}}});
        const kept = store.content === before;
        store.markSaved(store.revision, {spans: [{...span, text: "AB"}],
                                         document_labels: {stance: {isis: "favor"}}});
        return {kept, text: store.content.spans[0].text, unsaved: store.unsaved};""",
    )
    assert got == {"kept": True, "text": "AB", "unsaved": False}


steps_strategy = st.lists(
    st.one_of(
        st.tuples(
            st.just("settle"),
            st.sampled_from(["d1", "d2"]),
            st.sampled_from([None, "accept", "reject", {"span": "s1"}, "open"]),
        ),
        st.tuples(st.just("add"), st.integers(0, 3)),
        st.tuples(st.just("remove"), st.integers(0, 3)),
        st.tuples(st.just("stance"), st.sampled_from([None, "favor", "against"])),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
        st.tuples(st.just("save")),
    ),
    max_size=30,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps_strategy)
def test_document_store_history_over_gold_and_decisions(js, steps):
    got = run(
        js,
        """const span = (k) => ({id: `s${k}`, start: k * 3, end: k * 3 + 2, label: "PER",
                                text: "ab", attributes: {}});
        const store = new m.store.DocumentStore({spans: [span(0)]}, {settled: {d1: "accept"}});
        const state = () => JSON.stringify([m.store.canonicalJson(store.content), store.settled]);
        const start = state();
        let saved = start;
        const wrongly = [];
        for (const [kind, a, b] of arg) {
          if (kind === "settle") {
            store.do({type: "settle", decision: a, value: b === "open" ? undefined : b});
          } else if (kind === "add") store.do({type: "add", span: span(a)});
          else if (kind === "remove") store.do({type: "remove", id: `s${a}`});
          else if (kind === "stance") store.do({type: "stance", target: "isis", value: a});
          else if (kind === "undo") store.undo();
          else if (kind === "redo") store.redo();
          else if (kind === "save") { store.markSaved(store.revision); saved = state(); }
          // Nothing unsaved means the document and decisions are the saved ones.
          if (!store.unsaved && state() !== saved) wrongly.push(kind);
        }
        const final = state();
        let undone = 0;
        while (store.undo()) undone += 1;
        const first = state();
        for (let k = 0; k < undone; k++) store.redo();
        return {wrongly, start, first, final, again: state(), undone};""",
        [list(step) for step in steps],
    )
    assert got["wrongly"] == []
    assert got["first"] == got["start"]  # undo walks back over gold and decisions alike
    assert got["again"] == got["final"]  # and redo as far forward again


# ---- the pages' start(root, data) on a fixture ---------------------------------------------

LABELS = {
    "PER": {"name": "Person", "color": "#1f77b4"},
    "ORG": {"name": "Organisation", "color": "#ff7f0e"},
    "LOC": {"name": "Place", "color": "#2ca02c"},
    "CLAIM": {"name": "Claim", "color": "#d62728"},
}
SCHEMA = {
    "entity_labels": [
        {"key": key, "name": LABELS[key]["name"], "color": LABELS[key]["color"], "shortcut": k}
        for key, k in (("PER", "1"), ("ORG", "2"), ("LOC", "3"))
    ],
    "claim_label": {"key": "CLAIM", "name": "Claim", "color": "#d62728", "shortcut": "c"},
    "stance_targets": [{"key": "isis", "name": "ISIS", "required": True}],
    "stance_values": ["favor", "against"],
    "claim_stance_values": ["supports", "reports"],
    "claimant_values": ["author", "unattributed"],
}
SPEAKER = span_of(TEXT, "المتحدث", "PER", span_id="speaker")
ARMY = span_of(TEXT, "الجيش السوري", "ORG", span_id="army")
TOWN = span_of(TEXT, "الميادين", "LOC", span_id="town")
# Interface text: each string is its own name, so a test reads which message was shown.
NAMES = """select_first already_marked marked label_changed nothing_selected deleted undone
redone nothing_to_undo nothing_to_redo pick_entity_only claimant_set pick_claimant exact_on
word_snap no_spans saved unsaved saving offline error conflict session submitting readonly
rebased submit_offline submit_failed accept reject none remove by marked_by all_decided tie yes
no not_set"""
STRINGS = {name: name for name in NAMES.split()} | {
    "span_of": "%(n)s/%(total)s",
    "stance_summary": "%(done)s/%(total)s",
    "missing_stance": "missing %(names)s",
    "list_separator": ", ",
    "restored": "%(count)s restored",
    "gold_saved": "saved %(version)s",
}

ANNOTATE_FIXTURE = """<!doctype html><meta charset=utf-8><title>annotate</title>
<div id="annotate" data-ready="false">
  <span id="save-state"></span>
  <button id="undo-button">undo</button><button id="redo-button">redo</button>
  <button id="exact-toggle">exact</button><button id="guidelines-toggle">guidelines</button>
  <button id="help-button">?</button><button id="submit-button">submit</button>
  <div id="conflict-banner" hidden><p id="conflict-text"></p>
    <button id="reload-button">r</button></div>
  <div id="error-banner" hidden><p id="error-text"></p><button id="discard-button">d</button></div>
  <p id="flash"></p>
  <div id="selection-bar" hidden><span id="selection-text"></span>
    <button id="clitic-button" hidden>clitic</button></div>
  <div id="article-text" lang="ar" dir="rtl" tabindex="0"></div>
  <button class="label-button" data-label="LOC" data-color="#2ca02c">Place</button>
  <section id="span-panel" hidden>
    <p id="span-position"></p><p id="span-text"></p>
    <select id="span-label"><option value="PER">Person</option><option value="ORG">Org</option>
      <option value="LOC">Place</option><option value="CLAIM">Claim</option></select>
    <div id="claim-fields" hidden>
      <select id="claimant-select"><option value="">-</option>
        <option value="author">author</option></select>
      <button id="pick-claimant">pick</button>
      <input type="radio" name="checkworthy" value="true">
      <input type="radio" name="checkworthy" value="">
    </div>
    <button id="delete-span">delete</button>
  </section>
  <section id="stance-panel"><p id="stance-summary"></p>
    <fieldset data-target="isis"><input type="radio" name="stance-isis" value="favor">
      <input type="radio" name="stance-isis" value="against"></fieldset>
  </section>
  <section id="guidelines-panel" hidden></section>
  <input id="check" type="checkbox"> <input id="note" type="text">
  <textarea id="comment"></textarea>
  <div id="editable" contenteditable="true">x</div>
  <dialog id="help-dialog"><button>close</button></dialog>
  <dialog id="submit-dialog"><p id="submit-summary"></p></dialog>
</div>
"""

ADJUDICATE_FIXTURE = """<!doctype html><meta charset=utf-8><title>adjudicate</title>
<div id="adjudicate" data-ready="false">
  <button id="save-gold">save</button><button id="undo-button">undo</button>
  <button id="redo-button">redo</button><button id="help-button">?</button>
  <a id="next-article" href="#" hidden>next</a><span id="gold-version">v</span>
  <span id="open-count"></span><span id="save-state"></span>
  <div id="conflict-banner" hidden><p id="conflict-text"></p>
    <button id="reload-button">r</button></div>
  <ul id="label-palette"></ul><button id="exact-toggle">exact</button>
  <div id="selection-bar" hidden><span id="selection-text"></span>
    <button id="clitic-button" hidden>clitic</button></div>
  <p id="flash"></p>
  <div id="gold-text" lang="ar" dir="rtl" tabindex="0"></div>
  <section id="span-panel" hidden>
    <p id="span-text"></p><select id="span-label"></select>
    <div id="claim-fields" hidden><select id="claimant-select"></select>
      <select id="checkworthy-select"><option value="">-</option><option value="true">yes</option>
        <option value="false">no</option></select>
      <select id="claim-stance-select"></select></div>
    <button id="delete-span">delete</button>
  </section>
  <ul id="gold-spans"></ul><div id="stance-panel"></div><ol id="decisions"></ol>
  <div class="annotator-text" data-annotation="1" lang="ar" dir="rtl"></div>
  <dl class="annotator-stance" data-annotation="1"></dl>
  <input id="radio" type="radio" name="some-choice" value="x"> <input id="note" type="text">
</div>
<dialog id="help-dialog"><button>close</button></dialog>
<div id="marking-strings" hidden><span data-key="deleted">حُذف</span>
  <span data-value="favor">مؤيد</span></div>
"""


class FakeApi:
    """The REST API as the pages call it: every write is stored and answered with the next
    version."""

    def __init__(self):
        self.version = 1
        self.requests: list[tuple[str, str, dict | None]] = []

    def __call__(self, route):
        request = route.request
        body = json.loads(request.post_data) if request.post_data else None
        path = urlparse(request.url).path
        self.requests.append((request.method, path, body))
        self.version += 1
        answer = {"version": self.version}
        if body and "content" in body:
            answer["content"] = body["content"]
        route.fulfill(status=200, body=json.dumps(answer), content_type="application/json")


def open_fixture(browser, html: str, module: str, root: str, data: dict, api=None):
    """A page holding `html`; `module`'s start() called on #root with `data`."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="ar")
    serve_modules(context, html=html, api=api)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{MODULE_ORIGIN}/")
    page.evaluate(
        """async ([module, root, data]) => {
          const {start} = await import(`/static/js/${module}`);
          window.handle = start(document.getElementById(root), data);
        }""",
        [module, root, data],
    )
    return page, errors


def annotation_data(**changes) -> dict:
    return {
        "assignment": {"id": 7},
        "article": {"text": TEXT},
        "schema": SCHEMA,
        "labels": [
            {"key": label["key"], "name": label["name"], "shortcut": label["shortcut"]}
            for label in [*SCHEMA["entity_labels"], SCHEMA["claim_label"]]
        ],
        "all_labels": LABELS,
        "annotation": {
            "version": 1,
            "content": {"spans": [SPEAKER], "relations": [], "document_labels": {"stance": {}}},
        },
        "readonly": False,
        "urls": {
            "annotation": "/api/annotation/",
            "spans": "/api/spans/",
            "submit": "/api/submit/",
            "next": "/next/",
        },
        "strings": STRINGS,
        "plurals": {
            "spans": {"one": "%(count)s span", "other": "%(count)s spans"},
            "claims": {"one": "%(count)s claim", "other": "%(count)s claims"},
        },
        **changes,
    }


def adjudication_data(**changes) -> dict:
    strings = {**STRINGS, "saved": STRINGS["gold_saved"]}
    del strings["deleted"]  # the template's text (marking-strings) supplies it
    return {
        "article": {"text": TEXT},
        "schema": SCHEMA,
        "labels": LABELS,
        "gold": None,
        "proposal": {"spans": [SPEAKER, ARMY], "relations": [], "document_labels": {}},
        "decisions": [
            {
                "id": "span:town",
                "kind": "span",
                "reason": "tie",
                "span": TOWN,
                "relation": None,
                "suggestion": None,
                "options": [
                    {"value": "accept", "annotators": ["ann1"]},
                    {"value": "reject", "annotators": ["ann2"]},
                ],
            }
        ],
        "annotations": [
            {
                "id": 1,
                "annotator": {"username": "ann1"},
                "content": {"spans": [SPEAKER, TOWN], "document_labels": {"stance": {}}},
            }
        ],
        "support": {"speaker": ["ann1"]},
        "urls": {"gold": "/api/gold/", "next": None},
        "strings": strings,
        "plurals": {"open_left": {"one": "%(count)s open", "other": "%(count)s open"}},
        **changes,
    }


def test_importing_the_page_modules_does_nothing_until_start(browser):
    context = browser.new_context()
    serve_modules(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{MODULE_ORIGIN}/")
    got = page.evaluate(
        """async () => {
          const before = document.documentElement.outerHTML;
          const modules = {};
          for (const name of ["annotate-page", "adjudicate", "editing", "keys", "page"]) {
            modules[name] = Object.keys(await import(`/static/js/${name}.js`)).sort();
          }
          const event = new KeyboardEvent("keydown", {key: "?", bubbles: true, cancelable: true});
          document.body.dispatchEvent(event);
          return {modules, unchanged: document.documentElement.outerHTML === before,
                  listened: event.defaultPrevented};
        }"""
    )
    assert got["unchanged"] and not got["listened"]
    assert "start" in got["modules"]["annotate-page"]
    assert "start" in got["modules"]["adjudicate"]
    assert errors == []
    context.close()


def label_of(page, span_id: str) -> str | None:
    return page.evaluate(
        "(id) => (window.handle.store.spanById(id) || {}).label ?? null",
        span_id,
    )


# Where the focus is when a label key is pressed, and whether the key marks (or is typing).
ANNOTATION_FOCUS = [
    ("input[name=stance-isis][value=favor]", "2", "ORG"),  # a stance radio button
    ("#check", "3", "LOC"),  # a checkbox
    ("#exact-toggle", "1", "PER"),  # a button
    ("#article-text", "2", "ORG"),
    ("#note", "3", "ORG"),  # typing: a text input,
    ("#comment", "3", "ORG"),  # a textarea,
    ("#span-label", "3", "ORG"),  # a select,
    ("#editable", "3", "ORG"),  # editable content
]


def test_annotation_page_starts_from_its_data_and_label_keys_follow_the_focus(browser):
    api = FakeApi()
    page, errors = open_fixture(
        browser, ANNOTATE_FIXTURE, "annotate-page.js", "annotate", annotation_data(), api
    )
    assert page.locator("#annotate").get_attribute("data-ready") == "true"
    assert page.locator("#article-text .seg").all_text_contents() == ["المتحدث"]
    assert page.locator("#article-text").inner_text() == TEXT
    assert page.locator("#stance-summary").text_content() == "0/1"

    page.focus("#article-text")
    page.keyboard.press("ArrowLeft")  # the arrows walk the spans: the speaker is selected
    assert page.locator("#span-text").text_content() == "المتحدث"
    for selector, key, label in ANNOTATION_FOCUS:
        page.focus(selector)
        page.keyboard.press(key)
        assert label_of(page, "speaker") == label, (selector, key)
    assert page.locator("#note").input_value() == "3"
    assert page.locator("#comment").input_value() == "3"
    assert sorted(page.locator("#editable").text_content()) == ["3", "x"]

    # Nothing selected or waiting for a label: the key says what to do first.
    page.focus("#article-text")
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    assert page.locator("#flash").text_content() == "select_first"
    # Marking from the keyboard: from the speaker, Shift+Right takes the word before it
    # (backwards in RTL); the label key marks it with the focus on a radio button.
    page.keyboard.press("Shift+ArrowRight")
    assert page.locator("#selection-text").text_content() == "قال"
    page.focus("input[name=stance-isis][value=against]")
    page.keyboard.press("2")
    assert page.locator("#flash").text_content() == "marked: Organisation"
    page.keyboard.press("Control+z")
    assert page.locator("#article-text .seg").all_text_contents() == ["المتحدث"]
    page.keyboard.press("Control+Shift+Z")
    assert page.locator("#article-text .seg").all_text_contents() == ["قال", "المتحدث"]
    # The help window takes the keys while it is open.
    page.keyboard.press("?")
    assert page.locator("#help-dialog").is_visible()
    page.keyboard.press("1")
    assert label_of(page, "speaker") == "ORG"
    page.keyboard.press("Escape")

    page.locator("#save-state[data-state=saved]").wait_for()
    assert page.evaluate("() => window.handle.store.pending.length") == 0
    assert {(method, path) for method, path, _ in api.requests} <= {
        ("PUT", "/api/annotation/"),
        ("POST", "/api/spans/"),
    }
    spans = page.evaluate("() => window.handle.store.content.spans")
    assert {(s["text"], s["label"]) for s in spans} == {("المتحدث", "ORG"), ("قال", "ORG")}
    assert errors == []
    page.context.close()


def test_adjudication_page_starts_from_its_data_and_label_keys_follow_the_focus(browser):
    page, errors = open_fixture(
        browser, ADJUDICATE_FIXTURE, "adjudicate.js", "adjudicate", adjudication_data(), FakeApi()
    )
    assert page.locator("#adjudicate").get_attribute("data-ready") == "true"
    assert page.locator("#gold-text .seg").all_text_contents() == ["المتحدث", "الجيش السوري"]
    assert page.locator(".annotator-text .seg").all_text_contents() == ["المتحدث", "الميادين"]
    assert page.locator("#label-palette kbd").all_text_contents() == ["1", "2", "3", "c"]
    assert page.locator("#open-count").text_content() == "1 open"

    page.locator("#gold-spans .span-covered").first.click()  # selects the speaker
    assert page.locator("#span-text").text_content() == "المتحدث"
    for selector, key, label in [
        ("#radio", "2", "ORG"),  # a radio button
        ('[data-decision="span:town"] button', "3", "LOC"),  # a button
        ("#gold-text", "1", "PER"),
        ("#note", "2", "PER"),  # typing: a text input,
        ("#stance-panel select", "2", "PER"),  # a select
    ]:
        page.focus(selector)
        page.keyboard.press(key)
        assert label_of(page, "speaker") == label, (selector, key)

    page.focus("#gold-text")
    page.keyboard.press("Escape")
    page.keyboard.press("1")
    assert page.locator("#flash").text_content() == "select_first"
    page.locator("#gold-spans .span-covered").first.click()
    page.keyboard.press("Delete")
    assert page.locator("#flash").text_content() == "حُذف"  # the template's text
    assert errors == []
    page.context.close()


def test_adjudication_page_undoes_decisions_with_the_gold_back_to_the_saved_gold(browser):
    api = FakeApi()
    page, errors = open_fixture(
        browser, ADJUDICATE_FIXTURE, "adjudicate.js", "adjudicate", adjudication_data(), api
    )
    decision = page.locator('[data-decision="span:town"]')
    state = page.locator("#save-state")
    segments = page.locator("#gold-text .seg")
    assert decision.get_attribute("data-state") == "open"
    decision.locator('button[data-value="\\"accept\\""]').click()
    assert decision.get_attribute("data-state") == "decided"
    assert segments.all_text_contents() == ["المتحدث", "الميادين", "الجيش السوري"]
    assert state.get_attribute("data-state") == "unsaved"

    page.keyboard.press("Control+z")
    assert decision.get_attribute("data-state") == "open"
    assert segments.all_text_contents() == ["المتحدث", "الجيش السوري"]
    assert state.get_attribute("data-state") == "saved"  # back where it started
    page.keyboard.press("Control+y")
    page.click("#save-gold")
    page.locator("#save-state[data-state=saved]").wait_for()
    assert state.text_content() == "saved 2"
    (method, path, body) = api.requests[-1]
    assert (method, path, body["version"]) == ("PUT", "/api/gold/", 0)
    assert [s["text"] for s in body["content"]["spans"]] == ["المتحدث", "الميادين", "الجيش السوري"]

    page.keyboard.press("Control+z")
    assert state.get_attribute("data-state") == "unsaved"
    page.keyboard.press("Control+Shift+z")
    assert state.get_attribute("data-state") == "saved"  # the saved gold again
    page.keyboard.press("Control+z")
    decision.locator('button[data-value="\\"reject\\""]').click()
    assert page.locator("#redo-button").is_disabled()
    page.keyboard.press("Control+z")
    assert state.get_attribute("data-state") == "unsaved"  # the saved gold has the town
    assert errors == []
    page.context.close()
