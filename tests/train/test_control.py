"""TrainingControl across threads."""

from __future__ import annotations

import threading
import time

from aid.train.control import TrainingControl


def test_pause_blocks_until_resume() -> None:
    control = TrainingControl()
    control.pause()
    assert control.paused and not control.wait_if_paused(timeout=0.05)
    timer = threading.Timer(0.2, control.resume)
    started = time.perf_counter()
    timer.start()
    assert control.wait_if_paused(timeout=5)
    assert time.perf_counter() - started >= 0.15


def test_stop_wakes_a_paused_run_and_save_request_is_taken_once() -> None:
    control = TrainingControl()
    control.pause()
    threading.Timer(0.05, control.request_stop).start()
    assert control.wait_if_paused(timeout=5) and control.stop_requested
    control.save_now()
    assert control.take_save_request() and not control.take_save_request()
