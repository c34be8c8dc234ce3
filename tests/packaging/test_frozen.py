"""Paths of a frozen build and the editable built-in model zoo."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import aid
from aid import frozen

REPO = Path(__file__).resolve().parents[2]

EXTRA_MODEL = '''

@architecture("EditedNet", family="MLP")
def edited_net(input_shape: Shape, num_classes: int, *, dropout: float = 0.0):
    """A model a user added to the editable zoo."""
    return mlp(input_shape, num_classes, (8,), "EditedNet", dropout)
'''

# Runs in a fresh interpreter, as the bundle's runtime hook does before any aid code.
ZOO_SCRIPT = """
import json, sys
from pathlib import Path
from aid.frozen import install_editable_zoo
zoo_file = Path(sys.argv[1])
install_editable_zoo(zoo_file)
from aid import zoo_registry
first = zoo_registry.available()
zoo_file.write_text(zoo_file.read_text().replace("EditedNet", "RenamedNet"))
zoo_registry.reload()
second = zoo_registry.available()
model = zoo_registry.build_model("RenamedNet", (16, 16, 1), 3)
print(json.dumps({
    "tiny_source": str(first["TinyCNN"].source),
    "first": sorted(first), "second": sorted(second),
    "output": list(model.output_shape),
    "errors": [str(e) for e in zoo_registry.zoo_errors()],
}))
"""


def test_helpers_when_running_from_source() -> None:
    assert not frozen.is_frozen()
    assert frozen.executable_dir() is None
    assert frozen.editable_zoo_path() is None
    assert frozen.bundle_dir() == Path(aid.__file__).resolve().parent.parent
    assert frozen.install_editable_zoo() is None
    assert not any(isinstance(f, frozen.EditableZooFinder) for f in sys.meta_path)


def test_helpers_in_a_frozen_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    contents = tmp_path / "AID" / "_internal"
    contents.mkdir(parents=True)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(contents), raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "AID" / "aid-cli"))

    assert frozen.is_frozen()
    assert frozen.bundle_dir() == contents.resolve()
    assert frozen.executable_dir() == (tmp_path / "AID").resolve()
    assert frozen.editable_zoo_path() is None  # removed by the user: frozen copy used
    zoo_file = tmp_path / "AID" / "model_zoo.py"
    zoo_file.write_text("", encoding="utf-8")
    assert frozen.editable_zoo_path() == zoo_file.resolve()


def test_the_editable_zoo_file_replaces_the_builtin_module(tmp_path: Path) -> None:
    zoo_file = tmp_path / "model_zoo.py"
    original = (REPO / "aid" / "model_zoo.py").read_text(encoding="utf-8")
    zoo_file.write_text(original + EXTRA_MODEL, encoding="utf-8")

    done = subprocess.run(
        [sys.executable, "-c", ZOO_SCRIPT, str(zoo_file)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["tiny_source"] == str(zoo_file.resolve())
    assert "EditedNet" in result["first"] and "RenamedNet" not in result["first"]
    # "Reload zoo" re-reads the edited file: renamed entry in, old one out
    assert "RenamedNet" in result["second"] and "EditedNet" not in result["second"]
    assert result["output"] == [None, 3]
    assert result["errors"] == []


def test_a_missing_zoo_file_falls_back_to_normal_import(tmp_path: Path) -> None:
    finder = frozen.EditableZooFinder(tmp_path / "model_zoo.py")
    assert finder.find_spec(frozen.ZOO_MODULE) is None
    (tmp_path / "model_zoo.py").write_text("", encoding="utf-8")
    spec = finder.find_spec(frozen.ZOO_MODULE)
    assert spec is not None and spec.origin == str(
        (tmp_path / "model_zoo.py").resolve()
    )
    assert finder.find_spec("aid.zoo_blocks") is None
