"""The PyInstaller spec and icons: relative paths, files it names, icon sizes."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from PIL import Image

PACKAGING = Path(__file__).resolve().parents[2] / "packaging"
SPEC = PACKAGING / "aid.spec"

sys.path.insert(0, str(PACKAGING))
from make_icons import make_icons  # noqa: E402


def test_spec_is_python_with_relative_paths_only() -> None:
    text = SPEC.read_text(encoding="utf-8")
    tree = ast.parse(text)
    strings = [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    absolute = [
        s for s in strings if s.startswith(("/", "~")) or re.match(r"[A-Za-z]:\\", s)
    ]
    assert absolute == []
    assert "SPECPATH" in text and "/work" not in text


def test_files_named_by_the_spec_exist() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for name in ("aid_launcher.py", "aid.ico", "aid.icns", "aid.png"):
        assert f'"{name}"' in text
        assert (PACKAGING / name).is_file()
    assert '"hooks", "rthook_aid_editable_zoo.py"' in text
    assert (PACKAGING / "hooks" / "rthook_aid_editable_zoo.py").is_file()


def test_icons_are_regenerated_with_every_size(tmp_path: Path) -> None:
    png, ico, icns = make_icons(folder=tmp_path)
    with Image.open(png) as image:
        assert image.size == (256, 256) and image.mode == "RGBA"
    with Image.open(ico) as image:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(image.info["sizes"])
    with Image.open(icns) as image:
        assert max(image.info["sizes"])[0] >= 512
    with Image.open(PACKAGING / "aid.ico") as shipped:
        assert set(shipped.info["sizes"]) == set(Image.open(ico).info["sizes"])
