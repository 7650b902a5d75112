"""Building long-lived structures without the cyclic garbage collector in the way."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """Build a large, long-lived structure without the cyclic collector running.

    Every object a flow's parse or compile creates lives as long as the flow, so the
    collections its allocations trigger find nothing to free; they only re-walk the growing
    heap, which took half the time of loading a large flow.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
