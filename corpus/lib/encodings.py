"""Telling a file that is not UTF-8 by what it is: Windows-1256 and UTF-16 above all.

Articles are stored from strict UTF-8 only, and nothing is ever converted silently: a file in
another encoding is refused. This module makes the refusal useful. When a file's start is not
UTF-8 (or holds NUL bytes, as UTF-16 does even where every byte is valid UTF-8),
charset-normalizer guesses the encoding the bytes decode as, and the message names it with the
command that converts the file. Only that suspicious case pays for the guess: a UTF-8 file
costs one decoding of its first SAMPLE bytes.
"""

from __future__ import annotations

import os

from charset_normalizer import from_bytes

SAMPLE = 64 * 1024
# Fewer Arabic letters than this is too little to call a file Windows-1256.
MIN_ARABIC_LETTERS = 4
# The longest UTF-8 sequence: a sample cut inside one is not an error.
_MAX_SEQUENCE = 4
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Python codec names as iconv and editors call them.
_NAMES = {
    "cp1256": "Windows-1256",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16LE",
    "utf_16_be": "UTF-16BE",
    "utf_32": "UTF-32",
    "utf_32_le": "UTF-32LE",
    "utf_32_be": "UTF-32BE",
    "iso8859_6": "ISO-8859-6",
    "mac_arabic": "MacArabic",
}
_ARABIC_WINDOWS = {"cp1256", "iso8859_6", "mac_arabic"}


def encoding_name(codec: str) -> str:
    """A codec name as people and iconv know it (cp1256 -> Windows-1256)."""
    if codec in _NAMES:
        return _NAMES[codec]
    if codec.startswith("cp") and codec[2:].isdigit():
        return f"Windows-{codec[2:]}"
    return codec.upper().replace("_", "-")


def _looks_utf8(sample: bytes, *, whole: bool) -> bool:
    if sample.startswith(_UTF16_BOMS) or b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut inside a character is fine; an error before its last bytes is not.
        return not whole and exc.start >= len(sample) - _MAX_SEQUENCE + 1
    return True


def _arabic_enough(text: str) -> bool:
    """Whether a decoding reads as Arabic: a few Arabic letters, and most of the non-ASCII
    characters Arabic (an accented Latin text also "decodes" as Windows-1256)."""
    foreign = [c for c in text if ord(c) > 0x7F]
    arabic = sum(1 for c in foreign if "\u0600" <= c <= "\u06ff" or "\ufb50" <= c <= "\ufeff")
    return arabic >= MIN_ARABIC_LETTERS and arabic >= 0.6 * len(foreign)


def guess_encoding(data: bytes) -> str | None:
    """The codec the start of `data` most likely is, when it is not UTF-8; else None.

    Only what an Arabic news file comes in is guessed: UTF-16 or UTF-32 (a byte order mark,
    or NUL bytes, which every UTF-16 text with spaces or Latin letters holds), or else
    Windows-1256 or ISO-8859-6 when the decoding reads as Arabic. Anything else stays a
    plain "not valid UTF-8 at byte N" refusal: a wrong guess would mislead more than none.
    """
    sample = data[:SAMPLE]
    if _looks_utf8(sample, whole=len(data) <= SAMPLE):
        return None
    if sample.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf_32"
    if sample.startswith(_UTF16_BOMS):
        return "utf_16"
    if b"\x00" in sample:
        candidates = ["utf_16_le", "utf_16_be"]
        sample = sample[: len(sample) // 2 * 2]
    else:
        candidates = ["cp1256", "iso8859_6"]
    best = from_bytes(sample, cp_isolation=candidates).best()
    if best is None:
        return None
    if best.encoding in _ARABIC_WINDOWS and not _arabic_enough(str(best)):
        return None
    return str(best.encoding)


def foreign_encoding_problem(data: bytes, *, name: str) -> str | None:
    """Why `data` is refused when it is text in an encoding other than UTF-8, saying what
    it looks like and how to convert it; None when it is UTF-8 (or nothing recognisable)."""
    codec = guess_encoding(data)
    if codec is None:
        return None
    label = encoding_name(codec)
    converted = "converted" + (os.path.splitext(name)[1] or ".txt")
    command = f"iconv -f {label.upper()} -t UTF-8 '{os.path.basename(name)}' > {converted}"
    if codec.startswith("utf_16"):
        kind = f"{label} text (two bytes a character, as Windows 'Unicode' files are)"
    elif codec in _ARABIC_WINDOWS:
        kind = f"{label} text (an older Arabic encoding)"
    else:
        kind = f"{label} text"
    return (
        f"the file is not UTF-8: it looks like {kind}. Nothing is converted silently: "
        f"convert it to UTF-8 and import it again, e.g. "
        f"`{command}`, or open it in an editor and save it as UTF-8"
    )
