"""Classify images with a model exported by AID as ONNX, without AID.

Needs only numpy, OpenCV (to read image files) and onnxruntime (or OpenCV's
dnn module with ``--engine opencv``); ``h5py`` for ``.rtdc`` measurements.

    python deploy_onnx.py model.onnx cell.png other.jpg
    python deploy_onnx.py model.onnx measurement.rtdc --events 0 1 2
    python deploy_onnx.py model.onnx measurement.rtdc --json

The sidecar ``model.onnx.json`` written by ``aid export`` says how AID
prepared images; this script does exactly that:

1. colour: RGB -> gray as 0.21 R + 0.72 G + 0.07 B truncated to uint8, or
   gray -> RGB by repeating the channel;
2. crop: a square of ``crop.size`` pixels around the object (``pos_x``,
   ``pos_y`` divided by the pixel size for .rtdc events, the image centre for
   image files), corner ``round(centre - size / 2)``, the outside filled by
   ``crop.padding`` (NumPy pad modes);
3. no normalisation: it is inside the exported model (``inside_model``), which
   takes float32 pixels 0-255 of shape (N, H, W, C).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np


def read_sidecar(model_path: Path) -> dict:
    """The JSON written beside the model (``model.onnx`` -> ``model.onnx.json``)."""
    sidecar = model_path.with_name(model_path.name + ".json")
    description = json.loads(sidecar.read_text(encoding="utf-8"))
    if not description.get("inside_model", False):
        sys.exit("this script expects a model with its normalisation built in")
    return description


def convert_color(image: np.ndarray, description: dict) -> np.ndarray:
    """(H, W) or (H, W, 3) uint8 -> (H, W, C) with C as the model wants."""
    if image.ndim == 2:
        image = image[..., np.newaxis]
    if description["color_mode"] == "gray":
        if image.shape[-1] == 1:
            return image
        # AIDeveloper's formula, summed left to right in float64, then truncated:
        # a matrix product may round differently and change a pixel by 1
        wr, wg, wb = description["color_conversion"]["rgb_to_gray_weights"]
        rgb = image.astype(np.float64)
        gray = wr * rgb[..., 0] + wg * rgb[..., 1] + wb * rgb[..., 2]
        return gray.astype(np.uint8)[..., np.newaxis]
    return image if image.shape[-1] == 3 else np.repeat(image, 3, axis=-1)


def crop(image: np.ndarray, cx: float, cy: float, description: dict) -> np.ndarray:
    """Cut the ``size`` x ``size`` window centred at pixel (cx, cy), padding outside."""
    size = description["crop"]["size"]
    height, width = image.shape[:2]
    x1, y1 = int(np.round(cx - size / 2.0)), int(np.round(cy - size / 2.0))
    x2, y2 = x1 + size, y1 + size
    inner = image[max(0, y1) : min(height, y2), max(0, x1) : min(width, x2)]
    pads = (
        (max(0, -y1), max(0, y2 - height)),
        (max(0, -x1), max(0, x2 - width)),
        (0, 0),
    )
    if not any(any(p) for p in pads):
        return inner
    mode = description["crop"]["padding"]
    return (
        np.pad(inner, pads, mode=mode)
        if inner.size
        else np.zeros((size, size, image.shape[-1]), image.dtype)
    )


def read_image_file(path: Path) -> tuple[np.ndarray, float, float]:
    """An image file as RGB or gray uint8 and its centre."""
    image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    if image is None:
        sys.exit(f"cannot read {path}")
    if image.dtype != np.uint8:
        image = (image >> 8).astype(np.uint8)  # 16-bit PNG
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2RGB if image.shape[-1] == 4 else cv2.COLOR_BGR2RGB
        image = cv2.cvtColor(image, code)
    return image, image.shape[1] / 2.0, image.shape[0] / 2.0


def read_rtdc_events(path: Path, events: list[int] | None):
    """Yield (name, image, cx, cy) for events of an .rtdc file."""
    import h5py

    try:
        import hdf5plugin  # noqa: F401  (zstd-compressed files)
    except ImportError:
        pass
    with h5py.File(path, "r") as h5:
        group = h5["events"]
        pixel_size = float(np.ravel(h5.attrs.get("imaging:pixel size", 1.0))[0]) or 1.0
        count = len(group["image"])
        for index in range(count) if events is None else events:
            image = group["image"][index]
            if "pos_x" in group and "pos_y" in group:
                cx = float(group["pos_x"][index]) / pixel_size
                cy = float(group["pos_y"][index]) / pixel_size
            else:
                cx, cy = image.shape[1] / 2.0, image.shape[0] / 2.0
            yield f"{path.name}:{index}", image, cx, cy


def make_classifier(model_path: Path, description: dict, engine: str):
    """Return a function (N, H, W, C) float32 -> (N, classes) scores."""
    if engine == "onnxruntime":
        import onnxruntime

        session = onnxruntime.InferenceSession(
            str(model_path), providers=["CPUExecutionProvider"]
        )
        names = [description["output_name"]]
        return lambda batch: session.run(names, {description["input_name"]: batch})[0]
    net = cv2.dnn.readNetFromONNX(str(model_path))

    def classify(batch: np.ndarray) -> np.ndarray:
        net.setInput(batch)  # NHWC, as the model's input
        return net.forward()

    return classify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="model.onnx (with model.onnx.json)")
    parser.add_argument("inputs", type=Path, nargs="+", help=".png/.jpg files or .rtdc")
    parser.add_argument("--events", type=int, nargs="*", help="event indices of .rtdc")
    parser.add_argument(
        "--engine", choices=("onnxruntime", "opencv"), default="onnxruntime"
    )
    parser.add_argument("--json", action="store_true", help="print JSON lines")
    args = parser.parse_args(argv)

    description = read_sidecar(args.model)
    classify = make_classifier(args.model, description, args.engine)
    classes = description["classes"]
    for path in args.inputs:
        if path.suffix.lower() == ".rtdc":
            items = read_rtdc_events(path, args.events)
        else:
            items = [(path.name, *read_image_file(path))]
        for name, image, cx, cy in items:
            cropped = crop(convert_color(image, description), cx, cy, description)
            scores = classify(cropped[np.newaxis].astype(np.float32))[0]
            best = int(np.argmax(scores))
            if args.json:
                print(
                    json.dumps(
                        {
                            "input": name,
                            "class": classes[best],
                            "scores": [float(s) for s in scores],
                        }
                    )
                )
            else:
                listing = "  ".join(
                    f"{c}={s:.4f}" for c, s in zip(classes, scores, strict=True)
                )
                print(f"{name}: {classes[best]}  ({listing})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
