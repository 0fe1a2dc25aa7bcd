"""Krippendorff's unitizing alpha (annotate/lib/agreement/unitizing.py) against the paper.

References:
- Krippendorff, K. (2004). Measuring the reliability of qualitative text analysis data.
  Quality & Quantity 38: 787-800 (the definition and the worked example of its appendix);
- DKPro Statistics (UKP Lab, TU Darmstadt): the expected values of its unit tests for
  `de.tudarmstadt.ukp.dkpro.statistics.unitizing.AlphaUnitizedAgreement` (AlphaUnitizedAgree-
  mentTest, StudyFactory.getKrippendorfSampleStudy) and
  `org.dkpro.statistics.agreement.unitizing.KrippendorffAlphaUnitizingAgreement`
  (Krippendorff2004Test, Krippendorff1995Test, UnitizingAgreementTest), asserted here to the
  precision DKPro asserts them;
- `reference_alpha` below: the formulas written out as loops over every pair of sections,
  in exact fractions, which the vectorised module must equal to 1e-9 on random studies.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.lib.agreement.report import build_report
from annotate.lib.agreement.unitizing import (
    Continuum,
    UnitTable,
    unitizing_alpha,
    unitizing_alpha_columns,
)
from tests.test_agreement_batch import SCHEMA, SCHEMA_LABELS, projects

TOL = 1e-9
LABELS = ["PER", "ORG", "LOC"]


# ---- the reference: the paper's formulas as loops -------------------------------------------


def sections(units: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """(begin, length, is_unit) of a coder's units of one category and the gaps between them."""
    out, position = [], 0
    for start, end in sorted(units):
        if start > position:
            out.append((position, start - position, False))
        out.append((start, end - start, True))
        position = end
    if position < length:
        out.append((position, length - position, False))
    return out


