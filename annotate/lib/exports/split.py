"""Deterministic train/dev/test split, keyed on the article's content.

Each article's split depends on its *unit key* and the seed, never on a database id: the key
is the SHA-256 of the article's canonical text (`content_hash`, the same on every instance
and after a round trip through our JSONL), or with `group_by` the value of that metadata
field ("group:<value>"), so that articles of one story or source stay in one split. Articles
without the field keep their content hash. Two articles with the same key always share a split.

The position of a unit is SHA-256 of "<seed>:<key>" read as a number in [0, 1), compared with
the cumulative ratios (train below `train`, dev below `train + dev`, test above). So a unit
keeps its split in every export with that seed however the project grows, and proportions
approach the ratios as the project grows; they are not rounded to exact counts.

Rounding for small projects: whenever there are at least three distinct units, no split with
a ratio above zero stays empty. A split the thresholds leave empty takes the unit nearest to
its interval out of another split that has at least two units (train, then dev, then test
are filled in that order). Those moves are the only part of the split that depends on the
other articles: they can change as the project grows, everything else cannot. A split with
ratio 0 stays empty; with fewer than three units some split is empty.

The plan needs one pass over the keys before any file is written (`plan_split`): it keeps
the two lowest and two highest units of each split, never the whole list.

Stratified by label (`plan_stratified_split`): each unit also has a stratum, e.g. the label
its article has most spans of, or its stance on one target (`article_stratum`); a group's
stratum is the one most of its articles have (ties: the smallest). Within a stratum the units
are ordered by their position; the lowest go to train, the next to dev, the highest to test,
in counts chosen by rounding, so each label is spread over the splits in the ratios even when
it is rare. How the ratios round (`Apportion`): the units are handed out one at a time, the
k-th to the split furthest below its share (largest k * ratio - units so far; ties: train,
dev, test), in exact arithmetic on the ratios as written (0.1 is 1/10); so after N units each
split holds within one unit of N * ratio (10 units at 0.8/0.1/0.1: 8/1/1; 8 units: 6/1/1).
The strata are taken in name order, one after the other, each getting the counts handed out
while its units are: every stratum is within about one unit of its share, and the totals are
those of the whole project. The fill rule above then applies in spirit: a split with a ratio
above zero left empty with at least three units takes one unit from the split with the most
(the highest unit of an earlier split, the lowest of a later one). A stratified plan depends on
every unit's stratum, so adding articles can move units at the boundaries of their strata;
the same project state gives the same split on every instance and after a round trip, as the
position and stratum come from the text and the gold only. It holds one entry per unit (about
100 bytes), the one part of an export that grows with the project beyond the id arrays.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

SPLITS = ("train", "dev", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
_SCALE = float(2**64)
GROUP_PREFIX = "group:"
STRATIFY_SPANS = "spans"
STRATIFY_STANCE_PREFIX = "stance:"
TARGET_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")  # a stance target key (lib/schema.py)


class SplitError(ValueError):
    """Bad ratios or seed; `field` names which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class Ratios:
    train: float
    dev: float
    test: float

    def as_dict(self) -> dict[str, float]:
        return {"train": self.train, "dev": self.dev, "test": self.test}

    def as_text(self) -> str:
        return ",".join(f"{value:g}" for value in (self.train, self.dev, self.test))

    def as_tuple(self) -> tuple[float, float, float]:
        return (self.train, self.dev, self.test)


def parse_ratios(value: str | list[float] | tuple[float, ...]) -> Ratios:
    """Three non-negative numbers summing to 1: "0.8,0.1,0.1" or a list."""
    parts: list[str | float] = list(value.split(",") if isinstance(value, str) else value)
    if len(parts) != 3:
        raise SplitError("ratios", f"give three ratios for train, dev, test; got {len(parts)}")
    numbers = []
    for name, part in zip(SPLITS, parts, strict=True):
        try:
            number = float(part)
        except (TypeError, ValueError):
            raise SplitError("ratios", f"{name} ratio {part!r} is not a number") from None
        if not 0 <= number <= 1:
            raise SplitError("ratios", f"{name} ratio must be between 0 and 1, got {number}")
        numbers.append(number)
    if abs(sum(numbers) - 1) > 1e-9:
        raise SplitError("ratios", f"ratios must sum to 1, got {sum(numbers):g}")
    return Ratios(*numbers)


def check_seed(value: object) -> int:
    if isinstance(value, bool):
        raise SplitError("seed", "must be an integer")
    try:
        seed = int(str(value))
    except ValueError:
        raise SplitError("seed", f"must be an integer, got {value!r}") from None
    if not 0 <= seed < 2**63:
        raise SplitError("seed", "must be between 0 and 2^63-1")
    return seed


