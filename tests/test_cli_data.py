"""``aid info`` and ``aid import`` from the command line."""

from __future__ import annotations

import json

from aid.cli import main


def test_info_json_on_tutorial_cat(tutorial, capsys):
    assert main(["info", "--json", str(tutorial / "data/test/cat.rtdc")]) == 0
    (info,) = json.loads(capsys.readouterr().out)
    assert info["events"] == 1000 and info["image_shape"] == [32, 32, 3]
    assert info["image_dtype"] == "uint8" and info["compression"] is None


def test_info_text_for_imageless_and_empty_files(rtdc_samples, capsys):
    files = [
        rtdc_samples / "compound.rtdc",
        rtdc_samples / "empty_recording.rtdc",
        rtdc_samples / "cytoshot_blood.rtdc",
    ]
    assert main(["info", *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "events: 10\n  image: none" in out and "events: 0" in out and "zstd" in out


def test_info_missing_file_is_a_clean_error(tmp_path, capsys):
    assert main(["info", str(tmp_path / "nope.rtdc")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_import_with_progress_and_json(tutorial, tmp_path, capsys):
    src = [str(tutorial / "smileys/blink_10"), str(tutorial / "smileys/happy_10")]
    assert (
        main(
            ["import", *src, "--out", str(tmp_path), "--size", "32", "--color", "gray"]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "blink_10: 10 images" in captured.out and "100%" in captured.err
    assert (
        main(
            [
                "import",
                *src,
                "--out",
                str(tmp_path),
                "--size",
                "32",
                "--json",
                "--overwrite",
                "--resize",
                "resize",
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["class_names"] == ["blink_10", "happy_10"] and result["events"] == [
        10,
        10,
    ]
    assert main(["import", *src, "--out", str(tmp_path), "--size", "32"]) == 2
    assert "output exists" in capsys.readouterr().err
    assert (
        main(["import", *src, "--out", str(tmp_path / "new")]) == 2
    )  # mixed sizes, no --size
    assert "choose a size" in capsys.readouterr().err
