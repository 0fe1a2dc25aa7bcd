"""Planning assignments under an overlap policy: which article gets how many annotators, and who.

Pure: takes ids and counts, returns planned slots. `annotate.queue` feeds it from the database
and writes the plan. The same inputs always give the same plan (the seed drives every choice
through SHA-256, not through process-dependent hashing or global random state).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


class OverlapError(ValueError):
    """An overlap policy that cannot be planned; `field` names the offending parameter."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class ExistingSlot:
    """A slot already in the database: which article, which slot number, whose (None = pool)."""

    article: int
    slot: int
    annotator: int | None


@dataclass(frozen=True, slots=True)
class PlannedSlot:
    """A slot to create."""

    article: int
    slot: int
    annotator: int | None


def _rank(seed: int, *parts: int) -> str:
    return hashlib.sha256(":".join(str(p) for p in (seed, *parts)).encode()).hexdigest()


MAX_K = 50  # annotators per overlap article


def check_policy(*, k: int, fraction: float) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1 or k > MAX_K:
        raise OverlapError("k", f"must be a whole number from 1 to {MAX_K}, got {k!r}")
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, int | float)
        or not math.isfinite(fraction)
        or not 0 <= fraction <= 1
    ):
        raise OverlapError("fraction", f"must be a number from 0 to 1, got {fraction!r}")


def overlap_articles(articles: Sequence[int], *, fraction: float, seed: int) -> set[int]:
    """The articles that get k annotators: round(fraction * n) of them, chosen by the seed.

    Each article's rank depends only on (seed, article id), so adding articles later keeps
    most earlier choices.
    """
    count = math.floor(fraction * len(articles) + 0.5)
    if count >= len(articles):
        return set(articles)
    ranked = sorted(articles, key=lambda article: _rank(seed, article))
    return set(ranked[:count])


def slots_wanted(articles: Sequence[int], *, k: int, fraction: float, seed: int) -> dict[int, int]:
    """How many slots each article should have under the policy."""
    check_policy(k=k, fraction=fraction)
    chosen = overlap_articles(articles, fraction=fraction, seed=seed) if k > 1 else set()
    return {article: (k if article in chosen else 1) for article in articles}


def plan_assignments(
    articles: Sequence[int],
    annotators: Iterable[int],
    *,
    k: int,
    fraction: float,
    seed: int,
    preassign: bool,
    existing: Iterable[ExistingSlot] = (),
) -> list[PlannedSlot]:
    """The slots missing from `existing` so every article has as many as the policy asks.

    `articles` is in queue order. Existing slots are never changed or removed, and an article
    that already has more slots than asked keeps them. With `preassign`, each new slot goes to
    the least-loaded annotator not already on that article (ties broken by the seed), which
    keeps every annotator's total within one of the others when starting from balanced loads;
    otherwise new slots are pool slots (annotator None) claimed by the queue.
    """
    wanted = slots_wanted(articles, k=k, fraction=fraction, seed=seed)
    people = sorted(set(annotators))
    by_article: dict[int, list[ExistingSlot]] = {}
    load: dict[int, int] = dict.fromkeys(people, 0)
    for slot in existing:
        by_article.setdefault(slot.article, []).append(slot)
        if slot.annotator is not None and slot.annotator in load:
            load[slot.annotator] += 1
    if preassign:
        most = max(wanted.values(), default=1)
        if most > len(people):
            raise OverlapError(
                "k",
                f"{most} annotators per article needs at least {most} annotator members; "
                f"the project has {len(people)}",
            )
    plan: list[PlannedSlot] = []
    for article in articles:
        have = by_article.get(article, [])
        missing = wanted[article] - len(have)
        if missing <= 0:
            continue
        used_slots = {s.slot for s in have}
        free_slots = (n for n in range(len(used_slots) + missing) if n not in used_slots)
        taken = {s.annotator for s in have if s.annotator is not None}
        chosen: list[int | None]
        if preassign:
            candidates = [p for p in people if p not in taken]
            if len(candidates) < missing:
                raise OverlapError(
                    "k",
                    f"article {article} needs {missing} more annotators but only "
                    f"{len(candidates)} are not on it yet",
                )
            candidates.sort(key=lambda p: (load[p], _rank(seed, article, p)))
            picked = candidates[:missing]
            for annotator in picked:
                load[annotator] += 1
            chosen = list(picked)
        else:
            chosen = [None] * missing
        for slot_number, person in zip(free_slots, chosen, strict=False):
            plan.append(PlannedSlot(article=article, slot=slot_number, annotator=person))
    return plan


def load_by_annotator(slots: Iterable[ExistingSlot | PlannedSlot]) -> Mapping[int, int]:
    """How many slots each annotator holds (pool slots are not counted)."""
    counts: dict[int, int] = {}
    for slot in slots:
        if slot.annotator is not None:
            counts[slot.annotator] = counts.get(slot.annotator, 0) + 1
    return counts
