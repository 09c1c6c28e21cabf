"""alder's vocabulary: every YAML file under vocab/ loaded and merged (slots, templates, tables)."""

from __future__ import annotations

import importlib.resources

import yaml


def _load(name: str) -> dict:
    res = importlib.resources.files("csewatch.synth.authors.alder").joinpath("vocab", name)
    return yaml.safe_load(res.read_text(encoding="utf-8"))


class Vocab:
    """All of alder's YAML merged: slots (word lists), templates per group, and tables."""

    FILES = ["slots.yaml", "contacts.yaml", "adverts.yaml", "context.yaml", "evasion.yaml", "hardneg.yaml",
             "ordinary.yaml", "accounts.yaml", "obfuscation.yaml", "hardneg_more.yaml",
             "ordinary_more.yaml"]

    def __init__(self) -> None:
        self.slots: dict[str, list[str]] = {}
        self.templates: dict[str, dict] = {}
        self.data: dict[str, object] = {}
        for f in self.FILES:
            doc = _load(f)
            for k, v in (doc.pop("slots", None) or {}).items():
                if k in self.slots:
                    raise ValueError(f"slot {k!r} defined twice ({f})")
                self.slots[k] = [str(x) for x in v]
            for group, fams in (doc.pop("templates", None) or {}).items():
                for fam, subs in fams.items():  # merged per group/family/subfamily/lang across files
                    for sub, langs in subs.items():
                        dst = self.templates.setdefault(group, {}).setdefault(fam, {}).setdefault(sub, {})
                        for lang, lst in langs.items():
                            dst.setdefault(lang, []).extend(lst)
            self.data.update(doc)
