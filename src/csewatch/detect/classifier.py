"""The learned layer of detection: per-label scores of a hashed linear model over the folded text and
structural features, run on a batch of posts after the rule detectors.

Features of one post (``features``):
- ``c``: character 2-5-grams of the folded text (obfuscation undone by ``normalize``);
- ``w``: word unigrams and bigrams of the folded text (emoji and punctuation kept as words);
- ``s``: structural tokens: every indicator the rule detectors found (``i:price``,
  ``i:offplatform_link``...), how much the author disguised words (``d:exotic``, ``d:invisible``,
  ``d:leet``...), the post's shape (reply, quote, hashtags only plus a link...), the author's
  account (young, bio link) and the thread (the subject of the photo at its root, depth, whether
  the replier is the root's author or family);
- ``b``: words of the author's bio and display name (an offer made only in the profile);
- ``k``: the reply's words crossed with its thread's subject (``child:how old``), so the same
  question reads differently under a child's photo and under a dog's.

Each label whose probability passes the model's threshold becomes a signal (``model_advert``,
``model_context``, ``model_evasion``; ``*_weak`` below the live threshold) whose evidence is the
spans of the text n-grams that pushed the score up, and whose explanation names the strongest
features of every group. In shadow mode the signals are named ``shadow_model_*``: triage records
their would-be verdicts without acting on them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal
from csewatch.detect.thread import thread_of
from csewatch.learn.linear import LinearModel
from csewatch.model import Signal, SubjectType
from csewatch.policy import MODEL_INDICATORS

LABEL_INDICATOR = {"advert": "model_advert", "context": "model_context", "evasion": "model_evasion"}
DEFAULT_MODEL = "default.npz"

_WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_LEET_RE = re.compile(r"[a-z][0-9@$!|][a-z]")
_SEP_RE = re.compile(r"\b[a-z](?:[.*_\-·•|/]+[a-z]){2,}\b")
_HOST_RE = re.compile(r"(?:https?://)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
_TAG_OR_MENTION_RE = re.compile(r"[#@]\S+|https?://\S+|\S+\.\S+/\S*")


@cache
def bundled_model_path(name: str = DEFAULT_MODEL) -> Path:
    return Path(str(resources.files("csewatch").joinpath("models", name)))


def _char_ngrams(text: str, lo: int = 2, hi: int = 5) -> list[str]:
    s = f" {' '.join(text.split())} "
    n = len(s)
    return [s[i : i + k] for k in range(lo, hi + 1) for i in range(n - k + 1)]


def _words(text: str) -> list[str]:
    toks = _WORD_RE.findall(text)
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)]


def _disguise(original: str, plain: str) -> list[str]:
    """How much the author disguised words: a disguised word is itself a signal."""
    out: list[str] = []
    if not original.isascii():
        invisible = exotic = 0
        for ch in original:
            if ord(ch) < 128:
                continue
            cat = unicodedata.category(ch)
            if cat in ("Cf", "Mn", "Me", "Co"):
                invisible += 1
            elif cat.startswith("L") or cat == "So":
                name = unicodedata.name(ch, "")
                if "LATIN" in name and (
                    "MATHEMATICAL" in name
                    or "SQUARED" in name
                    or "CIRCLED" in name
                    or "PARENTHESIZED" in name
                    or "FULLWIDTH" in name
                    or "SMALL CAPITAL" in name
                    or "REGIONAL" in name
                    or "MODIFIER" in name
                ):
                    exotic += 1
                elif "REGIONAL INDICATOR" in name or "NEGATIVE" in name:
                    exotic += 1
        if invisible:
            out.append("d:invisible")
            if invisible >= 3:
                out.append("d:invisible_many")
        if exotic:
            out.append("d:exotic")
            if exotic >= 4:
                out.append("d:exotic_many")
    if _LEET_RE.search(plain):
        out.append("d:leet")
    if _SEP_RE.search(plain):
        out.append("d:separated")
    return out


def features(p: Prepared, signals: Sequence[Signal], state: StreamState) -> dict[str, list[str]]:
    """The feature token groups of one prepared post (see the module docstring)."""
    post, acc = p.post, p.account
    folded = p.fold_variants("text")[0].text if post.text else ""
    plain = p.plain("text").text if post.text else ""
    words = _WORD_RE.findall(folded)
    s: list[str] = sorted({f"i:{sig.indicator}" for sig in signals if sig.indicator not in MODEL_INDICATORS})
    s += _disguise(post.text, plain)
    if post.reply_to:
        s.append("n:reply")
    if post.quote_of:
        s.append("n:quote")
    if post.repost_of:
        s.append("n:repost")
    if post.group_id:
        s.append("n:group")
    if post.media:
        s.append("n:media")
    n_tags = len(post.hashtags)
    s.append(f"n:tags={min(n_tags, 3)}")
    rest = _TAG_OR_MENTION_RE.sub(" ", plain)
    if len(re.sub(r"\W+", "", rest)) < 4:
        s.append("n:no_words")
    s.append(f"n:len={min(len(words) // 5, 6)}")
    hosts = {m.group(1).lower() for u in post.urls for m in [_HOST_RE.match(u.lower())] if m}
    hosts |= {m.group(1).lower() for link in p.links for m in [_HOST_RE.match(link.lower())] if m}
    s += sorted(f"l:{h}" for h in hosts)
    bio: list[str] = []
    if acc is not None:
        if acc.created_at and post.created_at and post.created_at - acc.created_at < 7 * 86400:
            s.append("a:new")
        if acc.bio or acc.display_name:
            b = p.fold_variants("bio")[0].text if acc.bio else ""
            name = p.fold_variants("display_name")[0].text if acc.display_name else ""
            bio = _words(f"{b} {name}")
            if _HOST_RE.search(acc.bio or "") or any(acc.links):
                s.append("a:bio_link")
        else:
            s.append("a:no_bio")
    k: list[str] = []
    info = thread_of(p, state)
    if info is not None:
        subject = info.subject or "unknown"
        s.append(f"t:subject={subject}")
        s.append("t:depth=1" if info.depth <= 1 else "t:depth=2+")
        if info.root_media:
            s.append("t:media")
        if info.is_quote:
            s.append("t:quote")
        if info.replier_is_root_author:
            s.append("t:root_author")
        if info.replier_is_family:
            s.append("t:family")
        k = [f"{subject}:{w}" for w in _words(folded)]
        k += [f"{subject}:{x}" for x in s if x.startswith(("i:", "d:", "n:no_words"))]
    return {"c": _char_ngrams(folded), "w": _words(folded), "s": s, "b": bio, "k": k}


class ClassifierStage:
    """Scores batches of prepared posts and turns the scores into signals."""

    name = "classifier"

    def __init__(self, model: LinearModel, mode: str = "live", thresholds: dict | None = None):
        if mode not in ("live", "shadow"):
            raise ValueError(f"model mode {mode!r} is not live/shadow")
        self.model = model
        self.mode = mode
        self.version = model.version
        self.thresholds = {lab: dict(model.thresholds.get(lab, {})) for lab in model.labels}
        for lab, t in (thresholds or {}).items():
            self.thresholds.setdefault(lab, {}).update(t)

    @classmethod
    def from_path(cls, path: str | Path | None, mode: str = "live", thresholds: dict | None = None) -> ClassifierStage:
        return cls(LinearModel.load(path or bundled_model_path()), mode, thresholds)

    def score(self, batch: Sequence[tuple[Prepared, list[Signal]]], state: StreamState) -> list[list[Signal]]:
        """New signals for each (prepared post, its rule signals) of the batch."""
        docs = [features(p, sigs, state) for p, sigs in batch]
        probs = self.model.predict(docs)
        out: list[list[Signal]] = []
        prefix = "shadow_" if self.mode == "shadow" else ""
        for (p, sigs), doc, row in zip(batch, docs, probs, strict=True):
            found: list[Signal] = []
            for li, label in enumerate(self.model.labels):
                ind = LABEL_INDICATOR.get(label)
                if ind is None:
                    continue
                t = self.thresholds.get(label, {})
                prob = float(row[li])
                if prob >= t.get("live", 0.9):
                    name = f"{prefix}{ind}"
                elif prob >= t.get("weak", 1.01):
                    name = f"{prefix}{ind}_weak"
                else:
                    continue
                found.append(self._signal(p, doc, label, name, prob, sigs, state))
            out.append(found)
        return out

    def _signal(
        self,
        p: Prepared,
        doc: dict[str, list[str]],
        label: str,
        indicator: str,
        prob: float,
        sigs: Sequence[Signal],
        state: StreamState,
    ) -> Signal:
        subject_type, subject_id = SubjectType.POST, p.post.id
        if label == "context":
            thread = [s for s in sigs if s.subject_type == SubjectType.THREAD]
            if thread:
                subject_type, subject_id = SubjectType.THREAD, thread[0].subject_id
            else:
                info = thread_of(p, state)
                if info is not None:
                    subject_type, subject_id = SubjectType.THREAD, info.root_id
        contrib = [(t, c) for t, c in self.model.contributions(doc, label) if c > 0]
        version = self.model.version

        def explain(_evidence: list) -> str:
            named = ", ".join(f"{t.replace('|', '/', 1)!r} {c:+.2f}" for t, c in contrib[:8])
            return f"model {version} {label} p={prob:.2f}; strongest features: {named}"

        return make_signal(
            self,
            p,
            indicator,
            round(prob, 4),
            explain,
            self._evidence(p, contrib, label),
            subject_type=subject_type,
            subject_id=subject_id,
        )

    def _evidence(self, p: Prepared, contrib: list[tuple[str, float]], label: str) -> list:
        """Spans of the text n-grams that pushed the label's score up (at most three, not overlapping)."""
        if not p.post.text:
            return []
        view = p.fold_variants("text")[0]
        text = view.text
        spans: list[tuple[int, int, str]] = []
        for tok, _c in contrib:
            if len(spans) >= 3:
                break
            group, _, gram = tok.partition("|")
            if group not in ("c", "w"):
                continue
            needle = gram.strip()
            if len(needle) < 2:
                continue
            i = text.find(needle)
            if i < 0:
                continue
            j = i + len(needle)
            if any(a <= i < b or a < j <= b for a, b, _ in spans):
                continue
            spans.append((i, j, gram))
        spans.sort()
        return [evidence_from_view(view, "text", a, b, f"model:{label}:{g.strip()}") for a, b, g in spans]