def unit_key(content_hash: str, group: object = None) -> str:
    """What the split is keyed on: the group value when there is one, else the content hash."""
    if group is None or group == "":
        return content_hash
    return f"{GROUP_PREFIX}{group}"


def split_position(key: str, seed: int) -> int:
    """The unit's position as a 64-bit integer: the first 8 bytes of SHA-256("<seed>:<key>")."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def split_point(key: str, seed: int) -> float:
    """The unit's position in [0, 1) for this seed."""
    return split_position(key, seed) / _SCALE


def threshold_split(point: float, ratios: Ratios) -> str:
    if point < ratios.train:
        return "train"
    if point < ratios.train + ratios.dev:
        return "dev"
    return "test"


def assign_split(key: str, *, seed: int, ratios: Ratios) -> str:
    """The split by thresholds alone (what `SplitPlan.split_of` gives a unit never moved)."""
    return threshold_split(split_point(key, seed), ratios)


@dataclass
class _Extremes:
    """The two lowest and two highest distinct (point, key) of one split."""

    low: list[tuple[float, str]] = field(default_factory=list)
    high: list[tuple[float, str]] = field(default_factory=list)

    def add(self, item: tuple[float, str]) -> None:
        if item not in self.low:
            self.low = sorted([*self.low, item])[:2]
        if item not in self.high:
            self.high = sorted([*self.high, item])[-2:]

    def remove(self, item: tuple[float, str]) -> None:
        # Only ever the first or last unit, and at most once per split: the other end's two
        # entries still hold the next one when the split had at least two units.
        rest = sorted({*self.low, *self.high} - {item})
        self.low, self.high = rest[:2], rest[-2:]

    def units(self) -> int:
        """1 or 0 exactly; 2 meaning "two or more"."""
        return min(len({*self.low, *self.high}), 2)


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """Thresholds plus the few units moved to fill splits left empty."""

    seed: int
    ratios: Ratios
    moved: tuple[tuple[str, str], ...] = ()
    # Stratified plans: the split of every unit, by its position (split_position).
    assigned: Mapping[int, str] | None = None

    def split_of(self, key: str) -> str:
        if self.assigned is not None:
            return self.assigned[split_position(key, self.seed)]
        for moved_key, split in self.moved:
            if moved_key == key:
                return split
        return assign_split(key, seed=self.seed, ratios=self.ratios)


def plan_split(keys: Iterable[str], *, seed: int, ratios: Ratios) -> SplitPlan:
    """The split of a project whose units have these keys (repeats are fine)."""
    extremes = {split: _Extremes() for split in SPLITS}
    distinct: set[str] = set()  # only until three distinct keys are seen
    for key in keys:
        if len(distinct) < 3:
            distinct.add(key)
        point = split_point(key, seed)
        extremes[threshold_split(point, ratios)].add((point, key))
    if len(distinct) < 3:
        return SplitPlan(seed, ratios)
    bounds = {
        "train": (0.0, ratios.train),
        "dev": (ratios.train, ratios.train + ratios.dev),
        "test": (ratios.train + ratios.dev, 1.0),
    }
    moved: list[tuple[str, str]] = []
    for target, ratio in zip(SPLITS, ratios.as_tuple(), strict=True):
        if ratio <= 0 or extremes[target].units():
            continue
        low, high = bounds[target]
        candidates = []
        for donor in SPLITS:
            if donor == target or extremes[donor].units() < 2:
                continue
            before = SPLITS.index(donor) < SPLITS.index(target)
            item = extremes[donor].high[-1] if before else extremes[donor].low[0]
            distance = low - item[0] if before else item[0] - high
            candidates.append((distance, item, donor))
        if not candidates:
            continue
        _, item, donor = min(candidates)
        extremes[donor].remove(item)
        extremes[target].add(item)
        moved.append((item[1], target))
    return SplitPlan(seed, ratios, tuple(moved))


# ---- stratified by label ------------------------------------------------------------------


def check_stratify_by(value: object) -> str | None:
    """None, "spans" or "stance:<target key>"; SplitError otherwise."""
    if value is None or value == "":
        return None
    if value == STRATIFY_SPANS:
        return STRATIFY_SPANS
    stance = isinstance(value, str) and value.startswith(STRATIFY_STANCE_PREFIX)
    if stance and TARGET_RE.match(str(value)[len(STRATIFY_STANCE_PREFIX) :]):
        return str(value)
    raise SplitError(
        "stratify_by",
        f'use "{STRATIFY_SPANS}" (the label with most spans) or "{STRATIFY_STANCE_PREFIX}TARGET" '
        f"(the stance on a target key), got {value!r}",
    )


