"""A deterministic zip written as a stream of bytes.

Every entry gets the same fixed timestamp and permissions and is written with a data
descriptor (the zip is never seeked), so the same entries give the same bytes whether the zip
goes to a file or straight into an HTTP response, and memory holds a few chunks at a time.

SHA-256, deflate and CRC-32 run on a background thread (all release the GIL) in batches whose size
depends on timing; deflate's output does not depend on how its input is cut into calls, so
the bytes do not either (tests/test_exports.py checks it).
"""

from __future__ import annotations

import hashlib
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
CHUNK = 1 << 17
# Deflate level 1 on a thread of its own (_Pipeline). On the bench's 38 MB of gold JSONL:
# level 1 takes 0.21 s of CPU for 8.2 MB, level 3 0.43 s for 6.5 MB, level 6 1.2 s for
# 5.3 MB; stored, the file stays 38 MB. On real news text level 1 compresses 2.7 times and
# level 6 3.4 times. Level 1 keeps the compressing thread behind the one encoding lines (so
# compression adds almost no wall time on two cores) for a file a fifth larger than level 6.
COMPRESS_LEVEL = 1
# The most bytes waiting for the compressing thread (as much again may be compressing).
MAX_BATCH = 1 << 20  # 1 MB


@dataclass(frozen=True, slots=True)
class FileInfo:
    name: str
    sha256: str
    bytes: int
    lines: int


class _Sink:
    """A write-only byte buffer (no tell/seek, so zipfile streams with data descriptors).

    The compressing thread writes while the generator takes: both under one lock.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._lock = threading.Lock()

    def write(self, data: bytes, /) -> int:
        with self._lock:
            self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        with self._lock:
            data = b"".join(self._parts)
            self._parts.clear()
        return data


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3  # Unix, whatever the platform
    # The level an entry opened for writing is compressed with lives on its ZipInfo
    # (`compress_level` from Python 3.13, `_compresslevel` before).
    if hasattr(info, "compress_level"):
        info.compress_level = COMPRESS_LEVEL
    else:
        info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]
    return info


class _Entry:
    """One zip member being written: size, line count and SHA-256 kept as bytes go in."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.name = name
        self._out = archive.open(_zip_info(name), "w", force_zip64=True)
        self._digest = hashlib.sha256()
        self._size = 0
        self._lines = 0

    def __enter__(self) -> _Entry:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._out.close()

    def write(self, data: bytes) -> None:
        """SHA-256, CRC-32 and deflate, in the order the bytes come (on the compressing
        thread: all three release the GIL), and the size and line count."""
        self._digest.update(data)
        self._out.write(data)
        self._size += len(data)
        self._lines += data.count(b"\n")

    def info(self) -> FileInfo:
        return FileInfo(self.name, self._digest.hexdigest(), self._size, self._lines)


class _Pipeline:
    """Hands batches of bytes to one background thread, one batch at a time.

    SHA-256, deflate and CRC-32 run there while the calling thread reads and encodes the next
    lines. Each call the thread makes has to win the GIL back from the busy calling thread
    (which can take the interpreter's whole switch interval), so batches grow while the
    thread is busy, up to MAX_BATCH: the busier it is, the fewer and larger its calls. A
    failure in the background is raised in the calling thread at its next hand-over;
    leaving the block (normally or not) waits until the thread is idle.
    """

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self._write = write
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-zip")
        self._pending: Future[None] | None = None
        self._batch: list[bytes] = []
        self._size = 0

    def __enter__(self) -> _Pipeline:
        return self

    def __exit__(self, exc_type: object, *exc_info: object) -> None:
        try:
            if exc_type is None:
                self._hand_over()
                self._wait()
        finally:
            if self._pending is not None:
                self._pending.cancel()
            self._executor.shutdown(wait=True)

    def _wait(self) -> None:
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def _hand_over(self) -> None:
        if self._batch:
            self._wait()
            data = b"".join(self._batch)
            self._batch.clear()
            self._size = 0
            self._pending = self._executor.submit(self._write, data)

    def add(self, data: bytes) -> None:
        self._batch.append(data)
        self._size += len(data)
        if self._size >= MAX_BATCH or (
            self._size >= CHUNK and (self._pending is None or self._pending.done())
        ):
            self._hand_over()


def _chunks(lines: Iterable[str | bytes]) -> Iterator[bytes]:
    """The lines (text, or bytes already in UTF-8) as UTF-8, about CHUNK bytes at a time."""
    buffer: list[bytes] = []
    buffered = 0
    for line in lines:
        data = line.encode("utf-8") if isinstance(line, str) else line
        buffer.append(data)
        buffered += len(data)
        if buffered >= CHUNK:
            yield b"".join(buffer)
            buffer.clear()
            buffered = 0
    if buffer:
        yield b"".join(buffer)


def zip_stream(
    entries: Iterable[tuple[str, Iterable[str | bytes]]],
    *,
    finish: Callable[[list[FileInfo]], list[tuple[str, bytes]]] | None = None,
    on_progress: Callable[[FileInfo], None] | None = None,
) -> Iterator[bytes]:
    """Yield the bytes of a zip holding `entries` (name, lines as text or UTF-8), then
    `finish`'s files.

    `finish` receives the FileInfo (SHA-256, size, line count) of every entry written so far
    and returns the last files to add, e.g. a manifest listing those hashes. The lines are
    read and encoded on the calling thread (so they may come from the database), hashed and
    compressed on a background one.
    """
    sink = _Sink()
    infos: list[FileInfo] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, lines in entries:
            # The pipeline is left (and idle) before the entry is closed, even on an error.
            with _Entry(archive, name) as entry, _Pipeline(entry.write) as pipeline:
                for data in _chunks(lines):
                    pipeline.add(data)
                    if chunk := sink.take():
                        yield chunk
            info = entry.info()
            infos.append(info)
            if on_progress is not None:
                on_progress(info)
            if chunk := sink.take():
                yield chunk
        for name, data in finish(list(infos)) if finish is not None else []:
            with archive.open(_zip_info(name), "w") as out:
                out.write(data)
    if chunk := sink.take():
        yield chunk
