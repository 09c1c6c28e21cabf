"""cedar's vocabulary: one YAML file under vocab/, parsed."""

from __future__ import annotations

import importlib.resources

import yaml


def _load(name: str) -> dict:
    res = importlib.resources.files("csewatch.synth.authors.cedar").joinpath("vocab", name)
    return yaml.safe_load(res.read_text(encoding="utf-8"))
