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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

SPLITS = ("train", "dev", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
_SCALE = float(2**64)
GROUP_PREFIX = "group:"


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


def split_point(key: str, seed: int) -> float:
    """The unit's position in [0, 1) for this seed."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


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

    def split_of(self, key: str) -> str:
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
