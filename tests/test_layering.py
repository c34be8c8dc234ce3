"""The core never imports Qt: every module outside ``aid.gui`` is imported in a
fresh interpreter and ``sys.modules`` is checked for Qt packages."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import aid

FORBIDDEN = (
    "PyQt5",
    "PyQt6",
    "PySide2",
    "PySide6",
    "qtpy",
    "pyqtgraph",
    "superqt",
    "aid.gui",
)


def core_modules() -> list[str]:
    names = [
        m.name
        for m in pkgutil.walk_packages(aid.__path__, prefix="aid.")
        if not m.name.startswith("aid.gui") and m.name != "aid.__main__"
    ]
    return sorted(names)


def test_core_modules_exist():
    names = core_modules()
    assert "aid.data.rtdc" in names and "aid.cli" in names


def test_no_core_module_imports_qt():
    code = (
        "import importlib, json, sys\n"
        f"mods = {core_modules()!r}\n"
        "for m in mods: importlib.import_module(m)\n"
        f"bad = sorted(k for k in sys.modules if k.split('.')[0] in {FORBIDDEN!r}"
        " or k.startswith('aid.gui'))\n"
        "print(json.dumps(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    leaked = json.loads(out.stdout.strip().splitlines()[-1])
    assert leaked == [], f"Qt leaked into the core: {leaked}"


def test_core_sources_do_not_mention_qt_imports():
    """Catches imports hidden inside functions too (not only at import time)."""
    import re
    from pathlib import Path

    root = Path(aid.__file__).parent
    pattern = re.compile(
        r"^\s*(from|import)\s+(PyQt5|PyQt6|PySide\d|qtpy|pyqtgraph|superqt|aid\.gui)\b",
        re.M,
    )
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "gui" not in p.relative_to(root).parts
        and pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
