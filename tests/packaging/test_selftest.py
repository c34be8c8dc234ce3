"""``aid --selftest`` in-process: the whole chain on the demo digits, and a failure."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from aid.cli import main as cli_main
from aid.selftest import MIN_ACCURACY, PARITY_TOLERANCE, run_selftest


def test_cli_selftest_passes_and_removes_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    code = cli_main(["--selftest"])

    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0, lines
    steps = [line for line in lines if line.startswith("selftest: ")]
    assert [s.removeprefix("selftest: ").removesuffix(" ...") for s in steps] == [
        "demo data",
        "HDF5 filters",
        "model zoo",
        "augmentation processes",
        "training",
        "assessment",
        "ONNX export",
        "ONNX parity",
    ]
    summary = lines[-1]
    assert summary.startswith("AID selftest OK (TinyCNN 2 epochs in "), summary
    accuracy = float(re.search(r"validation accuracy ([0-9.]+)", summary).group(1))
    difference = float(re.search(r"ONNX max \|diff\| ([0-9.e+-]+)", summary).group(1))
    assert accuracy >= MIN_ACCURACY
    assert 0 <= difference <= PARITY_TOLERANCE
    assert int(re.search(r"on (\d+) events", summary).group(1)) > 100
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("aid-selftest-")]


def test_failed_step_is_named_and_the_given_path_is_left_alone(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("keep me", encoding="utf-8")
    lines: list[str] = []

    problems = run_selftest(blocker, report=lines.append)

    assert len(problems) == 1 and problems[0].startswith("demo data: ")
    assert lines[-1] == f"AID selftest FAILED: {problems[0]}"
    assert "\n" not in lines[-1]
    assert blocker.read_text(encoding="utf-8") == "keep me"


def test_cli_selftest_exit_code_is_1_without_a_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(
        tempfile, "tempdir", str(blocker)
    )  # like a full or read-only /tmp

    code = cli_main(["--selftest"])

    out = capsys.readouterr().out.strip().splitlines()
    assert code == 1
    assert out[-1].startswith("AID selftest FAILED: work folder: cannot create")
