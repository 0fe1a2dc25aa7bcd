"""What lies behind an agreement number, article by article. Pure: no Django.

- `article_agreement(docs)`: one article's score and its parts, the same numbers as the
  report's lowest_articles (report.py), computed for one article from the reference
  definitions (overlap matching of spans.py, claims.py);
- `token_runs(text, a, b, labels=...)`: the tokens of one article where two annotators gave
  an entity type (or "O") — each run of consecutive tokens with the same pair of types — so
  that a confusion cell ("4 tokens MILITARY_GROUP by one, ORG by the other") can list the
  words it counts. Tokens are those of the token-level kappa (bio_sequences in spans.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from annotate.lib.agreement.documents import Doc
from annotate.lib.agreement.report import article_score, claim_attribute_agreement
from annotate.lib.agreement.spans import Span, bio_sequences, make_pieces, overlap_matches
from annotate.lib.agreement.tokens import token_bounds

OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class ArticleAgreement:
    """One article's agreement: `score` is the mean of the defined parts (report.py)."""

    annotators: int
    span_f1_overlap: float | None
    stance_observed: float | None
    claim_attributes: float | None
    score: float | None


def article_agreement(docs: Sequence[Doc]) -> ArticleAgreement:
    """The agreement of one article's submitted annotations (every pair of them)."""
    matched = total = stance_agree = stance_pairs = 0
    for a, b in combinations(docs, 2):
        for x, y in ((a.entities, b.entities), (a.claims, b.claims)):
            matched += len(overlap_matches(x, y))
            total += len(x) + len(y)
    targets = sorted({t for d in docs for t in d.stance})
    for target in targets:
        values = [d.stance[target] for d in docs if target in d.stance]
        for x_value, y_value in combinations(values, 2):
            stance_pairs += 1
            stance_agree += x_value == y_value
    claim_agree, claim_answers = claim_attribute_agreement(docs)
    span_f1 = 2 * matched / total if total else None
    stance = stance_agree / stance_pairs if stance_pairs else None
    claims = claim_agree / claim_answers if claim_answers else None
    return ArticleAgreement(
        annotators=len(docs),
        span_f1_overlap=span_f1,
        stance_observed=stance,
        claim_attributes=claims,
        score=article_score(span_f1, stance, claims),
    )


@dataclass(frozen=True, slots=True)
class TokenRun:
    """Consecutive tokens [start, end) typed `a_type` by one annotator and `b_type` by the
    other ("O": outside any entity)."""

    start: int
    end: int
    tokens: int
    a_type: str
    b_type: str


def _entity_type(tag: str) -> str:
    return OUTSIDE if tag == OUTSIDE else tag.split("-", 1)[1]


def token_runs(
    text: str, a: Sequence[Span], b: Sequence[Span], *, labels: Sequence[str]
) -> list[TokenRun]:
    """Runs of the pair's tokens by (type of a, type of b); `a`, `b`: entity spans only."""
    tokens = token_bounds(text)
    tags_a, tags_b = bio_sequences(tokens, a, b, labels=labels)
    pieces = make_pieces(tokens, [x for s in (*a, *b) for x in (s.start, s.end)])
    runs: list[TokenRun] = []
    for k, (tag_a, tag_b) in enumerate(zip(tags_a, tags_b, strict=True)):
        types = (_entity_type(tag_a), _entity_type(tag_b))
        start, end = int(pieces.starts[k]), int(pieces.ends[k])
        last = runs[-1] if runs else None
        if last is not None and (last.a_type, last.b_type) == types and k > 0:
            runs[-1] = TokenRun(last.start, end, last.tokens + 1, *types)
        else:
            runs.append(TokenRun(start, end, 1, *types))
    return runs
