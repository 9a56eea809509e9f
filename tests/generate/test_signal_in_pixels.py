"""The signal is in the pixels: a simple model on downsampled photos alone reads category and price."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from productlens.generate.synthesize import GenerateConfig, generate_set
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def pixel_features(image_bytes: bytes) -> np.ndarray:
    """A 16x16 grey thumbnail (shape) and a hue / brightness histogram (colour), from a 64 px photo."""
    photo = Image.open(io.BytesIO(image_bytes)).convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    grey = np.asarray(photo.convert("L").resize((16, 16), Image.Resampling.BILINEAR), np.float32) / 255
    hsv = np.asarray(photo.convert("HSV"), np.float32)
    saturated = hsv[..., 1] > 60
    hue = np.histogram(hsv[..., 0][saturated], bins=12, range=(0, 256))[0] / 1024
    value = np.histogram(hsv[..., 2], bins=8, range=(0, 256))[0] / 1024
    return np.concatenate([grey.ravel(), hue, value])


@pytest.mark.slow
def test_category_and_price_can_be_read_from_pixels_alone(tmp_path: Path):
    out = tmp_path / "signal"
    generate_set(GenerateConfig(count=480, out=out, seed=11, width=128, height=128, ratios=(0.75, 0.25, 0.0)))
    train = pd.concat(pd.read_parquet(p) for p in sorted((out / "data").glob("train-*.parquet")))
    held_out = pd.concat(pd.read_parquet(p) for p in sorted((out / "data").glob("validation-*.parquet")))
    x_train = np.stack([pixel_features(image["bytes"]) for image in train["image"]])
    x_held = np.stack([pixel_features(image["bytes"]) for image in held_out["image"]])

    classifier = make_pipeline(StandardScaler(), RidgeClassifier(alpha=10.0)).fit(
        x_train, train["category3_code"]
    )
    accuracy = float(np.mean(classifier.predict(x_held) == held_out["category3_code"].to_numpy()))
    chance = 1 / train["category3_code"].nunique()
    assert accuracy > 6 * chance, f"category3 accuracy {accuracy:.2f} vs chance {chance:.2f}"

    # Price from pixels alone: the training median price of the category the classifier sees.
    category_median = train.groupby("category3_code")["full_price"].median()
    predicted = category_median[classifier.predict(x_held)].to_numpy()
    truth = held_out["full_price"].to_numpy()
    model_mdape = float(np.median(np.abs(predicted - truth) / truth))
    median_mdape = float(np.median(np.abs(np.median(train["full_price"]) - truth) / truth))
    assert model_mdape < 0.75 * median_mdape, (
        f"pixels {model_mdape:.2f} vs training median {median_mdape:.2f}"
    )
