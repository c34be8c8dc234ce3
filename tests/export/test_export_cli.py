"""``aid export`` on the real AIDeveloper tutorial model."""

from __future__ import annotations

import json

import pytest

from aid.cli import main


def test_export_legacy_model_from_the_command_line(legacy_path, tmp_path, capsys):
    out = tmp_path / "deploy" / "autocat.onnx"
    assert (
        main(["export", str(legacy_path), "--format", "onnx", "--out", str(out)]) == 0
    )
    printed = capsys.readouterr().out
    assert str(out) in printed and f"{out}.json" in printed
    assert out.is_file()
    assert json.loads(out.with_name("autocat.onnx.json").read_text())["classes"] == [
        "automobile",
        "cat",
    ]


def test_unwritable_destination_is_a_clear_error(legacy_path, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    code = main(
        [
            "export",
            str(legacy_path),
            "--format",
            "tflite",
            "--out",
            str(blocker / "m.tflite"),
        ]
    )
    assert code == 2
    assert capsys.readouterr().err.startswith("error: cannot write to")


def test_unknown_format_is_rejected_by_the_parser(legacy_path, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(
            ["export", str(legacy_path), "--format", "pb", "--out", str(tmp_path / "m")]
        )
    assert exc.value.code == 2
    assert "invalid choice: 'pb'" in capsys.readouterr().err
