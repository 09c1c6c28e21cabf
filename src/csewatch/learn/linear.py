"""A hashed linear text model: per-label logistic regression over hashed feature tokens.

The leaf of the learned layer (NumPy and scikit-learn only, nothing of csewatch above it). A
document is a few groups of feature tokens (character n-grams of the folded text, word n-grams,
structural tokens such as ``i:price`` or ``t:subject=child``, bio words); each group is hashed into
one shared space and L2-normalised on its own, so a long text does not drown the structural
tokens. One binary logistic regression per label gives per-label scores; because the model is
linear, the tokens that drove a score are read straight off the weights, which is what the
detector shows a reviewer as the explanation.

Models are saved as a NumPy archive (weights as float16, no pickle: loading a model file never
runs code) plus a JSON model card.
"""

from __future__ import annotations

import io
import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

Doc = Mapping[str, Sequence[str]]  # group name -> tokens (a token may repeat)


# feature groups: name -> (bits of its hashed sub-space, L2-normalised counts or binary indicators)
GROUPS: dict[str, tuple[int, bool]] = {
    "c": (17, True),  # character n-grams of the folded text
    "w": (17, True),  # word n-grams of the folded text
    "s": (12, False),  # structural tokens
    "b": (15, True),  # bio and display-name words
    "k": (15, True),  # reply words crossed with the thread's subject
}


def layout(groups: Mapping[str, tuple[int, bool]] = GROUPS) -> dict[str, tuple[int, int, bool]]:
    """group -> (offset, size, normalised) in the model's concatenated feature space."""
    out, off = {}, 0
    for g, (bits, norm) in groups.items():
        out[g] = (off, 1 << bits, norm)
        off += 1 << bits
    return out


@lru_cache(maxsize=262_144)
def hash_index(token: str, size: int) -> int:
    """The bucket of a token in a group's sub-space (FeatureHasher's own function); cached, since
    explanations ask for the same n-grams again and again."""
    from sklearn.utils import murmurhash3_32

    return min(abs(murmurhash3_32(token, seed=0)), 2**31 - 1) % size


class _Hasher:
    """One FeatureHasher per group; counts L2-normalised per group, structural tokens binary."""

    def __init__(self, groups: Mapping[str, tuple[int, bool]]):
        from sklearn.feature_extraction import FeatureHasher

        self.layout = layout(groups)
        self.n_features = sum(size for _o, size, _n in self.layout.values())
        self._h = {
            g: FeatureHasher(n_features=size, input_type="string", alternate_sign=False)
            for g, (_o, size, _n) in self.layout.items()
        }

    def transform(self, docs: Sequence[Doc]):
        from scipy import sparse
        from sklearn.preprocessing import normalize

        blocks = []
        for g, (_o, _size, norm) in self.layout.items():
            x = self._h[g].transform(d.get(g, ()) for d in docs)
            if norm:
                x = normalize(x, copy=False)
            else:
                x.data[:] = 1.0
            blocks.append(x)
        return sparse.hstack(blocks, format="csr")


class LinearModel:
    """Per-label weights over a hashed feature space, with thresholds and a model card."""

    def __init__(
        self,
        labels: Sequence[str],
        groups: Mapping[str, Sequence],
        coef: np.ndarray,
        intercept: np.ndarray,
        thresholds: Mapping[str, Mapping[str, float]] | None = None,
        card: Mapping[str, Any] | None = None,
    ):
        self.labels = list(labels)
        self.groups = {g: (int(v[0]), bool(v[1])) for g, v in groups.items()}
        self._hasher = _Hasher(self.groups)
        self.n_features = self._hasher.n_features
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)
        self.thresholds: dict[str, dict[str, float]] = {k: dict(v) for k, v in (thresholds or {}).items()}
        self.card: dict[str, Any] = dict(card or {})
        self._coef_t = np.ascontiguousarray(self.coef.T)  # (n_features, n_labels) for sparse @ dense

    @property
    def version(self) -> str:
        return str(self.card.get("version", "0"))

    # -- scoring -------------------------------------------------------------------------------
    def vectorize(self, docs: Sequence[Doc]):
        return self._hasher.transform(docs)

    def predict(self, docs: Sequence[Doc]) -> np.ndarray:
        """Probabilities, shape (len(docs), len(labels))."""
        if not docs:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        z = np.asarray(self.vectorize(docs) @ self._coef_t) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def contributions(self, doc: Doc, label: str) -> list[tuple[str, float]]:
        """Each token's share of the label's logit (its value x its weight), largest first; tokens
        are named ``group|token``."""
        li = self.labels.index(label)
        out: list[tuple[str, float]] = []
        for g, (off, size, norm) in self._hasher.layout.items():
            toks = doc.get(g) or ()
            if not toks:
                continue
            counts = Counter(toks)
            scale = 1.0 / math.sqrt(sum(v * v for v in counts.values())) if norm else 1.0
            for t, v in counts.items():
                w = float(self.coef[li, off + hash_index(t, size)])
                out.append((f"{g}|{t}", (v * scale if norm else 1.0) * w))
        out.sort(key=lambda tc: tc[1], reverse=True)
        return out

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | Path | io.BytesIO) -> None:
        if not isinstance(path, io.BytesIO):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        groups = [[g, bits, norm] for g, (bits, norm) in self.groups.items()]  # order is the layout
        meta = {"labels": self.labels, "groups": groups, "thresholds": self.thresholds, "card": self.card}
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            meta=np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8),
        )

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    @classmethod
    def load(cls, path: str | Path) -> LinearModel:
        return cls.from_bytes(Path(path).read_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> LinearModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            return cls(
                meta["labels"],
                {g: (bits, norm) for g, bits, norm in meta["groups"]},
                z["coef"].astype(np.float32),
                z["intercept"],
                meta.get("thresholds"),
                meta.get("card"),
            )


def fit(
    docs: Sequence[Doc],
    y: np.ndarray,
    labels: Sequence[str],
    c: float = 4.0,
    sample_weight: np.ndarray | None = None,
    groups: Mapping[str, tuple[int, bool]] = GROUPS,
) -> LinearModel:
    """One L2 logistic regression per label (columns of the 0/1 matrix ``y``)."""
    from sklearn.linear_model import LogisticRegression

    hasher = _Hasher(groups)
    x = hasher.transform(docs)
    coef = np.zeros((len(labels), hasher.n_features), dtype=np.float32)
    intercept = np.zeros(len(labels), dtype=np.float32)
    for i, _label in enumerate(labels):
        yi = y[:, i]
        if yi.min() == yi.max():
            intercept[i] = -10.0 if yi.max() == 0 else 10.0
            continue
        clf = LogisticRegression(C=c, solver="liblinear", max_iter=200, class_weight="balanced")
        clf.fit(x, yi, sample_weight=sample_weight)
        coef[i] = clf.coef_[0]
        intercept[i] = clf.intercept_[0]
    return LinearModel(labels, groups, coef, intercept)
