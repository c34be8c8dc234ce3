"""Data tab: drag and drop, table model, overview, preview, demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt5.QtCore import QMimeData, Qt, QUrl

from aid.data.table import DatasetEntry, DatasetTable
from aid.gui.qmodels.dataset_model import COLUMN_INDEX, DatasetTableModel

pytestmark = pytest.mark.gui


def drop(window, qtbot, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    with qtbot.waitSignal(
        window.data.busy_changed, timeout=60_000, check_params_cb=lambda busy: not busy
    ):
        window.handle_drop(mime)


def test_dropping_rtdc_files_adds_rows_with_event_counts(main_window, qtbot, tutorial):
    files = sorted((tutorial / "data" / "train").glob("*.rtdc"))
    drop(main_window, qtbot, files)
    table = main_window.data.table
    assert [Path(e.path).name for e in table.entries] == ["automobile.rtdc", "cat.rtdc"]
    assert [e.events_total for e in table.entries] == [1000, 1000]
    assert [e.events_per_epoch for e in table.entries] == [100, 100]
    assert table.all_class_names() == ("automobile", "cat")
    panel = main_window.data_panel
    assert panel.table_view.model().rowCount() == 2
    assert not panel.banner.isVisible()
    assert panel.original_tile.image_label.pixmap() is not None  # preview of row 0


def test_dropping_an_image_class_folder_converts_it(
    main_window, qtbot, image_class_folder
):
    drop(main_window, qtbot, [image_class_folder])
    table = main_window.data.table
    assert table.all_class_names() == ("round", "square")
    assert [e.events_total for e in table.entries] == [5, 3]
    assert all(Path(e.path).suffix == ".rtdc" for e in table.entries)


def test_dropping_a_second_batch_keeps_class_indices_by_name(
    main_window, qtbot, tutorial
):
    drop(main_window, qtbot, [tutorial / "data" / "train" / "cat.rtdc"])
    drop(main_window, qtbot, sorted((tutorial / "data" / "validation").glob("*.rtdc")))
    table = main_window.data.table
    by_name = {
        (Path(e.path).parent.name, Path(e.path).stem): e.class_index
        for e in table.entries
    }
    assert by_name[("train", "cat")] == by_name[("validation", "cat")] == 0
    assert by_name[("validation", "automobile")] == 1


def test_dropping_a_broken_file_shows_a_message_and_keeps_the_table(
    main_window, qtbot, tutorial, tmp_path
):
    drop(main_window, qtbot, [tutorial / "data" / "train" / "cat.rtdc"])
    broken = tmp_path / "broken.rtdc"
    broken.write_bytes(b"not hdf5")
    drop(main_window, qtbot, [broken])
    assert "broken.rtdc" in main_window.last_error
    assert "Traceback" not in main_window.last_error
    assert len(main_window.data.table.entries) == 1


def test_demo_button_loads_the_demo(main_window, qtbot):
    panel = main_window.data_panel
    assert panel.banner.isVisible()
    with qtbot.waitSignal(main_window.data.import_finished, timeout=120_000):
        panel.demo_requested.emit()
    table = main_window.data.table
    assert {e.role for e in table.entries} == {"train", "valid"}
    assert table.num_classes == 3
    table.validate_for_training()


def _model(tutorial) -> DatasetTableModel:
    files = sorted((tutorial / "data" / "train").glob("*.rtdc"))
    entries = [DatasetEntry(str(p), i, "train", 1000, 100) for i, p in enumerate(files)]
    return DatasetTableModel(DatasetTable(tuple(entries), ("automobile", "cat")))


def test_table_model_passes_the_model_tester(qtmodeltester, tutorial):
    qtmodeltester.check(_model(tutorial), force_py=True)


def test_editing_cells_goes_through_the_core_table(qtbot, tutorial):
    model = _model(tutorial)
    index = model.index(1, COLUMN_INDEX["events_per_epoch"])
    assert model.setData(index, "40")
    assert model.table.entries[1].events_per_epoch == 40
    assert model.setData(model.index(0, COLUMN_INDEX["role"]), "valid")
    assert model.table.entries[0].role == "valid"
    assert model.setData(model.index(1, COLUMN_INDEX["class_name"]), "kitty")
    assert model.table.class_name(1) == "kitty"
    with qtbot.waitSignal(model.edit_failed) as failed:
        assert not model.setData(model.index(0, COLUMN_INDEX["zoom"]), "-2")
    assert "zoom" in failed.args[0]
    assert model.table.entries[0].zoom == 1.0  # nothing lost


def test_header_click_toggles_a_column(tutorial):
    model = _model(tutorial)
    model.toggle_column(COLUMN_INDEX["events_per_epoch"])
    assert [e.events_per_epoch for e in model.table.entries] == [0, 0]
    model.toggle_column(COLUMN_INDEX["events_per_epoch"])
    assert [e.events_per_epoch for e in model.table.entries] == [100, 100]
    model.toggle_column(COLUMN_INDEX["shuffle"])
    assert not any(e.shuffle for e in model.table.entries)
    shuffle = model.index(0, COLUMN_INDEX["shuffle"])
    assert model.data(shuffle, Qt.CheckStateRole) == Qt.Unchecked
