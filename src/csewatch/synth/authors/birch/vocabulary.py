"""birch's vocabulary: every YAML file under vocab/, parsed."""

from __future__ import annotations

from importlib import resources

import yaml

_FILES = ("accounts", "adverts", "contacts", "context", "evasion", "negatives", "ordinary", "obfuscation")


def load_vocab() -> dict[str, dict]:
    """Every vocabulary file of this author, parsed."""
    root = resources.files("csewatch.synth.authors.birch") / "vocab"
    return {name: yaml.safe_load((root / f"{name}.yaml").read_text("utf-8")) for name in _FILES}