def delta(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> int:
    """δ² between section g of one coder and section h of another (Krippendorff 2004)."""
    (b_g, l_g, unit_g), (b_h, l_h, unit_h) = g, h
    shift = b_g - b_h
    if unit_g and unit_h and -l_g < shift < l_h:
        return shift**2 + (b_g + l_g - b_h - l_h) ** 2
    if unit_g and not unit_h and l_h - l_g >= shift >= 0:
        return l_g**2
    if not unit_g and unit_h and l_h - l_g <= shift <= 0:
        return l_h**2
    return 0


def reference_alpha(continua: list[Continuum], labels: list[str]) -> dict[str, object]:
    """uDo, uDe and uα per label and over all labels, as exact fractions (None: undefined).

    Units must not overlap within one coder and label (they may touch). Several articles are
    pooled: every sum runs over all articles, L = Σ L_a, mL = Σ m_a L_a, and the pairs of
    coders of article a are averaged over m_a - 1 (the module's documented combination; with
    one article or the same coders everywhere it is the paper's formula as printed).
    """
    compared = [c for c in continua if len(c.units) >= 2]
    total = sum(c.length for c in compared)
    n = sum(len(c.units) * c.length for c in compared)
    observed, expected, counts = {}, {}, {}
    for label in labels:
        pairs_sum = Fraction(0)
        unit_lengths, gap_lengths = [], []
        for c in compared:
            by_coder = {
                coder: sections(
                    [(s - c.begin, e - c.begin) for s, e, lab in units if lab == label], c.length
                )
                for coder, units in c.units.items()
            }
            m = len(by_coder)
            article_sum = 0
            for i, sections_i in by_coder.items():
                for j, sections_j in by_coder.items():
                    if i == j:
                        continue
                    for g in sections_i:
                        for h in sections_j:
                            article_sum += delta(g, h)
            pairs_sum += Fraction(article_sum, m - 1)
            for coder_sections in by_coder.values():
                for _b, length, unit in coder_sections:
                    (unit_lengths if unit else gap_lengths).append(length)
        counts[label] = len(unit_lengths)
        if total == 0:
            observed[label] = expected[label] = Fraction(0)
            continue
        observed[label] = pairs_sum / (n * total)
        n_c = len(unit_lengths)
        numerator = Fraction(0)
        for length in unit_lengths:
            numerator += Fraction(n_c - 1, 3) * (2 * length**3 - 3 * length**2 + length)
            numerator += length**2 * sum(h - length + 1 for h in gap_lengths if h >= length)
        numerator *= Fraction(2, total)
        denominator = n * (n - 1) - sum(length * (length - 1) for length in unit_lengths)
        expected[label] = numerator / denominator

    def alpha(chosen: list[str]) -> Fraction | None:
        if not compared or sum(counts[lab] for lab in chosen) == 0:
            return None
        e = sum(expected[lab] for lab in chosen)
        if e == 0:
            return None
        return 1 - sum(observed[lab] for lab in chosen) / e

    return {
        "observed": observed,
        "expected": expected,
        "alpha": {label: alpha([label]) for label in labels},
        "joint": alpha(labels),
    }


def assert_equal_to_reference(continua: list[Continuum], labels: list[str]) -> None:
    fast = unitizing_alpha(continua, labels=labels)
    ref = reference_alpha(continua, labels)
    for k, label in enumerate(labels):
        assert fast.observed[k] == pytest.approx(float(ref["observed"][label]), abs=TOL)
        assert fast.expected[k] == pytest.approx(float(ref["expected"][label]), abs=TOL)
        expected_alpha = ref["alpha"][label]
        got = fast.label_alpha(label)
        if expected_alpha is None:
            assert got.value is None and got.reason
        else:
            assert got.value == pytest.approx(float(expected_alpha), abs=TOL)
    joint = fast.joint_alpha()
    if ref["joint"] is None:
        assert joint.value is None and joint.reason
    else:
        assert joint.value == pytest.approx(float(ref["joint"]), abs=TOL)


# ---- the paper's example, as DKPro's tests reproduce it -------------------------------------


def krippendorff_2004_example() -> Continuum:
    """Krippendorff (2004), appendix: two observers, categories c and k, continuum 150-450.

    Units as (begin, length) in DKPro's Krippendorff2004Test.createExample / StudyFactory.
    """

    def units(pairs: list[tuple[int, int]], label: str) -> list[tuple[int, int, str]]:
        return [(b, b + length, label) for b, length in pairs]

    return Continuum(
        length=300,
        begin=150,
        units={
            "i": units([(225, 70), (370, 30)], "c") + units([(180, 60), (300, 50)], "k"),
            "j": units([(220, 80), (355, 20), (400, 20)], "c") + units([(180, 60), (300, 50)], "k"),
        },
    )


def test_the_paper_example_per_category_as_dkpro_asserts_it():
    result = unitizing_alpha([krippendorff_2004_example()])
    c, k = result.labels.index("c"), result.labels.index("k")
    # KrippendorffAlphaUnitizingAgreement (Krippendorff2004Test.testCategoryAgreement).
    assert result.observed[c] == pytest.approx(0.0144, abs=0.0001)
    assert result.expected[c] == pytest.approx(0.0532, abs=0.0001)
    assert result.label_alpha("c").value == pytest.approx(0.7286, abs=0.0001)
    assert result.observed[k] == pytest.approx(0.0000, abs=0.0001)
    assert result.expected[k] == pytest.approx(0.0490, abs=0.0001)
    assert result.label_alpha("k").value == pytest.approx(1.0000, abs=0.0001)
    # AlphaUnitizedAgreement (AlphaUnitizedAgreementTest): uDo(k) exactly 0, uα(c) 0.7285.
    assert result.observed[k] == 0.0
    assert result.label_alpha("c").value == pytest.approx(0.7285, abs=0.0001)
    # By hand: the unit pairs (225, 70)-(220, 80) and (370, 30)-(355, 20) give δ² = 50 and
    # 850 (DKPro's testDistanceMetric2), j's unit (400, 20) lies in i's gap: 400. Both orders
    # of the two observers: 2 × 1300 / (2 · 1 · 300²) = 13/900.
    assert result.observed[c] == pytest.approx(13 / 900, abs=1e-15)


def test_the_paper_example_over_all_categories_as_dkpro_asserts_it():
    alpha = unitizing_alpha([krippendorff_2004_example()]).joint_alpha()
    assert alpha.value == pytest.approx(0.8591, abs=0.0005)  # Krippendorff2004Test.testAgreement
    assert alpha.value == pytest.approx(0.8587, abs=0.0001)  # AlphaUnitizedAgreementTest (joint)
    assert (alpha.items, alpha.annotators) == (1, 2)


def test_the_paper_example_equals_the_reference_loops_exactly():
    continuum = krippendorff_2004_example()
    ref = reference_alpha([continuum], ["c", "k"])
    assert ref["observed"]["c"] == Fraction(13, 900)
    assert_equal_to_reference([continuum], ["c", "k"])


def test_reference_distance_is_dkpros_distance():
    """DKPro's measureDistance(begin1, length1, category1, begin2, length2, category2),
    None a gap (Krippendorff2004Test.testDistanceMetric1/2, UnitizingAgreementTest)."""

    def dkpro(b1, l1, c1, b2, l2, c2):
        return delta((b1, l1, c1 is not None), (b2, l2, c2 is not None))

    assert dkpro(2, 3, None, 2, 2, "X") + dkpro(5, 6, "X", 4, 7, None) == 40
    assert dkpro(3, 2, None, 3, 2, "X") + dkpro(5, 6, "X", 5, 6, None) == 40
    cases = [((4, 2), 26), ((5, 2), 16), ((6, 2), 10), ((7, 2), 8), ((6, 4), 2), ((5, 6), 0)]
    for (b, length), expected in cases:
        assert dkpro(5, 6, "X", b, length, "X") == expected
    assert dkpro(225, 70, "c", 220, 80, "c") == 50
    assert dkpro(370, 30, "c", 355, 20, "c") == 850
    assert dkpro(400, 50, None, 400, 20, "c") == 400
    assert dkpro(0, 1, None, 0, 2, None) == 0
    assert dkpro(1, 8, "A", 0, 2, None) == 0
    assert dkpro(1, 8, "A", 2, 1, "A") == 37
    assert dkpro(1, 8, "A", 3, 1, None) == 0
    assert dkpro(1, 8, "A", 4, 1, "A") == 25
    assert dkpro(1, 8, "A", 6, 1, "A") == 29
    assert dkpro(9, 2, None, 7, 4, None) == 0


def test_dkpro_unitizing_agreement_example():
    """UnitizingAgreementTest: r0 -11111111-, r1 --1-1-1--- on a continuum of 10."""
    study = Continuum(10, {0: [(1, 9, "A")], 1: [(2, 3, "A"), (4, 5, "A"), (6, 7, "A")]})
    result = unitizing_alpha([study])
    assert result.observed[0] == pytest.approx(0.9100, abs=0.0001)
    assert result.expected[0] == pytest.approx(0.5351, abs=0.0001)
    assert result.label_alpha("A").value == pytest.approx(-0.7003, abs=0.0001)


def test_dkpro_single_unit_is_zero_and_no_unit_is_undefined():
    """UnitizingAgreementTest: one unit of three raters gives 0.0; no unit at all gives NaN in
    DKPro, here an explicit undefined."""
    one = unitizing_alpha([Continuum(20, {0: [(0, 1, "X")], 1: [], 2: []})])
    assert one.joint_alpha().value == pytest.approx(0.0, abs=1e-15)
    empty = unitizing_alpha([Continuum(20, {0: [], 1: [], 2: []})], labels=["X"])
    score = empty.joint_alpha()
    assert score.value is None and score.reason == "no_spans"
    assert (score.items, score.annotators) == (1, 3)


def krippendorff_1995_example(stretch: int) -> Continuum:
    """Krippendorff (1995: p. 57) as DKPro's Krippendorff1995Test.createExample builds it."""
    spec = {
        "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)]),
        "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]),
        "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]),
        "D": (
            [(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
            [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
        ),
    }
    units: dict[int, list[tuple[int, int, str]]] = {0: [], 1: []}
    for label, per_rater in spec.items():
        for rater, pairs in enumerate(per_rater):
            units[rater] += [(b * stretch, (b + n) * stretch, label) for b, n in pairs]
    return Continuum(24 * stretch, units)


def test_dkpro_krippendorff_1995_observed_disagreement():
    """Krippendorff1995Test.testAgreement, stretch 1 (touching units of one rater in B, D)."""
    result = unitizing_alpha([krippendorff_1995_example(1)])
    expected = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for label, value in expected.items():
        assert result.observed[result.labels.index(label)] == pytest.approx(value, abs=0.00001)
    assert_equal_to_reference([krippendorff_1995_example(1)], ["A", "B", "C", "D"])


def test_dkpro_krippendorff_1995_expected_disagreement_and_alpha():
    """Krippendorff1995Test.testAgreement, stretch 1,200,000 / 24 (DKPro's tolerances: the 1995
    paper's own D_E differs slightly, see DKPro's note)."""
    result = unitizing_alpha([krippendorff_1995_example(50_000)])
    unstretched = unitizing_alpha([krippendorff_1995_example(1)])
    expected = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}
    alphas = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    for label, value in expected.items():
        k = result.labels.index(label)
        # uDo does not change with the scale (testVaryingLengths); uDe does, a little.
        assert result.observed[k] == pytest.approx(unstretched.observed[k], abs=0.00001)
        assert result.expected[k] == pytest.approx(value, abs=0.005)
        assert result.label_alpha(label).value == pytest.approx(alphas[label], abs=0.02)


# ---- undefined cases and input rules ---------------------------------------------------------


def test_fewer_than_two_coders_on_every_article_is_undefined():
    result = unitizing_alpha(
        [Continuum(10, {"amal": [(0, 3, "PER")]}), Continuum(8, {"badr": [(1, 4, "PER")]})]
    )
    score = result.joint_alpha()
    assert score.value is None and score.reason == "one_rater"
    assert result.label_alpha("PER").reason == "one_rater"


def test_articles_with_one_coder_are_left_out():
    both = Continuum(12, {1: [(0, 4, "PER")], 2: [(1, 4, "PER")]})
    alone = Continuum(30, {1: [(5, 9, "PER"), (10, 20, "ORG")]})
    with_alone = unitizing_alpha([both, alone], labels=["PER", "ORG"])
    without = unitizing_alpha([both], labels=["PER", "ORG"])
    assert with_alone == without
    assert with_alone.continua == 1
    assert with_alone.label_alpha("ORG").reason == "no_spans"


def test_no_expected_disagreement_is_undefined_not_perfect():
    # Continuum of one code point, both coders mark it: no gap, N_c - 1 = 1 but l = 1.
    result = unitizing_alpha([Continuum(1, {1: [(0, 1, "PER")], 2: [(0, 1, "PER")]})])
    assert result.expected == [0.0]
    score = result.label_alpha("PER")
    assert score.value is None and score.reason == "no_variation"


def test_one_coders_overlapping_units_of_a_label_are_merged_into_their_union():
    nested = Continuum(
        40,
        {
            1: [(2, 10, "PER"), (5, 14, "PER"), (6, 8, "PER"), (20, 25, "ORG"), (22, 24, "ORG")],
            2: [(3, 12, "PER"), (20, 25, "ORG")],
        },
    )
    union = Continuum(40, {1: [(2, 14, "PER"), (20, 25, "ORG")], 2: nested.units[2]})
    assert unitizing_alpha([nested]) == unitizing_alpha([union])
    assert unitizing_alpha([nested]).units == [2, 2]  # ORG, PER: one unit a coder


def test_touching_units_stay_two_units():
    touching = Continuum(20, {1: [(0, 5, "PER"), (5, 9, "PER")], 2: [(0, 9, "PER")]})
    joined = Continuum(20, {1: [(0, 9, "PER")], 2: [(0, 9, "PER")]})
    assert unitizing_alpha([touching]).units == [3]
    assert unitizing_alpha([joined]).label_alpha("PER").value == 1.0
    assert unitizing_alpha([touching]).label_alpha("PER").value < 1.0


def test_units_are_clipped_to_their_article():
    outside = Continuum(10, {1: [(-3, 4, "PER"), (8, 15, "PER"), (12, 14, "PER")], 2: []})
    inside = Continuum(10, {1: [(0, 4, "PER"), (8, 10, "PER")], 2: []})
    assert unitizing_alpha([outside]) == unitizing_alpha([inside])


def test_a_coder_with_no_unit_has_one_gap_the_whole_article():
    # amal marks nothing: badr's unit lies in amal's gap, both orders: 2 · 4² / (2 · 1 · 10²).
    result = unitizing_alpha([Continuum(10, {"amal": [], "badr": [(3, 7, "PER")]})])
    assert result.observed == [pytest.approx(32 / 200, abs=1e-15)]


def test_columns_and_plain_continua_give_the_same_result():
    continuum = krippendorff_2004_example()
    table = UnitTable(
        doc=np.array([0, 0, 0, 0, 1, 1, 1, 1, 1]),
        label=np.array([0, 0, 1, 1, 0, 0, 0, 1, 1]),
        start=np.array([75, 220, 30, 150, 70, 205, 250, 30, 150]),
        end=np.array([145, 250, 90, 200, 150, 225, 270, 90, 200]),
    )
    columns = unitizing_alpha_columns(
        table,
        doc_continuum=np.array([0, 0]),
        doc_coder=np.array([7, 9]),
        lengths=np.array([300]),
        labels=["c", "k"],
    )
    assert columns == unitizing_alpha([continuum])


# ---- random studies: the vectorised module equals the loops ---------------------------------


@st.composite
def coder_units(draw, length: int, labels: list[str], *, anchored: bool = False):
    """Non-overlapping units (they may touch) of each label for one coder of one article."""
    units = []
    for label in labels:
        if anchored:  # the first unit begins the article, the last one ends it
            inner = sorted(draw(st.sets(st.integers(1, max(1, length - 1)), max_size=6)))
            inner = [cut for cut in inner if cut < length]
            cuts = [0, *inner[: len(inner) // 2 * 2], length]
        else:  # repeated cuts make touching units
            cuts = sorted(draw(st.lists(st.integers(0, length), max_size=8)))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            if start < end:
                units.append((start, end, label))
    return draw(st.permutations(units))


@st.composite
def studies(draw, *, same_coders: bool = False, anchored: bool = False):
    labels = LABELS[: draw(st.integers(1, 3))]
    coders = [f"coder{k}" for k in range(draw(st.integers(2, 5)))]
    continua = []
    for _ in range(draw(st.integers(1, 4))):
        length = draw(st.integers(1 if anchored else 0, 50))
        present = coders
        if not same_coders:
            present = draw(st.lists(st.sampled_from(coders), min_size=1, unique=True))
        begin = draw(st.integers(0, 5))
        units = {
            coder: [
                (s + begin, e + begin, label)
                for s, e, label in draw(coder_units(length, labels, anchored=anchored))
            ]
            for coder in present
        }
        continua.append(Continuum(length, units, begin=begin))
    return continua, labels


@settings(max_examples=300, deadline=None)
@given(studies())
def test_vectorised_equals_the_loops_over_all_pairs_of_sections(study):
    continua, labels = study
    assert_equal_to_reference(continua, labels)


@settings(max_examples=150, deadline=None)
@given(studies(same_coders=True))
def test_vectorised_equals_the_loops_with_the_same_coders_everywhere(study):
    continua, labels = study
    assert_equal_to_reference(continua, labels)


@settings(max_examples=150, deadline=None)
@given(studies(same_coders=True, anchored=True))
def test_pooled_articles_are_one_continuum_laid_end_to_end(study):
    """Where no gap touches an article border (every coder's units of every label begin and
    end the article), pooling equals the paper's formula on the articles laid end to end."""
    continua, labels = study
    joined: dict[str, list[tuple[int, int, str]]] = {}
    offset = 0
    for c in continua:
        for coder, units in c.units.items():
            joined.setdefault(coder, []).extend(
                (s - c.begin + offset, e - c.begin + offset, lab) for s, e, lab in units
            )
        offset += c.length
    pooled = unitizing_alpha(continua, labels=labels)
    one = unitizing_alpha([Continuum(offset, joined)], labels=labels)
    assert pooled.observed == pytest.approx(one.observed, abs=TOL)
    assert pooled.expected == pytest.approx(one.expected, abs=TOL)


@settings(max_examples=150, deadline=None)
@given(studies(), st.randoms(use_true_random=False))
def test_coders_renamed_or_reordered_give_the_same_result(study, rng):
    continua, labels = study
    names = sorted({coder for c in continua for coder in c.units})
    renamed = dict(zip(names, rng.sample(range(1000), len(names)), strict=True))
    shuffled = []
    for c in continua:
        items = list(c.units.items())
        rng.shuffle(items)
        shuffled.append(Continuum(c.length, {renamed[k]: v for k, v in items}, begin=c.begin))
    before = unitizing_alpha(continua, labels=labels)
    after = unitizing_alpha(shuffled, labels=labels)
    assert after.observed == pytest.approx(before.observed, abs=TOL)
    assert after.expected == pytest.approx(before.expected, abs=TOL)
    assert (after.continua, after.coders, after.units) == (
        before.continua,
        before.coders,
        before.units,
    )


@settings(max_examples=150, deadline=None)
@given(studies(), st.randoms(use_true_random=False))
def test_the_order_of_articles_does_not_matter(study, rng):
    continua, labels = study
    shuffled = list(continua)
    rng.shuffle(shuffled)
    before = unitizing_alpha(continua, labels=labels)
    after = unitizing_alpha(shuffled, labels=labels)
    assert after.observed == pytest.approx(before.observed, abs=TOL)
    assert after.expected == pytest.approx(before.expected, abs=TOL)


@settings(max_examples=150, deadline=None)
@given(studies(), st.integers(-1000, 1000))
def test_shifting_a_whole_continuum_does_not_matter(study, shift):
    continua, labels = study
    moved = [
        Continuum(
            c.length,
            {k: [(s + shift, e + shift, lab) for s, e, lab in v] for k, v in c.units.items()},
            begin=c.begin + shift,
        )
        for c in continua
    ]
    assert unitizing_alpha(moved, labels=labels) == unitizing_alpha(continua, labels=labels)


@settings(max_examples=150, deadline=None)
@given(studies(same_coders=True))
def test_identical_annotations_by_every_coder_are_perfect(study):
    continua, labels = study
    copied = []
    for c in continua:
        first = next(iter(c.units.values()))
        copied.append(Continuum(c.length, {k: first for k in c.units}, begin=c.begin))
    result = unitizing_alpha(copied, labels=labels)
    assert result.observed == [0.0] * len(labels)
    for score in [result.joint_alpha(), *(result.label_alpha(lab) for lab in labels)]:
        assert score.value == 1.0 or (score.value is None and score.reason)


def test_many_articles_at_once_equal_the_loops():
    """A larger random study (60 articles, 2-4 coders each) against the reference."""
    rng = random.Random(11)
    continua = []
    for _ in range(60):
        length = rng.randint(20, 120)
        units = {}
        for coder in rng.sample(["a", "b", "c", "d"], rng.randint(2, 4)):
            spans = []
            for label in LABELS:
                cuts = sorted(rng.sample(range(length + 1), 2 * rng.randint(0, 4)))
                spans += [(s, e, label) for s, e in zip(cuts[::2], cuts[1::2], strict=True)]
            units[coder] = spans
        continua.append(Continuum(length, units))
    assert_equal_to_reference(continua, LABELS)


# ---- the report shows these numbers ----------------------------------------------------------


def merged(units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of overlapping intervals (the module's rule for one coder's units of a label)."""
    out: list[list[int]] = []
    for start, end in sorted(units):
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


@settings(max_examples=100, deadline=None)
@given(projects())
def test_the_report_shows_the_numbers_of_the_loops(project):
    """build_report's αU (summary, per label, claims) equals the reference on the same spans:
    each article a continuum of len(text) code points, each annotator of it a coder."""
    texts, docs = project
    report = build_report(docs, texts=texts, schema=SCHEMA).as_dict()
    labels = [*SCHEMA_LABELS, "CLAIM"]
    continua = []
    for article, text in texts.items():
        units = {}
        for doc in (d for d in docs if d.article == article):
            spans = [*doc.entities, *doc.claims]
            units[doc.annotator] = [
                (s, e, label)
                for label in labels
                for s, e in merged([(x.start, x.end) for x in spans if x.label == label])
            ]
        continua.append(Continuum(len(text), units))
    ref = reference_alpha(continua, labels)
    summary = {row["key"]: row for row in report["summary"]}
    alpha_u = report["spans"]["alpha_u"]
    compared = sum(1 for c in continua if len(c.units) >= 2)
    if compared == 0:
        assert summary["spans.alpha_u"]["reason"] == "one_rater"
        assert alpha_u["labels"] == {}
        return
    for label in labels:
        row = alpha_u["labels"].get(label)
        if row is None:
            assert ref["alpha"][label] is None
            continue
        assert row["observed_disagreement"] == pytest.approx(float(ref["observed"][label]), abs=TOL)
        assert row["expected_disagreement"] == pytest.approx(float(ref["expected"][label]), abs=TOL)
        if ref["alpha"][label] is None:
            assert row["value"] is None and row["reason"]
        else:
            assert row["value"] == pytest.approx(float(ref["alpha"][label]), abs=TOL)
        assert row["items"] == compared
    observed = sum(ref["observed"][label] for label in SCHEMA_LABELS)
    expected = sum(ref["expected"][label] for label in SCHEMA_LABELS)
    for shown in (summary["spans.alpha_u"], alpha_u["entities"]):
        if expected == 0:
            assert shown["value"] is None and shown["reason"]
        else:
            assert shown["value"] == pytest.approx(float(1 - observed / expected), abs=TOL)
    claims = ref["alpha"]["CLAIM"]
    for shown in (summary["claims.alpha_u"], report["claims"]["alpha_u"]):
        if claims is None:
            assert shown["value"] is None and shown["reason"]
        else:
            assert shown["value"] == pytest.approx(float(claims), abs=TOL)
