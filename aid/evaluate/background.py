"""Run an iterator in a background thread so that reading overlaps computing."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(iterable: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Iterate ``iterable`` in a background thread, ``depth`` items ahead.

    Errors in the producer are re-raised in the consumer; stopping early (or an
    error in the consumer) stops the producer at its next item and closes it.
    """
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        iterator = iter(iterable)
        try:
            for item in iterator:
                if stop.is_set():
                    return
                items.put(item)
            items.put(_DONE)
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer)
            items.put(exc)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # a generator closes its open files here, in its own thread

    worker = threading.Thread(target=produce, name="aid-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                items.get(timeout=0.05)
            except queue.Empty:
                pass
        worker.join()
