"""What bulk work (imports, agreement over a whole project) shares."""

from __future__ import annotations

import gc
import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cycle collector off while building many small objects that form no cycles.

    Otherwise it walks them (and every long-lived object of a server process) again and again
    as they pile up, for nothing: several per cent of an import, more of an agreement run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_DONE = object()


def read_ahead[T](items: Iterable[T], *, depth: int = 2) -> Iterator[T]:
    """`items`, produced in a background thread up to `depth` items ahead of the consumer.

    For a pipeline whose consumer waits on something outside Python (a database taking a
    COPY): while it waits, the next items are made. An exception raised by `items` is raised
    here, where the consumer would have met it. When the consumer stops early (it raised, or
    closed this generator), the thread is told to stop, stops before making another item and
    is joined, and `items` is closed in it. `items` must not use the database: connections
    belong to their thread.
    """
    slots: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=max(depth, 1))
    stop = threading.Event()

    def put(entry: tuple[bool, Any]) -> bool:
        """Hand `entry` over unless told to stop first; whether it was handed over."""
        while not stop.is_set():
            try:
                slots.put(entry, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def produce() -> None:
        source = iter(items)
        try:
            for item in source:
                if not put((True, item)):
                    return
            put((True, _DONE))
        except BaseException as exc:  # handed to the consumer, which raises it
            put((False, exc))
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            ok, value = slots.get()
            if not ok:
                raise value
            if value is _DONE:
                return
            yield value
    finally:
        stop.set()
        worker.join()