def article_stratum(content: Mapping[str, Any], stratify_by: str) -> str:
    """The stratum of one gold article: with "spans" the span label it has most of (ties: the
    smallest label key), with "stance:T" its stance on target T; "" when it has none."""
    if stratify_by == STRATIFY_SPANS:
        counts = Counter(
            span.get("label") for span in content.get("spans") or () if isinstance(span, dict)
        )
        labels = [(-n, label) for label, n in counts.items() if isinstance(label, str)]
        return min(labels)[1] if labels else ""
    target = stratify_by[len(STRATIFY_STANCE_PREFIX) :]
    stance = (content.get("document_labels") or {}).get("stance") or {}
    value = stance.get(target) if isinstance(stance, dict) else None
    return value if isinstance(value, str) else ""


class Apportion:
    """Hands out units one at a time to the split furthest below its share: the k-th unit goes
    to the split with the largest k * ratio - units so far (ties: train, dev, test), in exact
    arithmetic on the ratios as written (0.1 is 1/10). After any N units each split holds
    within one unit of N * ratio."""

    def __init__(self, ratios: Ratios) -> None:
        fractions = [Fraction(repr(ratio)) for ratio in ratios.as_tuple()]
        self.denominator = math.lcm(*(f.denominator for f in fractions))
        self.shares = [int(f * self.denominator) for f in fractions]
        self.counts = [0, 0, 0]
        self.units = 0

    def take(self, units: int) -> tuple[int, int, int]:
        """How many of the next `units` units go to train, dev and test."""
        taken = [0, 0, 0]
        for _ in range(units):
            self.units += 1
            deficits = [
                self.units * share - count * self.denominator
                for share, count in zip(self.shares, self.counts, strict=True)
            ]
            best = deficits.index(max(deficits))
            self.counts[best] += 1
            taken[best] += 1
        return taken[0], taken[1], taken[2]


def split_counts(units: int, ratios: Ratios) -> tuple[int, int, int]:
    """Train, dev and test counts of `units` units (before any split left empty is filled)."""
    return Apportion(ratios).take(units)


def plan_stratified_split(
    units: Iterable[tuple[str, str]], *, seed: int, ratios: Ratios
) -> SplitPlan:
    """The split of a project whose articles have these (unit key, stratum) pairs (a key may
    repeat: a group's articles); see the module's docstring."""
    strata: dict[int, str | Counter[str]] = {}
    for key, stratum in units:
        position = split_position(key, seed)
        seen = strata.get(position)
        if seen is None:
            strata[position] = stratum
        else:
            counter = Counter([seen]) if isinstance(seen, str) else seen
            counter[stratum] += 1
            strata[position] = counter
    members: dict[str, list[int]] = {}
    for position, seen in strata.items():
        name = seen if isinstance(seen, str) else min(seen.items(), key=_most_then_smallest)[0]
        members.setdefault(name, []).append(position)
    del strata
    assigned: dict[int, str] = {}
    apportion = Apportion(ratios)
    for name in sorted(members):
        positions = sorted(members[name])
        train, dev, _ = apportion.take(len(positions))
        for i, position in enumerate(positions):
            assigned[position] = "train" if i < train else "dev" if i < train + dev else "test"
    moved = _fill_empty(assigned, ratios) if len(assigned) >= 3 else ()
    return SplitPlan(seed, ratios, moved, assigned)


def _most_then_smallest(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _fill_empty(assigned: dict[int, str], ratios: Ratios) -> tuple[tuple[str, str], ...]:
    """Give each split with a ratio above zero that has no unit one from the split with the
    most (ties: the earlier split): its highest unit when the donor comes first, else its
    lowest. Moves are recorded by position in hexadecimal (the keys are not kept)."""
    moved: list[tuple[str, str]] = []
    for target, ratio in zip(SPLITS, ratios.as_tuple(), strict=True):
        sizes = Counter(assigned.values())
        if ratio <= 0 or sizes[target]:
            continue
        donor = max(
            (split for split in SPLITS if split != target),
            key=lambda split: (sizes[split], -SPLITS.index(split)),
        )
        units = [position for position, split in assigned.items() if split == donor]
        before = SPLITS.index(donor) < SPLITS.index(target)
        position = max(units) if before else min(units)
        assigned[position] = target
        moved.append((f"{position:016x}", target))
    return tuple(moved)
