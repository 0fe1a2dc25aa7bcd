"""Reading export zips in tests: member names per format, and a format's split files joined."""

from __future__ import annotations

import io
import zipfile

from annotate.lib.exports import CARD_NAME, MANIFEST_NAME, file_name
from annotate.lib.exports.split import SPLITS


def names(*formats: str) -> list[str]:
    """The members of an export of `formats` (in the export's order), card and manifest last."""
    members = []
    for format in formats:
        for split in SPLITS:
            members.append(file_name(format, split))
            if format == "conll":
                members.append(file_name("conll_articles", split))
    return [*members, CARD_NAME, MANIFEST_NAME]


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def joined(files: dict[str, bytes], format: str) -> bytes:
    """The split files of `format` as one file (a CSV keeps only the first header)."""
    parts = [files[file_name(format, split)] for split in SPLITS]
    if format == "csv":
        parts = parts[:1] + [part.split(b"\n", 1)[1] for part in parts[1:]]
    return b"".join(parts)
