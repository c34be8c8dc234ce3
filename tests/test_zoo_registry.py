"""Registry machinery: user model files, reload, duplicates, validation, CLI check."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from aid import zoo_registry
from aid.cli import main
from aid.errors import ZooError, ZooLoadError

GOOD = '''
from __future__ import annotations

import keras
from aid.model_zoo import architecture, classifier


@architecture("UserNet", family="mine", min_size=8)
def user_net(input_shape, num_classes, *, filters: int = 4, gap: bool = True):
    """A user's tiny CNN.

    More text that is not part of the description.
    """
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Conv2D(filters, 3, activation="relu")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x) if gap else x
    return classifier(inputs, x, num_classes, "UserNet")
'''

SYNTAX_ERROR = "from aid.model_zoo import architecture\n\ndef broken(:\n    pass\n"

RUNTIME_ERROR = """from aid.model_zoo import architecture

@architecture("NeverRegistered")
def never(input_shape, num_classes):
    return None

values = {}
print(values["missing"])
"""

DUPLICATE = '''import keras
from aid.model_zoo import architecture, classifier

@architecture("LeNet5_do")
def my_lenet(input_shape, num_classes):
    """Clashes with the built-in LeNet5_do."""
'''

SOFTMAX_IN_DENSE = '''import keras
from aid.model_zoo import architecture

@architecture("FusedSoftmax", min_size=4)
def fused(input_shape, num_classes):
    """Softmax inside the Dense layer: breaks the zoo rule."""
    inputs = keras.Input(shape=input_shape)
    x = keras.layers.Flatten()(inputs)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)
'''


@pytest.fixture
def user_dir():
    folder = Path(os.environ["AID_USER_MODELS"])  # a fresh folder per test (conftest)
    folder.mkdir(parents=True, exist_ok=True)
    zoo_registry.reload()
    yield folder
    shutil.rmtree(folder)
    zoo_registry.reload()  # drop this test's user models again


def test_user_folder_loads_good_files_and_reports_broken_ones(user_dir):
    (user_dir / "a_syntax.py").write_text(SYNTAX_ERROR)
    (user_dir / "b_good.py").write_text(GOOD)
    (user_dir / "c_runtime.py").write_text(RUNTIME_ERROR)
    (user_dir / "_helper.py").write_text(SYNTAX_ERROR)  # private: never imported

    errors = zoo_registry.reload()

    assert len(errors) == 2 and all(isinstance(e, ZooLoadError) for e in errors)
    syntax, runtime = sorted(errors, key=str)
    assert "a_syntax.py" in str(syntax) and "syntax error, line 3" in str(syntax)
    assert "c_runtime.py" in str(runtime) and "KeyError (line 8)" in str(runtime)
    assert zoo_registry.zoo_errors() == errors
    assert "NeverRegistered" not in zoo_registry.available()  # failed file rolled back
    arch = zoo_registry.get_architecture("UserNet")
    assert arch.family == "mine" and arch.min_size == 8
    assert arch.description == "A user's tiny CNN."
    assert arch.source == (user_dir / "b_good.py").resolve()
    assert arch.hyperparameters() == {"filters": (4, int), "gap": (True, bool)}
    assert "LeNet5_do" in zoo_registry.names()  # the built-ins are still there

    model = zoo_registry.build_model("UserNet", (12, 12, 1), 2, filters=2)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    loss = model.train_on_batch(np.zeros((2, 12, 12, 1), "float32"), np.array([0, 1]))
    assert np.isfinite(np.asarray(loss)).all()


def test_load_user_models_from_another_folder(user_dir, tmp_path):
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "net.py").write_text(GOOD)
    assert zoo_registry.load_user_models(other) == []
    assert (
        zoo_registry.get_architecture("UserNet").source == (other / "net.py").resolve()
    )
    assert zoo_registry.load_user_models(tmp_path / "missing") == []


def test_duplicate_name_names_both_files(user_dir):
    (user_dir / "dup.py").write_text(DUPLICATE)
    (error,) = zoo_registry.reload()
    message = str(error)
    assert "'LeNet5_do' is defined twice" in message
    assert "model_zoo.py" in message and "dup.py" in message
    # the built-in entry is untouched
    assert zoo_registry.get_architecture("LeNet5_do").source.name == "model_zoo.py"


def test_two_user_files_with_the_same_name(user_dir):
    (user_dir / "first.py").write_text(GOOD)
    (user_dir / "second.py").write_text(GOOD)
    (error,) = zoo_registry.reload()
    assert "first.py" in str(error) and "second.py" in str(error)
    assert zoo_registry.get_architecture("UserNet").source.name == "first.py"


def test_reload_replaces_entries_of_an_edited_file(user_dir):
    path = user_dir / "mine.py"
    path.write_text(GOOD)
    assert zoo_registry.reload() == []
    path.write_text(GOOD.replace("UserNet", "RenamedNet").replace("tiny", "small"))
    assert zoo_registry.reload() == []
    assert "UserNet" not in zoo_registry.available()
    assert (
        zoo_registry.get_architecture("RenamedNet").description == "A user's small CNN."
    )
    # loading the same file again is a reload of that file, not a duplicate
    assert [a.name for a in zoo_registry.load_model_file(path)] == ["RenamedNet"]


def test_unknown_name_suggests_close_matches():
    with pytest.raises(
        ZooError, match=r"unknown model architecture 'lenet5_d0'.*'LeNet5_do'"
    ):
        zoo_registry.get_architecture("lenet5_d0")
    with pytest.raises(ZooError, match="aid zoo list"):
        zoo_registry.build_model("NoSuchThing", (32, 32, 1), 2)


def test_too_small_input_states_the_minimum():
    with pytest.raises(
        ZooError, match=r"Nitta_et_al_8layer needs images of at least 36x36"
    ):
        zoo_registry.build_model("Nitta_et_al_8layer", (32, 32, 1), 2)
    with pytest.raises(ZooError, match="at least 16x16 pixels, got 32x15"):
        zoo_registry.build_model("LeNet5_do", (32, 15, 1), 2)
    model = zoo_registry.build_model("LeNet5_do", (16, 20, 1), 2)  # not square is fine
    assert model.output_shape == (None, 2)


@pytest.mark.parametrize(
    ("shape", "classes", "hparams", "message"),
    [
        ((32, 32, 2), 2, {}, "1 \\(gray\\) or 3 \\(RGB\\) channels, not 2"),
        ((32, 32, 4), 2, {}, "channels, not 4"),
        ((32, 32, 1), 1, {}, "at least 2 classes"),
        ((32, 32), 2, {}, "height, width, channels"),
        (
            (32, 32, 1),
            2,
            {"widht": 8},
            "no hyper-parameter 'widht' \\(it has: width\\)",
        ),
    ],
)
def test_invalid_requests_are_zoo_errors(shape, classes, hparams, message):
    with pytest.raises(ZooError, match=message):
        zoo_registry.build_model("ResNet8", shape, classes, **hparams)


def test_builder_breaking_the_head_rule_is_rejected(user_dir):
    (user_dir / "fused.py").write_text(SOFTMAX_IN_DENSE)
    assert zoo_registry.reload() == []
    with pytest.raises(
        ZooError, match=r"must end in Dense\(3\) followed by Activation"
    ):
        zoo_registry.build_model("FusedSoftmax", (8, 8, 1), 3)


def test_user_models_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("AID_USER_MODELS", str(tmp_path / "zoo"))
    assert zoo_registry.user_models_dir() == tmp_path / "zoo"
    monkeypatch.delenv("AID_USER_MODELS")
    import platformdirs

    expected = Path(platformdirs.user_config_dir("aid", appauthor=False)) / "models"
    assert zoo_registry.user_models_dir() == expected


def test_load_model_file_errors(user_dir, tmp_path):
    with pytest.raises(ZooLoadError, match="does not exist"):
        zoo_registry.load_model_file(tmp_path / "nope.py")
    bad = tmp_path / "bad.py"
    bad.write_text(RUNTIME_ERROR)
    with pytest.raises(ZooLoadError, match="bad.py.*KeyError"):
        zoo_registry.load_model_file(bad)


def test_cli_zoo_check_file(user_dir, tmp_path, capsys):
    good = tmp_path / "good.py"
    good.write_text(GOOD)
    assert main(["zoo", "check", str(good)]) == 0
    out = capsys.readouterr().out
    assert "OK      UserNet (min 8px)" in out and "1 of 1 architectures OK" in out

    # min_size 1 is a lie for this model: the check builds it at 1x1 and fails
    lying = tmp_path / "lying.py"
    lie = {
        "UserNet": "LyingNet",
        "min_size=8": "min_size=1",
        "gap: bool = True": "gap: bool = False",
    }
    text = GOOD
    for before, after in lie.items():
        text = text.replace(before, after)
    lying.write_text(text)
    assert main(["zoo", "check", str(lying)]) == 1
    out = capsys.readouterr().out
    assert "FAILED  LyingNet (min 1px)" in out and "(1, 1, 1)" in out

    broken = tmp_path / "broken.py"
    broken.write_text(SYNTAX_ERROR)
    assert main(["zoo", "check", str(broken)]) == 1
    assert "FAILED" in capsys.readouterr().out

    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert main(["zoo", "check", str(empty)]) == 1
    assert "no @architecture model" in capsys.readouterr().out
