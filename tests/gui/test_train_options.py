"""Train tab: class weights, validation split and device reach the run."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from aid.errors import ConfigError
from aid.gui.panels.train_options import ClassWeightsEditor, DeviceCombo
from aid.train.config import TrainConfig
from aid.train.devices import describe_devices, gpu_names

pytestmark = pytest.mark.gui
RUN_TIMEOUT_MS = 180_000


def test_class_weight_editor_follows_the_classes_of_the_data(qtbot):
    editor = ClassWeightsEditor()
    qtbot.addWidget(editor)
    editor.set_class_names(["round", "square"])
    assert editor.value() == "none"
    editor.mode.setCurrentText("custom")
    editor._spins[1].setValue(3.5)
    assert editor.value() == (1.0, 3.5)
    editor.set_class_names(["round", "square", "blob"])  # kept by name
    assert editor.value() == (1.0, 3.5, 1.0)
    editor.set_value((2.0, 1.0))  # a session's weights
    assert editor.value() == (2.0, 1.0, 1.0)
    editor.set_value("balanced")
    assert editor.value() == "balanced"


def test_device_combo_offers_each_gpu_and_rejects_nonsense(qtbot):
    combo = DeviceCombo()
    qtbot.addWidget(combo)
    combo.set_device("cpu")
    combo.set_gpu_count(2)
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items == ["auto", "cpu", "gpu", "all", "gpu:0", "gpu:1"]
    assert combo.currentText() == "cpu"  # the choice survives the detection
    with pytest.raises(ConfigError, match="device"):
        TrainConfig(device="tpu")


def test_panel_round_trips_weights_split_and_device(main_window, qtbot):
    panel = main_window.train_panel
    panel.model_section.zoo_combo.addItem("TinyCNN")
    panel.model_section.zoo_combo.setCurrentText("TinyCNN")
    config = TrainConfig(
        zoo_name="TinyCNN",
        class_weights=(1.0, 2.5),
        validation_split=0.2,
        split_by="file",
        device="cpu",
    )
    panel.set_config(config)
    built = panel.build_config()
    assert (built.class_weights, built.validation_split, built.split_by) == (
        (1.0, 2.5),
        pytest.approx(0.2),
        "file",
    )
    assert built.device == "cpu"
    assert panel.optimizer_section.validation.split_by.isEnabled()
    panel.optimizer_section.validation.fraction.setValue(0)
    assert not panel.optimizer_section.validation.split_by.isEnabled()
    assert panel.build_config().validation_split == 0.0


def test_status_bar_names_the_hardware_from_a_worker(main_window, qtbot):
    main_window.tasks.start(
        lambda progress, cancelled: (describe_devices(), len(gpu_names())),
        on_success=main_window._on_devices_detected,
    )
    qtbot.waitUntil(
        lambda: main_window.device_label.text() == f"Device: {describe_devices()}",
        timeout=10_000,
    )


@pytest.mark.slow
def test_custom_weights_and_a_split_reach_the_run(
    main_window, qtbot, tiny_table, tiny_config
):
    """Training files only: the GUI's 25 % split gives the run its validation."""
    train_only = replace(
        tiny_table, entries=tuple(e for e in tiny_table.entries if e.role == "train")
    )
    main_window.data.model.set_table(train_only)
    panel = main_window.train_panel
    panel.model_section.zoo_combo.addItem("TinyCNN")
    panel.set_config(tiny_config)
    weights = panel.optimizer_section.class_weights
    assert weights.class_names() == ["automobile", "cat"]
    weights.mode.setCurrentText("custom")
    weights._spins[1].setValue(2.0)
    panel.optimizer_section.validation.fraction.setValue(25)
    panel.device.set_device("cpu")
    with qtbot.waitSignal(main_window.training.run_started) as started:
        panel.start_button.click()
    controller = started.args[0]
    with qtbot.waitSignal(controller.run_finished, timeout=RUN_TIMEOUT_MS) as done:
        pass
    assert done.args == ["completed"], main_window.last_error
    saved = json.loads((controller.run_dir / "config.json").read_text())
    saved = saved.get("config", saved)
    assert saved["class_weights"] == [1.0, 2.0]
    assert (saved["validation_split"], saved["device"]) == (0.25, "cpu")
    view = panel.runs.currentWidget()
    assert all(0.0 <= v <= 1.0 for v in view.curves.series("val_accuracy"))
