"""Hashtag detector: hashtags against the pack's blocked / watch / candidate lists.

Tags are folded like text (case, look-alikes, separators, repeated letters) and, when long enough,
also compared by their letters regardless of order, which catches jumbled variants of a blocked
tag (``#cpsale`` -> ``#salecp``/``#cspale``). The words inside a run-together tag are read by the
lexicon detector through segmentation.
"""

from __future__ import annotations

from csewatch.detect import Prepared, StreamState, make_signal
from csewatch.model import Evidence, Signal
from csewatch.normalize import Normalizer, extract_hashtags
from csewatch.policy import Policy


def fold_tag(normalizer: Normalizer, tag: str) -> str:
    return normalizer.fold_term(tag.lstrip("#")).replace(" ", "")


class HashtagDetector:
    name = "hashtags"
    version = "1"

    def __init__(self, policy: Policy, normalizer: Normalizer):
        self.normalizer = normalizer
        h = policy.hashtags
        self.min_jumble = h.jumble_min_length
        self.states: dict[str, str] = {}
        self.jumbled: dict[str, str] = {}
        for state, tags in (("candidate", h.candidate), ("watch", h.watch), ("blocked", h.blocked)):
            for tag in tags:
                key = fold_tag(normalizer, tag)
                self.states[key] = state
                if state == "blocked" and len(key) >= self.min_jumble:
                    self.jumbled["".join(sorted(key))] = key
        self._cache: dict[str, tuple[str, str, str] | None] = {}

    def classify(self, tag: str) -> tuple[str, str, str] | None:
        """(state, listed tag, how) for a tag on a list, else None."""
        hit = self._cache.get(tag, False)
        if hit is not False:
            return hit
        key = fold_tag(self.normalizer, tag)
        res: tuple[str, str, str] | None = None
        if key in self.states:
            res = (self.states[key], key, "folded")
        elif len(key) >= self.min_jumble:
            listed = self.jumbled.get("".join(sorted(key)))
            if listed:
                res = ("blocked", listed, "jumbled")
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[tag] = res
        return res

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        tags = post.hashtags or extract_hashtags(post.text)
        if not tags:
            return []
        out: list[Signal] = []
        for tag in tags:
            res = self.classify(tag)
            if res is None:
                continue
            list_state, listed, how = res
            text = post.text
            pos = text.lower().find("#" + tag.lower())
            if pos >= 0:
                ev = Evidence(
                    "text",
                    pos,
                    pos + len(tag) + 1,
                    text[pos : pos + len(tag) + 1],
                    f"hashtags:{list_state}:{listed}:{how}",
                )
            else:
                ev = Evidence("hashtags", 0, len(tag), tag, f"hashtags:{list_state}:{listed}:{how}")
            score = {"blocked": 0.8, "watch": 0.4, "candidate": 0.2}[list_state]
            out.append(
                make_signal(
                    self,
                    p,
                    f"{list_state}_hashtag",
                    score,
                    f"hashtag #{tag} is on the {list_state} list as #{listed} ({how} match)",
                    [ev],
                )
            )
            out.append(
                make_signal(
                    self,
                    p,
                    f"{list_state}_hashtag",
                    score,
                    f"#{listed} appears in a post",
                    [ev],
                    subject_type="hashtag",
                    subject_id=listed,
                )
            )
        return out
