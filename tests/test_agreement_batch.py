"""The vectorised engine (batch.py, tokens.py, report.py) equals the reference definitions.

The report compares every annotator pair over all shared articles at once; here the same
numbers are rebuilt article by article from spans.py / claims.py and scikit-learn.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from annotate.lib.agreement.claims import ClaimTally, claim_tally
from annotate.lib.agreement.documents import ClaimInfo, Doc, doc_from_content
from annotate.lib.agreement.report import AgreementReport, build_report, heat_matrix
from annotate.lib.agreement.spans import Span, bio_sequences, exact_matches, overlap_matches
from annotate.lib.agreement.tokens import char_kinds, is_word_char, token_bounds
from annotate.lib.schema import default_schema
from corpus.lib.text import tokenize

SCHEMA = default_schema()
ENTITY_LABELS = ["PER", "ORG", "LOC", "GPE"]
WORDS = ["قال", "وداعش", "الجيش", "،", "«الرقة»", "2019", "في", "والقوات", "Reuters", "😀"]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


# --- tokens -----------------------------------------------------------------------------------

TOKEN_ALPHABET = (
    "ab وداعشَُِّـ12٣.,٫٬ ،«»!?\u200d\u200c😀👍\U0001f3fb\ufe0f-\n%$\u00a0\u2009\u200b"
    "\U0001f1f8\U0001f1fe\x1c\x85\u3000\u06dd\u0670\u06d6"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=TOKEN_ALPHABET, max_size=40))
def test_token_bounds_equal_the_tokenizer(text):
    assert token_bounds(text).tolist() == [[t.start, t.end] for t in tokenize(text)]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_token_bounds_equal_the_tokenizer_on_any_text(text):
    assert token_bounds(text).tolist() == [[t.start, t.end] for t in tokenize(text)]


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=[chr(c) for c in range(0x0600, 0x0700) if is_word_char(chr(c))],
        min_size=1,
        max_size=12,
    )
)
def test_arabic_letters_and_marks_make_one_token(chunk):
    assert [(t.start, t.end) for t in tokenize(chunk)] == [(0, len(chunk))]


def test_every_whitespace_character_is_in_the_basic_plane():
    assert not [c for c in range(0x10000, 0x110000) if chr(c).isspace()]
    assert char_kinds()[ord(" ")] == 0 and char_kinds()[ord("\u3000")] == 0


def test_token_bounds_on_real_news_articles():
    files = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
    if not files:
        pytest.skip(f"sample corpus not found at {CORPUS}")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert token_bounds(text).tolist() == [[t.start, t.end] for t in tokenize(text)]


# --- the whole report against per-article references ---------------------------------------


@st.composite
def projects(draw):
    """Articles, annotators with gaps, spans anywhere (inside words, nested, overlapping)."""
    n_articles = draw(st.integers(1, 5))
    n_annotators = draw(st.integers(2, 4))
    texts, docs = {}, []
    start_time = datetime(2026, 1, 5, tzinfo=UTC)
    for article in range(1, n_articles + 1):
        text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=14)))
        texts[article] = text
        annotators = draw(
            st.lists(st.integers(1, n_annotators), min_size=1, max_size=n_annotators, unique=True)
        )
        for annotator in annotators:
            entities = {}
            for k in range(draw(st.integers(0, 6))):
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, min(len(text), start + 12)))
                label = draw(st.sampled_from(ENTITY_LABELS))
                entities.setdefault((start, end, label), Span(start, end, label, f"e{k}"))
            entities = list(entities.values())
            claims, infos = [], []
            for k in range(draw(st.integers(0, 2))):
                start = draw(st.integers(0, len(text) - 1))
                end = draw(st.integers(start + 1, len(text)))
                if any((c.start, c.end) == (start, end) for c in claims):
                    continue
                claims.append(Span(start, end, "CLAIM", f"c{k}"))
                link = draw(st.sampled_from([None, *[e.id for e in entities]]))
                infos.append(
                    ClaimInfo(
                        claimant=None if link else draw(st.sampled_from([None, "author"])),
                        claimant_span=link,
                        stance=draw(st.sampled_from([None, "supports", "refutes"])),
                        checkworthy=draw(st.sampled_from([None, True, False])),
                    )
                )
            stance = {
                t: draw(st.sampled_from(["favor", "against", "neutral"]))
                for t in draw(st.lists(st.sampled_from(["isis", "syrian_army"]), unique=True))
            }
            docs.append(
                Doc(
                    article=article,
                    annotator=annotator,
                    entities=tuple(entities),
                    claims=tuple(claims),
                    claim_info=tuple(infos),
                    stance=stance,
                    submitted_at=start_time + timedelta(days=draw(st.integers(0, 20))),
                )
            )
    return texts, docs


def _kappa(a: list[str], b: list[str]) -> float | None:
    if not a or len(set(a) | set(b)) == 1:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(cohen_kappa_score(a, b))


@settings(max_examples=120, deadline=None)
@given(projects())
def test_report_equals_the_per_article_reference(project):
    texts, docs = project
    typed = build_report(docs, texts=texts, schema=SCHEMA)
    report = typed.as_dict()
    text = json.dumps(report)  # plain data all the way down
    # The cached form reads back to the same report, and writes the same text again.
    assert AgreementReport.from_dict(json.loads(text)) == typed
    assert json.dumps(AgreementReport.from_dict(json.loads(text)).as_dict()) == text
    by_article: dict[int, dict[int, Doc]] = {}
    for doc in docs:
        by_article.setdefault(doc.article, {})[doc.annotator] = doc
    labels = [*SCHEMA_LABELS, "CLAIM"]
    for pair in report["pairs"]:
        a, b = pair["a"], pair["b"]
        shared = [art for art, group in by_article.items() if a in group and b in group]
        assert pair["articles"] == len(shared)
        exact, overlap = Counter(), Counter()
        spans_a, spans_b = Counter(), Counter()
        tags_a, tags_b, claim_a, claim_b = [], [], [], []
        claims = ClaimTally()
        for art in sorted(shared):
            x, y = by_article[art][a], by_article[art][b]
            for i, _ in exact_matches(x.entities, y.entities):
                exact[x.entities[i].label] += 1
            for i, _ in overlap_matches(x.entities, y.entities):
                overlap[x.entities[i].label] += 1
            exact["CLAIM"] += len(exact_matches(x.claims, y.claims))
            overlap["CLAIM"] += len(overlap_matches(x.claims, y.claims))
            spans_a.update(s.label for s in (*x.entities, *x.claims))
            spans_b.update(s.label for s in (*y.entities, *y.claims))
            tokens = token_bounds(texts[art])
            ta, tb = bio_sequences(tokens, x.entities, y.entities, labels=SCHEMA_LABELS)
            tags_a += ta
            tags_b += tb
            ca, cb = bio_sequences(tokens, x.claims, y.claims, labels=["CLAIM"])
            claim_a += ca
            claim_b += cb
            claims.merge(claim_tally(x, y))
        for rule, counts in (("exact", exact), ("overlap", overlap)):
            table = pair["spans"][rule]
            assert table["micro"]["matched"] == sum(counts.values())
            assert table["micro"]["a_spans"] == sum(spans_a.values())
            assert table["micro"]["b_spans"] == sum(spans_b.values())
            for label in labels:
                if spans_a[label] or spans_b[label]:
                    row = table["labels"][label]
                    assert (row["matched"], row["a_spans"], row["b_spans"]) == (
                        counts[label],
                        spans_a[label],
                        spans_b[label],
                    )
                else:
                    assert label not in table["labels"]
        for key, (ta, tb) in (
            ("token_kappa", (tags_a, tags_b)),
            ("claim_token_kappa", (claim_a, claim_b)),
        ):
            reference = _kappa(ta, tb)
            value = pair["spans"][key]["value"]
            if reference is None:
                assert value is None
            else:
                assert value == pytest.approx(reference, abs=1e-9)
            if key == "token_kappa":
                assert sum(map(sum, pair["spans"]["token_confusion"]["matrix"])) == len(ta)
        assert pair["claims"]["matched"] == claims.matched
        if claims.matched:
            assert pair["claims"]["claimant_agreement"]["value"] == pytest.approx(
                claims.claimant_agree / claims.matched
            )
        stance_kappa = _kappa(claims.stance_a, claims.stance_b)
        if stance_kappa is not None:
            assert pair["claims"]["stance_kappa"]["value"] == pytest.approx(stance_kappa, abs=1e-9)
    heat = heat_matrix(typed, "span_f1_overlap")
    assert len(heat) == len(report["annotators"])
    assert all(heat[i][i] is None for i in range(len(heat)))


SCHEMA_LABELS = [lab["key"] for lab in SCHEMA["entity_labels"]]


def test_doc_from_content_reads_claims_claimants_and_stance():
    content = {
        "spans": [
            {"id": "s1", "start": 0, "end": 3, "label": "PER", "text": "قال", "attributes": {}},
            {
                "id": "c1",
                "start": 0,
                "end": 9,
                "label": "CLAIM",
                "text": "",
                "attributes": {"checkworthy": True, "claimant": None, "stance": "supports"},
            },
        ],
        "relations": [{"type": "claimant", "from": "c1", "to": "s1"}],
        "document_labels": {"stance": {"isis": "against", "us_coalition": None}},
    }
    doc = doc_from_content(content, article=7, annotator=3, claim_label="CLAIM")
    assert doc.entities == (Span(0, 3, "PER", "s1"),)
    assert doc.claims == (Span(0, 9, "CLAIM", "c1"),)
    assert doc.claim_info[0] == ClaimInfo(
        claimant=None, claimant_span="s1", stance="supports", checkworthy=True
    )
    assert doc.stance == {"isis": "against"}


def test_claimant_agreement_by_hand():
    text = "قال المتحدث إن الجيش انسحب"
    speaker = Span(4, 11, "PER", "p")
    claim = Span(12, len(text), "CLAIM", "c")
    a = Doc(1, 1, (speaker,), (claim,), (ClaimInfo(claimant_span="p", stance="reports"),))
    b = Doc(1, 2, (Span(4, 11, "PER", "q"),), (claim,), (ClaimInfo(claimant_span="q"),))
    c = Doc(1, 3, (), (claim,), (ClaimInfo(claimant="author", stance="reports"),))
    assert claim_tally(a, b).claimant_agree == 1  # the same speaker, matched
    assert claim_tally(a, c).claimant_agree == 0  # a speaker versus the author
    report = build_report([a, b, c], texts={1: text}, schema=SCHEMA).as_dict()
    pairs = {(p["a"], p["b"]): p for p in report["pairs"]}
    assert pairs[(1, 2)]["claims"]["claimant_agreement"]["value"] == 1.0
    assert pairs[(1, 3)]["claims"]["claimant_agreement"]["value"] == 0.0
    assert pairs[(2, 3)]["claims"]["stance_kappa"]["reason"] == "no_variation" or (
        pairs[(2, 3)]["claims"]["stance_kappa"]["value"] is not None
    )


def test_single_annotator_project_is_undefined_not_perfect():
    doc = Doc(1, 1, (Span(0, 3, "PER"),), stance={"isis": "favor"})
    report = build_report([doc], texts={1: "قال شيئا"}, schema=SCHEMA).as_dict()
    assert report["pairs"] == []
    assert {row["reason"] for row in report["summary"]} == {"one_rater"}
    assert all(row["value"] is None for row in report["summary"])
    assert report["counts"]["single_annotated_articles"] == 1


def test_no_spans_at_all_is_undefined_and_weeks_group_by_last_submission():
    when = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday: ISO week 10
    a = Doc(1, 1, stance={"isis": "favor"}, submitted_at=when)
    b = Doc(1, 2, stance={"isis": "against"}, submitted_at=when + timedelta(days=7))
    report = build_report([a, b], texts={1: "نص قصير"}, schema=SCHEMA).as_dict()
    summary = {row["key"]: row for row in report["summary"]}
    assert summary["spans.f1_exact"]["reason"] == "no_spans"
    assert summary["spans.token_kappa"]["reason"] == "no_variation"
    assert summary["claims.claimant_agreement"]["reason"] == "no_matches"
    assert [w["week"] for w in report["weeks"]] == ["2026-W11"]
    assert report["lowest_articles"][0]["stance_observed"] == 0.0


def test_large_project_arrays_stay_consistent():
    """Many articles with the same words: the memoised tokenizer and the global layout."""
    rng = np.random.default_rng(5)
    texts, docs = {}, []
    for article in range(200):
        words = rng.choice(WORDS, size=30)
        text = " ".join(words)
        texts[article] = text
        for annotator in (1, 2, 3):
            starts = sorted(set(rng.integers(0, len(text) - 1, size=5).tolist()))
            spans = tuple(
                Span(s, min(len(text), s + int(rng.integers(1, 10))), "PER", f"s{k}")
                for k, s in enumerate(starts)
            )
            docs.append(Doc(article, annotator, spans, stance={"isis": "favor"}))
    report = build_report(docs, texts=texts, schema=SCHEMA).as_dict()
    for pair in report["pairs"]:
        tags_a, tags_b = [], []
        for article in range(200):
            x = next(d for d in docs if (d.article, d.annotator) == (article, pair["a"]))
            y = next(d for d in docs if (d.article, d.annotator) == (article, pair["b"]))
            ta, tb = bio_sequences(
                token_bounds(texts[article]), x.entities, y.entities, labels=SCHEMA_LABELS
            )
            tags_a += ta
            tags_b += tb
        assert pair["spans"]["token_kappa"]["value"] == pytest.approx(
            _kappa(tags_a, tags_b), abs=1e-9
        )
