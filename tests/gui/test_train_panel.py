"""Train tab: zoo form, config, schedule and augmentation previews, LR finder."""

from __future__ import annotations

import pytest

from aid.errors import ConfigError
from aid.gui.panels.train_panel import TrainPanel
from aid.gui.panels.train_sections import hyperparameter_defaults
from aid.gui.widgets.value_form import ValueForm, doc_params

pytestmark = pytest.mark.gui


def test_value_form_types_and_changes(qtbot):
    form = ValueForm(
        {"n": 3, "rate": 0.5, "on": True, "mode": "a", "span": [0.7, 1.3]},
        choices={"mode": ("a", "b")},
    )
    qtbot.addWidget(form)
    form.set_values({"n": 5, "mode": "b", "span": [0.5, 2.0]})
    assert form.values() == {
        "n": 5,
        "rate": 0.5,
        "on": True,
        "mode": "b",
        "span": [0.5, 2.0],
    }
    assert form.changes(
        {"n": 5, "rate": 0.5, "on": True, "mode": "a", "span": [0.5, 2.0]}
    ) == {"mode": "b"}


def test_value_form_sections_labels_and_switches(qtbot):
    form = ValueForm(
        {"blur_on": False, "blur_size": [1, 5], "seed": 3, "rate": 0.5},
        labels={"blur_on": "Blur", "blur_size": "Kernel size (px)"},
        sections=[("Blurring", ["blur_on", "blur_size"])],
        switches={"blur_size": "blur_on"},
    )
    qtbot.addWidget(form)
    texts = [
        form._layout.itemAt(row, role).widget().text()
        for row in range(form._layout.rowCount())
        for role in (form._layout.LabelRole, form._layout.SpanningRole)
        if form._layout.itemAt(row, role) is not None
    ]
    # The section first, under its title; the other keys after it, readable.
    assert texts == ["<b>Blurring</b>", "Blur", "Kernel size (px)", "Seed", "Rate"]
    size_row = form._rows["blur_size"]
    assert not any(widget.isEnabled() for widget in size_row)
    form._editors["blur_on"][1][0].setChecked(True)  # as a click does
    assert all(widget.isEnabled() for widget in size_row)
    form.set_values({"blur_on": False})  # e.g. a run's params read back
    assert not any(widget.isEnabled() for widget in size_row)
    assert form.values() == {
        "blur_on": False,
        "blur_size": [1, 5],
        "seed": 3,
        "rate": 0.5,
    }


def test_augmentation_settings_read_as_sections(qtbot):
    from aid.gui.panels.augment_section import AugmentSection

    section = AugmentSection()
    qtbot.addWidget(section)
    rows = section.form._rows
    assert rows["hflip"][0].text() == "Flip left-right"
    # Saturation is off by default: its range is greyed out until switched on.
    assert not rows["saturation_range"][1].isEnabled()
    section.form._editors["saturation_on"][1][0].setChecked(True)
    assert rows["saturation_range"][1].isEnabled()
    assert section.config().saturation_on


def test_bad_augmentation_values_are_named_as_the_form_names_them(qtbot):
    from aid.gui.panels.augment_section import AugmentSection

    section = AugmentSection()
    qtbot.addWidget(section)
    section.form.set_values({"rotation": 500.0})
    with pytest.raises(ConfigError, match=r"'Rotation \(± degrees\)' must be between"):
        section.config()
    section.form.set_values({"rotation": 3.0, "contrast_range": [1.5, 0.5]})
    with pytest.raises(ConfigError, match="'Contrast: Factor': min 1.5 is above max"):
        section.config()


def test_tooltips_come_from_numpydoc():
    from aid.augment import AugmentConfig

    tips = doc_params(AugmentConfig)
    assert "degrees" in tips["rotation"] and tips["hflip"] == tips["vflip"]


