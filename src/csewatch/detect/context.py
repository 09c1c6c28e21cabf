"""Context detector: replies and quote-posts around a media post that ask a person's age, state a
minor's age, or ask to trade. The photo may be innocent; the thread is the signal, so the signal's
subject is the thread (the media post), which protects the pictured person whatever the photo is.
"""

from __future__ import annotations

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal, quoted
from csewatch.detect.age import find_minor_ages
from csewatch.model import Signal

_FROM_LEXICON = {
    "solicitation": "context_age_question",
    "trade_request": "context_trade_request",
}


class ContextDetector:
    name = "context"
    version = "1"

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        key = post.key
        if post.media:
            state.media_posts.set(key, 1)
        parent = post.reply_to or post.quote_of
        if not parent:
            return []
        parent_key = f"{post.platform}:{parent}"
        if not state.media_posts.get(parent_key):
            return []
        out: list[Signal] = []
        relation = "reply to" if post.reply_to else "quote of"
        groups: dict[str, list] = {}
        for name, s, e, term, view in p.hits or ():
            ind = _FROM_LEXICON.get(name)
            if ind:
                groups.setdefault(ind, []).append(evidence_from_view(view, "text", s, e, f"context:{term}"))
        ages = find_minor_ages(p.plain("text"))
        if ages:
            pv = p.plain("text")
            groups["context_age_mention"] = [
                evidence_from_view(pv, "text", s, e, "context:stated_age") for s, e, _a in ages
            ]
        for ind, evs in groups.items():
            what = ind.removeprefix("context_").replace("_", " ")
            out.append(
                make_signal(
                    self,
                    p,
                    ind,
                    0.6,
                    lambda e, w=what: f"{relation} a media post carries {w}: {quoted(e)}",
                    evs,
                    subject_type="thread",
                    subject_id=parent,
                )
            )
        if out:
            n = int(state.thread_hits.get(parent_key, 0)) + 1
            state.thread_hits.set(parent_key, n)
        return out
