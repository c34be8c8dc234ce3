"""Importing image folders and zips to one .rtdc per class."""

from __future__ import annotations

import zipfile

import cv2
import numpy as np
import pytest
from PIL import Image

from aid.data.images import (
    ImportCancelled,
    decode_image,
    import_images,
    table_from_folder,
)
from aid.data.rtdc import open_rtdc
from aid.errors import ImageImportError


@pytest.fixture()
def mixed_folder(tmp_path):
    """Two classes: 8/16-bit, gray/RGB/RGBA/P images, a text file, corrupt files."""
    root = tmp_path / "src"
    (root / "beads").mkdir(parents=True)
    (root / "cells").mkdir()
    gray = np.tile(
        np.arange(0, 240, 15, dtype=np.uint8), (16, 1)
    )  # 16x16, columns 0..225
    cv2.imwrite(str(root / "beads/gray 8bit.png"), gray)
    cv2.imwrite(str(root / "beads/gray16.tif"), gray.astype(np.uint16) * 256)
    cv2.imwrite(str(root / "beads/gray.bmp"), gray)
    rgb = np.zeros((16, 16, 3), np.uint8)
    rgb[..., 0] = 200  # pure red in RGB order
    cv2.imwrite(str(root / "cells/red.png"), rgb[..., ::-1])  # cv2 writes BGR
    Image.fromarray(np.dstack([rgb, np.full((16, 16), 128, np.uint8)])).save(
        root / "cells/red_a.png"
    )
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE).save(
        root / "cells/red_p.png"
    )
    ok, jpeg = cv2.imencode(".jpg", rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 100])
    (root / "cells/red.jpg").write_bytes(jpeg.tobytes())
    (root / "cells/truncated.jpg").write_bytes(jpeg.tobytes()[: len(jpeg) // 2])
    (root / "cells/garbage.png").write_bytes(b"not an image at all")
    (root / "cells/notes.txt").write_text("lab notes")
    return root


def test_folder_import_gray_rgb_16bit_and_reports(mixed_folder, tmp_path):
    out = tmp_path / "out"
    result = import_images(mixed_folder, out, color="rgb")
    assert result.class_names == ["beads", "cells"] and result.events == [3, 4]
    assert [p.name for p in result.files] == ["beads.rtdc", "cells.rtdc"]
    assert result.skipped == [str(mixed_folder / "cells/notes.txt")]
    assert sorted(result.corrupt) == [
        str(mixed_folder / "cells/garbage.png"),
        str(mixed_folder / "cells/truncated.jpg"),
    ]
    with open_rtdc(out / "beads.rtdc") as f:
        images = f.images()
        assert images.shape == (3, 16, 16, 3)
        assert np.array_equal(
            images[:, 0, :, 0], np.tile(np.arange(0, 240, 15), (3, 1))
        )  # 16-bit >> 8
    with open_rtdc(out / "cells.rtdc") as f:
        cells = f.images()
        assert np.abs(cells[..., 0].astype(int) - 200).max() <= 2  # jpeg rounding only
        assert (
            cells[..., 1:].max() <= 2
        )  # RGBA alpha dropped, palette expanded: still red
    assert sorted(p.name for p in out.iterdir()) == ["beads.rtdc", "cells.rtdc"]


def test_auto_colour_and_gray_conversion(mixed_folder, tmp_path):
    auto = import_images(mixed_folder / "beads", tmp_path / "a")
    with open_rtdc(auto.files[0]) as f:
        assert f.image_shape == (16, 16)  # all gray -> gray
    gray = import_images(mixed_folder / "cells", tmp_path / "g", color="gray")
    assert gray.class_names == ["cells"]  # images directly in the folder: its name
    with open_rtdc(gray.files[0]) as f:
        assert f.image_shape == (16, 16)
        assert abs(int(f.images([0])[0, 8, 8]) - int(0.21 * 200)) <= 1


def test_smileys_mixed_sizes_and_modes(tutorial, tmp_path):
    smileys = [tutorial / f"smileys/{n}_10" for n in ("sunglasses", "blink", "happy")]
    with pytest.raises(ImageImportError, match="different sizes"):
        import_images(smileys, tmp_path / "x")
    crop = import_images(smileys, tmp_path / "crop", size=48, color="rgb")
    assert crop.class_names == ["blink_10", "happy_10", "sunglasses_10"]  # sorted
    assert crop.events == [10, 10, 10] and not crop.corrupt
    resized = import_images(
        smileys[:1], tmp_path / "resize", size=40, resize="resize", interpolation="area"
    )
    with open_rtdc(crop.files[0]) as f, open_rtdc(resized.files[0]) as g:
        assert f.image_shape == (48, 48, 3) and g.image_shape == (40, 40, 3)


def test_zip_import_without_extracting(shared_data, tmp_path):
    small = tmp_path / "wbc.zip"
    with (
        zipfile.ZipFile(shared_data / "blood-wbc.zip") as src,
        zipfile.ZipFile(small, "w") as dst,
    ):
        for folder in ("TRAIN/EOSINOPHIL/", "TRAIN/LYMPHOCYTE/", "TEST/EOSINOPHIL/"):
            names = [n for n in src.namelist() if n.startswith(folder) and n != folder][
                :3
            ]
            for name in names:
                dst.writestr(name, src.read(name))
        dst.writestr("TRAIN/README.txt", "not an image")
    result = import_images(small, tmp_path / "out", size=64, resize="resize")
    # the same class folder in TRAIN and TEST keeps both apart
    assert result.class_names == ["LYMPHOCYTE", "TEST_EOSINOPHIL", "TRAIN_EOSINOPHIL"]
    assert result.events == [3, 3, 3]
    assert result.skipped == [f"{small}::TRAIN/README.txt"]
    with open_rtdc(result.files[0]) as f:
        assert f.image_shape == (64, 64, 3)


def test_empty_and_missing_sources(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty/readme.md").write_text("x")
    with pytest.raises(ImageImportError, match="no images found"):
        import_images(tmp_path / "empty", tmp_path / "out")
    with pytest.raises(ImageImportError, match="not found"):
        import_images(tmp_path / "nothing", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_all_corrupt_is_an_error(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.png").write_bytes(b"\x89PNG broken")
    with pytest.raises(ImageImportError):
        import_images(tmp_path / "src", tmp_path / "out", size=8, color="gray")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_cancel_and_existing_output_leave_nothing_half_written(mixed_folder, tmp_path):
    out = tmp_path / "out"
    calls = iter([False, False, True, True, True])
    with pytest.raises(ImportCancelled):
        import_images(
            mixed_folder, out, size=16, color="gray", cancel=lambda: next(calls)
        )
    assert not out.exists() or not list(out.iterdir())
    import_images(mixed_folder, out, size=16, color="gray")
    before = (out / "beads.rtdc").read_bytes()
    with pytest.raises(ImageImportError, match="output exists"):
        import_images(mixed_folder, out, size=16, color="gray")
    assert (out / "beads.rtdc").read_bytes() == before


def test_progress_is_reported(mixed_folder, tmp_path):
    seen: list[tuple[int, int]] = []
    import_images(
        mixed_folder,
        tmp_path / "out",
        color="gray",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[0] == (0, 9) and seen[-1] == (9, 9) and len(seen) == 10


def test_decode_rejects_truncated_jpeg(mixed_folder):
    data = (mixed_folder / "cells/truncated.jpg").read_bytes()
    with pytest.raises(ImageImportError, match="truncated"):
        decode_image(data, name="truncated.jpg")


def test_table_from_folder_of_rtdc_files(tutorial):
    table = table_from_folder(tutorial / "data/train")
    assert table.class_names == ("automobile", "cat")
    assert [(e.name, e.class_index, e.role, e.events_total) for e in table.entries] == [
        ("automobile.rtdc", 0, "train", 1000),
        ("cat.rtdc", 1, "train", 1000),
    ]
    roles = table_from_folder(tutorial / "data", events_per_epoch=100)
    assert sorted({e.role for e in roles.entries}) == ["test", "train", "valid"]
    assert {e.events_per_epoch for e in roles.entries} == {100}
    assert all(
        e.class_index == ("automobile", "cat").index(e.name[:-5]) for e in roles.entries
    )


def test_table_from_image_folder_imports_into_cache(
    mixed_folder, tmp_path, monkeypatch
):
    monkeypatch.setenv("AID_CACHE_DIR", str(tmp_path / "cache"))
    table = table_from_folder(mixed_folder, size=16, color="gray")
    assert table.class_names == ("beads", "cells")
    assert [e.events_total for e in table.entries] == [3, 4]
    assert all(str(tmp_path / "cache") in e.path for e in table.entries)
    again = table_from_folder(
        mixed_folder, size=16, color="gray"
    )  # reused, not re-imported
    assert again == table


def test_image_folders_below_role_folders_keep_class_names_and_roles(tmp_path):
    """TRAIN/<class> and TEST/<class> (blood-cell layout) give roles, not classes."""
    for role, count in (("TRAIN", 5), ("TEST", 2)):
        for value, cls in ((40, "LYMPHOCYTE"), (200, "NEUTROPHIL")):
            folder = tmp_path / "src" / role / cls
            folder.mkdir(parents=True)
            for i in range(count):
                cv2.imwrite(
                    str(folder / f"{i}.jpeg"), np.full((12, 10, 3), value + i, np.uint8)
                )
    table = table_from_folder(tmp_path / "src", out_dir=tmp_path / "out", size=10)
    assert table.class_names == ("LYMPHOCYTE", "NEUTROPHIL")
    rows = sorted((e.role, e.class_index, e.events_total) for e in table.entries)
    assert rows == [("test", 0, 2), ("test", 1, 2), ("train", 0, 5), ("train", 1, 5)]
