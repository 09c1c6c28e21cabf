"""elm's vocabulary: the YAML files under vocab/ and the per-language slot table built from them."""

from __future__ import annotations

from importlib import resources

import yaml


def _load(name: str) -> dict:
    text = resources.files("csewatch.synth.authors.elm").joinpath("vocab", name).read_text("utf-8")
    return yaml.safe_load(text)


class VocabMixin:
    """The slot table of ``Author`` (language -> slot name -> values)."""

    def _add(self, lang: str, name: str, values: list) -> None:
        self.table.setdefault(lang, {}).setdefault(name, []).extend(values)

    def _build_table(self) -> None:
        for lang, slots in self.adv["slots"].items():
            for name, vals in slots.items():
                self._add(lang, name, vals)
        for lang, slots in self.ordn["slots"].items():
            for name, vals in slots.items():
                self._add(lang, name, vals)
        for src in (self.common, self.ctx, self.neg):
            for key, val in src.items():
                if key in ("roots", "replies", "benign_replies", "hard_negative", "ordinary", "nonhuman_roots",
                           "pushback"):
                    continue
                if isinstance(val, list):
                    self._add("*", key, val)
                elif isinstance(val, dict) and all(isinstance(v, list) for v in val.values()):
                    for lang, vals in val.items():
                        self._add(lang, key, vals)
        self._add("*", "kidname", self.ctx["kidnames"])
        self._add("*", "grade", self.ctx["grades"])
        self._add("*", "kidthing", self.ctx["kidthings"])
        for lang, vals in self.ctx["admire"].items():
            self._add(lang, "adm", vals)
        self._add("*", "month", self.neg["months"])

    def lookup(self, name: str) -> list:
        for lang in (self.cur_lang, "*", "en"):
            vals = self.table.get(lang, {}).get(name)
            if vals:
                return vals
        raise KeyError(name)