def test_panel_builds_a_valid_config_and_reports_bad_settings(qtbot):
    panel = TrainPanel()
    qtbot.addWidget(panel)
    with pytest.raises(ConfigError, match="architecture"):
        panel.build_config()
    panel.model_section.zoo_combo.addItem("TinyCNN")
    panel.model_section.zoo_combo.setCurrentText("TinyCNN")
    panel.optimizer_section.epochs.setValue(3)
    config = panel.build_config()
    assert (config.zoo_name, config.epochs, config.learning_rate) == (
        "TinyCNN",
        3,
        1e-3,
    )
    panel.optimizer_section.learning_rate.setText("-1")
    with pytest.raises(ConfigError, match="learning rate"):
        panel.build_config()
    with qtbot.waitSignal(panel.invalid_settings) as invalid:
        panel.start_button.click()
    assert "learning rate" in invalid.args[0]


def test_schedule_preview_follows_the_schedule(qtbot):
    panel = TrainPanel()
    qtbot.addWidget(panel)
    section = panel.optimizer_section
    section.set_steps_per_epoch(10)
    section.epochs.setValue(5)
    assert set(section.schedule_plot.rates()) == {1e-3}
    section.schedule.setCurrentText("exponential")
    rates = section.schedule_plot.rates()
    assert rates[0] == pytest.approx(1e-3) and rates[-1] < rates[0]
    section.schedule.setCurrentText("cyclical")
    assert max(section.schedule_plot.rates()) > 1e-3


def test_zoo_picker_builds_the_hyperparameter_form(qtbot):
    from aid import zoo_registry

    panel = TrainPanel()
    qtbot.addWidget(panel)
    architectures = zoo_registry.available()
    panel.model_section.set_architectures(architectures)
    panel.model_section.zoo_combo.setCurrentText("TinyCNN")
    arch = architectures["TinyCNN"]
    assert panel.model_section.hparams.values() == hyperparameter_defaults(
        arch.hyperparameters()
    )
    assert str(arch.min_size) in panel.model_section.description.text()
    assert panel.model_section.input_size.minimum() == arch.min_size


def test_augmentation_preview_shows_examples_of_the_data(
    main_window, qtbot, tiny_table
):
    section = main_window.train_panel.augment_section
    main_window.data.model.set_table(tiny_table)
    qtbot.waitUntil(
        lambda: (
            section._tiles[7][1].pixmap() is not None
            and not section._tiles[7][1].pixmap().isNull()
        ),
        timeout=30_000,
    )
    assert "8 random training images" in section.preview_note.text()


def test_a_preview_asked_for_after_close_starts_no_thread(
    main_window, qtbot, tiny_table
):
    """The preview timer may fire while the window closes: no thread may start then.

    A thread started after close would still run when the window is deleted,
    and Qt aborts the process when a running QThread is destroyed.
    """
    main_window.data.model.set_table(tiny_table)
    main_window.close()
    runners = (main_window.training.tasks, main_window.tasks, main_window.data.tasks)
    qtbot.waitUntil(lambda: not any(runner.busy for runner in runners))
    ran = []
    for runner in runners:
        runner.start(lambda progress, cancelled: ran.append(1))
    main_window.train_panel.augment_preview_requested.emit()
    assert not any(runner.busy for runner in runners)
    qtbot.wait(300)  # past the preview timer's 250 ms
    assert not any(runner.busy for runner in runners) and ran == []


@pytest.mark.slow
def test_lr_finder_plots_and_sets_the_rate(main_window, qtbot, tiny_table, tiny_config):
    main_window.data.model.set_table(tiny_table)
    section = main_window.train_panel.optimizer_section
    controller = main_window.training
    controller.find_learning_rate(tiny_config)
    qtbot.waitUntil(
        lambda: bool(
            "suggested" in section.finder_label.text() or main_window.last_error
        ),
        timeout=120_000,
    )
    assert not main_window.last_error
    assert section.learning_rate.value() > 0
    assert len(section.finder_plot._curve.xData) > 2
    qtbot.waitUntil(section.finder_button.isEnabled, timeout=10_000)
