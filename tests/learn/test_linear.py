"""The hashed linear model: fitting, per-label scores, explanations read off the weights, and a model
file that round-trips without pickle."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from csewatch.learn.linear import LinearModel, fit, hash_index, layout


def _doc(text: str, *structural: str) -> dict[str, list[str]]:
    words = text.split()
    return {"c": [text[i : i + 3] for i in range(len(text) - 2)], "w": words, "s": list(structural)}


POS = [_doc(f"selling rare folder {i} dm me", "i:price") for i in range(30)]
NEG = [_doc(f"my garden photo number {i} today", "n:media") for i in range(30)]


@pytest.fixture(scope="module")
def model() -> LinearModel:
    docs = POS + NEG
    y = np.array([[1, 0]] * len(POS) + [[0, 0]] * len(NEG), dtype=np.int8)
    return fit(docs, y, ["advert", "context"], c=1.0)


def test_scores_separate_the_classes(model: LinearModel) -> None:
    probs = model.predict([_doc("selling folder dm", "i:price"), _doc("garden photo today", "n:media")])
    assert probs.shape == (2, 2)
    assert probs[0, 0] > 0.8 > 0.2 > probs[1, 0]
    # a label with no positive example never fires
    assert probs[:, 1].max() < 0.01


def test_contributions_add_up_to_the_logit(model: LinearModel) -> None:
    doc = _doc("selling folder dm me", "i:price")
    contrib = model.contributions(doc, "advert")
    logit = sum(c for _t, c in contrib) + float(model.intercept[0])
    p = float(model.predict([doc])[0, 0])
    assert abs(1 / (1 + np.exp(-logit)) - p) < 1e-4
    top = [t for t, c in contrib[:5]]
    assert any(t.startswith(("w|selling", "w|folder", "s|i:price")) for t in top)


def test_hash_index_is_the_vectoriser_index(model: LinearModel) -> None:
    off, size, _norm = layout(model.groups)["w"]
    x = model.vectorize([{"w": ["folder"]}])
    assert list(x.indices) == [off + hash_index("folder", size)]


def test_save_load_round_trip_without_pickle(model: LinearModel, tmp_path) -> None:
    model.thresholds = {"advert": {"live": 0.9, "weak": 0.6}}
    model.card = {"version": "t1"}
    path = tmp_path / "m.npz"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["coef.npy", "intercept.npy", "meta.npy"]
    again = LinearModel.load(path)
    docs = POS[:3] + NEG[:3]
    assert np.allclose(again.predict(docs), model.predict(docs), atol=2e-3)
    assert again.thresholds == model.thresholds and again.version == "t1"
    assert list(again.groups) == list(model.groups)  # the layout's order survives
    assert LinearModel.from_bytes(model.to_bytes()).version == "t1"


def test_a_pickled_file_is_refused(tmp_path) -> None:
    buf = io.BytesIO()
    np.savez(buf, coef=np.array([object()], dtype=object), intercept=np.zeros(1), meta=np.zeros(1, dtype=np.uint8))
    with pytest.raises(ValueError):
        LinearModel.from_bytes(buf.getvalue())
