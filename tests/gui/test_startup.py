"""The window appears quickly and without TensorFlow; `aid gui` is the default."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.gui
#: Goal is < 2 s; the bound leaves room for a loaded test machine.
STARTUP_LIMIT_S = 8.0


def test_window_start_time_and_no_tensorflow(tmp_path):
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "AID_CONFIG_DIR": str(tmp_path),
    }
    code = (
        "import sys, aid.gui.app as app; app.main(exit_after_show=True); "
        "print('heavy:', sorted(m for m in ('tensorflow', 'keras') if m in "
        "sys.modules))"
    )
    begin = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    wall = time.perf_counter() - begin
    print(f"\n{out.strip()}; process wall time {wall:.2f} s")
    assert "heavy: []" in out
    seconds = float(out.split("window visible after ")[1].split(" s")[0])
    assert seconds < STARTUP_LIMIT_S


def test_gui_is_a_cli_command_and_the_default():
    from aid.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["gui", "a.rtdc", "b.zip"])
    assert args.files == ["a.rtdc", "b.zip"]
    assert args.handler.__name__ == "run_gui"
