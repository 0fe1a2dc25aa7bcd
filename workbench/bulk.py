"""What bulk work (imports, agreement over a whole project) shares."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
