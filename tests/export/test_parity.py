"""Exported models predict what the app predicts, in every runtime.

The app computes ``model.predict(normalize(crop, prep))``; an exported model
gets the raw crop (float32 pixels 0-255) and must agree within 1e-4.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from aid.modelfile.io import load_model

CASES = ("legacy_div255", "cifar_zscore_train", "cifar_zscore_image")

TOLERANCE = 1e-4


def assert_parity(scores: np.ndarray, app_scores: np.ndarray) -> None:
    assert scores.shape == app_scores.shape
    diff = np.max(np.abs(scores - app_scores))
    print(f"max |exported - app| = {diff:.1e}")  # shown with pytest -s
    assert diff <= TOLERANCE
    np.testing.assert_array_equal(scores.argmax(1), app_scores.argmax(1))


def pixels(case) -> np.ndarray:
    return case.crops.astype(np.float32)


def test_app_predictions_are_not_trivial(cases):
    """Parity is only meaningful if the models predict something varied."""
    legacy = cases["legacy_div255"]
    labels = np.repeat([0, 1], 32)
    assert np.mean(legacy.app_scores.argmax(1) == labels) > 0.8  # tutorial: 0.908
    for case in cases.values():
        assert np.ptp(case.app_scores[:, 0]) > 1e-3


@pytest.mark.parametrize("name", CASES)
def test_onnxruntime(name, cases, exported):
    import onnxruntime

    case, result = cases[name], exported(name, "onnx")
    session = onnxruntime.InferenceSession(
        str(result.path), providers=["CPUExecutionProvider"]
    )
    assert [i.name for i in session.get_inputs()] == ["image"]
    scores = session.run(["scores"], {"image": pixels(case)})[0]
    assert_parity(scores, case.app_scores)


@pytest.mark.parametrize("name", CASES)
def test_opencv_dnn(name, cases, exported):
    cv2 = pytest.importorskip("cv2")
    case, result = cases[name], exported(name, "onnx")
    net = cv2.dnn.readNetFromONNX(str(result.path))
    net.setInput(pixels(case))  # the ONNX graph itself takes NHWC
    assert_parity(net.forward(), case.app_scores)


@pytest.mark.parametrize("name", CASES)
def test_tensorflow_savedmodel(name, cases, exported):
    import tensorflow as tf

    case, result = cases[name], exported(name, "savedmodel")
    assert (result.path / "saved_model.pb").is_file()
    serve = tf.saved_model.load(str(result.path)).signatures["serving_default"]
    scores = serve(image=tf.constant(pixels(case)))["scores"].numpy()
    assert_parity(scores, case.app_scores)


def tflite_interpreter(path):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import tensorflow as tf

        with warnings.catch_warnings():  # deprecated in favour of ai-edge-litert
            warnings.simplefilter("ignore")
            return tf.lite.Interpreter(model_path=str(path))
    return Interpreter(model_path=str(path))


@pytest.mark.parametrize("name", CASES)
def test_tflite_interpreter(name, cases, exported):
    case, result = cases[name], exported(name, "tflite")
    runner = tflite_interpreter(result.path).get_signature_runner("serving_default")
    scores = runner(image=pixels(case))["scores"]
    assert_parity(scores, case.app_scores)


@pytest.mark.parametrize("name", CASES)
def test_keras_file_in_keras_and_in_the_app(name, cases, exported):
    """Plain Keras loads it; AID loads it back and predicts as before."""
    import keras

    case, result = cases[name], exported(name, "keras")
    plain = keras.saving.load_model(result.path)
    assert_parity(plain.predict(pixels(case), verbose=0), case.app_scores)

    again = load_model(result.path)
    prep = again.meta.preprocessing
    assert prep.normalization == "none"  # it is inside the model now
    assert again.meta.class_names == case.loaded.meta.class_names
    original = case.loaded.meta.preprocessing.to_dict()
    assert again.meta.source["normalization_inside_model"] == original
    from aid.data.preprocess import normalize

    scores = again.model.predict(normalize(case.crops, prep), verbose=0)
    assert_parity(scores, case.app_scores)
