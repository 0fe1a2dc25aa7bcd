"""Deterministic train/dev/test split.

Each article's split depends only on its id and the seed: SHA-256 of "<seed>:<article id>"
read as a number in [0, 1) and compared with the cumulative ratios. So the same article lands
in the same split in every export with that seed, however the project grows; the proportions
approach the ratios as the number of articles grows (they are not exact for small sets).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SPLITS = ("train", "dev", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
_SCALE = float(2**64)


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


def split_point(article_id: int, seed: int) -> float:
    """The article's position in [0, 1) for this seed."""
    digest = hashlib.sha256(f"{seed}:{article_id}".encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign_split(article_id: int, *, seed: int, ratios: Ratios) -> str:
    point = split_point(article_id, seed)
    if point < ratios.train:
        return "train"
    if point < ratios.train + ratios.dev:
        return "dev"
    return "test"


class SplitAssigner:
    """`assign_split` for many articles with one seed: the hash of the seed's prefix is
    computed once and copied for each article."""

    def __init__(self, *, seed: int, ratios: Ratios) -> None:
        self._prefix = hashlib.sha256(f"{seed}:".encode("ascii"))
        self._train = ratios.train
        self._dev = ratios.train + ratios.dev

    def assign(self, article_id: int) -> str:
        digest = self._prefix.copy()
        digest.update(f"{article_id}".encode("ascii"))
        point = int.from_bytes(digest.digest()[:8], "big") / _SCALE
        if point < self._train:
            return "train"
        if point < self._dev:
            return "dev"
        return "test"
