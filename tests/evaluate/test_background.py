"""The read-ahead thread used to overlap file reading with inference."""

from __future__ import annotations

import threading

import pytest

from aid.evaluate.background import prefetch


def test_items_arrive_in_order_from_another_thread() -> None:
    threads = set()

    def produce():
        for i in range(50):
            threads.add(threading.current_thread().name)
            yield i

    assert list(prefetch(produce(), depth=3)) == list(range(50))
    assert threads == {"aid-prefetch"}


def test_producer_error_reaches_consumer() -> None:
    def produce():
        yield 1
        raise ValueError("bad file")

    got = []
    with pytest.raises(ValueError, match="bad file"):
        for item in prefetch(produce()):
            got.append(item)
    assert got == [1]


def test_stopping_early_closes_the_producer() -> None:
    closed = threading.Event()

    def produce():
        try:
            yield from range(1000)
        finally:
            closed.set()

    stream = prefetch(produce(), depth=2)
    assert next(stream) == 0
    stream.close()
    assert closed.is_set()
    assert not any(t.name == "aid-prefetch" for t in threading.enumerate())
