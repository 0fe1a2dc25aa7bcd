"""Agreement on claims between two annotators. Pure: no Django.

Claim spans are compared like other spans (spans.py). For the claims that the overlap rule
matches, three attributes are compared:

- claimant: both "author", both "unattributed", both unset, or both a claimant relation to
  entity spans that the overlap rule matched to each other (same label, shared characters);
  anything else disagrees;
- stance towards the claim (supports / refutes / reports / unset) and check-worthiness
  (yes / no / unset): Cohen's kappa over the matched claims, and the observed agreement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotate.lib.agreement.documents import ClaimInfo, Doc
from annotate.lib.agreement.spans import overlap_matches

UNSET = "(unset)"
ENTITY = "(entity)"


def claimant_kind(info: ClaimInfo) -> str:
    """ENTITY for a claimant relation, else the claimant value or UNSET."""
    if info.claimant_span is not None:
        return ENTITY
    return info.claimant or UNSET


def checkworthy_value(value: bool | None) -> str:
    return UNSET if value is None else ("yes" if value else "no")


@dataclass
class ClaimTally:
    """Matched-claim comparisons for one annotator pair, accumulated over articles."""

    matched: int = 0
    claimant_agree: int = 0
    stance_a: list[str] = field(default_factory=list)
    stance_b: list[str] = field(default_factory=list)
    checkworthy_a: list[str] = field(default_factory=list)
    checkworthy_b: list[str] = field(default_factory=list)

    def add(self, a: ClaimInfo, b: ClaimInfo, *, claimants_matched: bool) -> None:
        """One matched claim; `claimants_matched` says whether the two claimant entity spans
        (when both claims have one) are matched to each other."""
        kind_a, kind_b = claimant_kind(a), claimant_kind(b)
        if kind_a == kind_b and (kind_a != ENTITY or claimants_matched):
            self.claimant_agree += 1
        self.matched += 1
        self.stance_a.append(a.stance or UNSET)
        self.stance_b.append(b.stance or UNSET)
        self.checkworthy_a.append(checkworthy_value(a.checkworthy))
        self.checkworthy_b.append(checkworthy_value(b.checkworthy))

    def merge(self, other: ClaimTally) -> None:
        self.matched += other.matched
        self.claimant_agree += other.claimant_agree
        self.stance_a += other.stance_a
        self.stance_b += other.stance_b
        self.checkworthy_a += other.checkworthy_a
        self.checkworthy_b += other.checkworthy_b


def claim_tally(a: Doc, b: Doc) -> ClaimTally:
    """The reference comparison of two annotations of one article (batch.py does it at scale)."""
    tally = ClaimTally()
    entity_match = dict(overlap_matches(a.entities, b.entities))
    index_a = {s.id: i for i, s in enumerate(a.entities)}
    index_b = {s.id: i for i, s in enumerate(b.entities)}
    for i, j in overlap_matches(a.claims, b.claims):
        info_a, info_b = a.claim_info[i], b.claim_info[j]
        ent_a = index_a.get(info_a.claimant_span or "")
        ent_b = index_b.get(info_b.claimant_span or "")
        matched = ent_a is not None and ent_b is not None and entity_match.get(ent_a) == ent_b
        tally.add(info_a, info_b, claimants_matched=matched)
    return tally
