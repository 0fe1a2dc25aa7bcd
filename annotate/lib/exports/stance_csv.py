"""Stance CSV: one row per article and stance target that has a label.

Columns: article_id, target, label, split; with `with_title`, the article's title after
article_id. RFC 4180 quoting, LF line ends, UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from annotate.lib.exports.records import GoldRecord

HEADER = ("article_id", "target", "label", "split")
HEADER_WITH_TITLE = ("article_id", "title", "target", "label", "split")


class _Line(io.StringIO):
    def take(self) -> str:
        value = self.getvalue()
        self.seek(0)
        self.truncate()
        return value


def stance_csv_lines(records: Iterable[GoldRecord], *, with_title: bool = False) -> Iterator[str]:
    buffer = _Line()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER_WITH_TITLE if with_title else HEADER)
    yield buffer.take()
    for record in records:
        stance = (record.content.get("document_labels") or {}).get("stance") or {}
        for target in sorted(stance):
            if with_title:
                row: tuple[object, ...] = (
                    record.article_id,
                    record.title,
                    target,
                    stance[target],
                    record.split,
                )
            else:
                row = (record.article_id, target, stance[target], record.split)
            writer.writerow(row)
        if stance:
            yield buffer.take()
