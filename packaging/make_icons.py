"""Write the app icon for every OS: ``aid.png``, ``aid.ico`` and ``aid.icns``.

The source is the GUI's icon (``aid/gui/resources/icon.png``, drawn by
``python -m aid.gui.widgets.icon``). Run from anywhere:
``python packaging/make_icons.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "aid" / "gui" / "resources" / "icon.png"
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def make_icons(source: Path = SOURCE, folder: Path = HERE) -> list[Path]:
    """Write the three icon files into ``folder``; return their paths."""
    image = Image.open(source).convert("RGBA")
    if image.size != (256, 256):
        image = image.resize((256, 256), Image.LANCZOS)
    targets = [folder / "aid.png", folder / "aid.ico", folder / "aid.icns"]
    image.save(targets[0])
    image.save(targets[1], sizes=ICO_SIZES)
    # macOS wants a 512 px or larger image among the icns sizes
    image.resize((512, 512), Image.LANCZOS).save(targets[2])
    return targets


if __name__ == "__main__":
    for path in make_icons():
        print(f"wrote {path}")
