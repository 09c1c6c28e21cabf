"""Context detector: replies and quotes, at any depth, in a thread under a media post, read for what
abusers write under innocent photos of children: age questions, guessed or stated ages, admiration of
an age, requests for more photos, trade requests, requests to move off-platform, suggestive emoji,
keeping or pointing at the child, and follow-ups inside such an exchange.

The thread memory (``csewatch.detect.thread``) tells each reply its root, what the root photo shows
and who is speaking. Besides the cues the detector emits guard indicators that the rules of
``rules.yaml`` read in ``none:``: a non-human subject (the same question under a pet, car or house
photo), the root's author or a relative speaking, warm congratulations, pushback, safety advice.

The signal's subject is the thread (the root post), so the innocent root itself is never flagged;
the reply carrying the signal and its author are.
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal, quoted
from csewatch.detect.thread import (
    NONHUMAN,
    PERSON_SUBJECTS,
    PhraseSet,
    TextViews,
    ThreadInfo,
    Vocabulary,
    record,
    replier_is_family,
)
from csewatch.model import Evidence, Signal
from csewatch.normalize import Normalizer, View
from csewatch.policy import Policy, load_policy

_VS = str.maketrans("", "", "\ufe0f\ufe0e\u200d")
# cues that flag a reply on their own (rule context.sexualising_reply) and those that need a child's
# photo and an ordinary stranger (rule context.age_or_pointer)
STRONG = ("more_request", "trade_request", "contact_request", "age_admiration", "suggestive_emoji", "followup")
WEAK = ("age_question", "age_mention", "ambiguous_emoji", "collect")
_STRONG_GUARDS = ("nonhuman_subject", "root_author", "family_reply", "pushback", "safety_advice")
# a parent's or relative's profile (bio, name, handle) makes a weak cue benign ("is she 9 now?"), but
# not a request for more photos, a trade or a move off-platform: "dad" in a bio is no alibi
_WEAK_GUARDS = (*_STRONG_GUARDS, "warm_reply", "family_account")
_MONEY_BEFORE = re.compile(r"[$€£.,:/#]$")
_FROM_LEXICON_SAFETY = {"solicitation", "contact"}

RawEv = tuple[View, str, int, int, str]


class ContextDetector:
    name = "context"
    version = "2"

    def __init__(self, policy: Policy | None = None, normalizer: Normalizer | None = None):
        policy = policy or load_policy()
        normalizer = normalizer or Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
        self.vocab = Vocabulary(policy.context, normalizer)
        units = policy.context.cues.get("age_units", [])
        self.ages = PhraseSet([f"{{age}} {u}" for u in units], lambda w: normalizer.plain(w).text)
        self.guesses = PhraseSet(policy.context.cues.get("age_guess", []), lambda w: normalizer.plain(w).text)

    # -- the post ---------------------------------------------------------------------------
    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        state.threads.vocabulary = self.vocab  # type: ignore[attr-defined]
        info, entry = record(p, state, self.vocab)
        if info is None or not info.root_media:
            return self._safety_only(p)
        if not p.post.text and not p.post.media:
            return []
        text = self._views(p)
        cues = self._cues(p, text, info)
        if not cues:
            return []
        guards, child_thread = self._guards(p, text, info)
        found = {**cues, **guards}
        if child_thread:
            found["child_thread"] = []
        flagged = child_thread and (
            (any(c in cues for c in STRONG) and not any(g in guards for g in _STRONG_GUARDS))
            or (any(c in cues for c in WEAK) and not any(g in guards for g in _WEAK_GUARDS))
        )
        earlier: list[str] = []
        if flagged and entry is not None:
            entry["x"] = 1
            state.threads.set(p.post.key, entry)
            hits = int(state.thread_hits.get(info.root_key, 0)) + 1
            state.thread_hits.set(info.root_key, hits)
            # the commenter: how many threads it has sexualised before this one
            akey = f"author:{p.post.platform}:{p.post.author_id}"
            t = p.post.created_at
            # root key -> when this author first sexualised it (a bare key: an older record, known before)
            seen = {e: 0.0 for e in state.thread_hits.get(akey) or [] if isinstance(e, str)}
            seen.update({e[0]: float(e[1]) for e in state.thread_hits.get(akey) or [] if not isinstance(e, str)})
            if info.root_key not in seen or t < seen[info.root_key]:
                seen[info.root_key] = t
                state.thread_hits.set(akey, [[k, ts] for k, ts in seen.items()][-20:])
            # threads sexualised before this post: a re-scan of the same input finds what the first pass did
            earlier = [k for k, ts in seen.items() if k != info.root_key and ts < t]
        relation = "quote of" if info.is_quote else ("reply" if info.depth == 1 else f"reply (depth {info.depth})")
        out = []
        for name, evs in found.items():
            what = name.replace("_", " ")
            out.append(
                make_signal(
                    self,
                    p,
                    f"context_{name}",
                    0.6,
                    lambda e, w=what: f"{relation} in a thread under a {info.subject} media post: {w} {quoted(e)}",
                    evs or [Evidence(field="thread", start=0, end=0, text=info.root_key, rule=f"context:{name}")],
                    subject_type="thread",
                    subject_id=info.root_id,
                )
            )
        if flagged and earlier:
            n = len(earlier)
            out.append(
                make_signal(
                    self,
                    p,
                    "context_repeat_commenter",
                    0.6,
                    f"the author made sexualising replies in {n} other media thread(s) before this one",
                    [Evidence("thread", 0, 0, k, "context:repeat_commenter") for k in earlier[-5:]],
                    subject_type="account",
                    subject_id=p.post.author_id,
                )
            )
        return out

    def _views(self, p: Prepared) -> TextViews:
        """The reply's views with @mentions and links blanked (a handle is not what a reply says); the
        blanks keep every offset, so evidence still points into the original text."""
        raw = p.post.text
        if "@" not in raw and "http" not in raw and "www." not in raw:
            return TextViews(p.plain("text"), p.fold_variants("text") if raw else None, squeeze=True)
        masked = _MENTION_URL_RE.sub(lambda m: " " * len(m.group(0)), raw)
        norm = self.vocab.normalizer
        plain, folds = norm.plain(masked), norm.fold_variants(masked)
        for v in (plain, *folds):
            v.original = raw
        return TextViews(plain, folds, squeeze=True)

    def _safety_only(self, p: Prepared) -> list[Signal]:
        """Outside threads: a post that quotes a stranger's question to warn parents is safety advice."""
        if not p.hits or not any(h[0] in _FROM_LEXICON_SAFETY for h in p.hits):
            return []
        text = TextViews(p.plain("text"), p.fold_variants("text"))
        found = self.vocab.guard("safety_advice").find(text)
        if not found:
            return []
        evs = [evidence_from_view(v, "text", s, e, f"context:safety_advice:{ph}") for v, s, e, ph in found]
        return [make_signal(self, p, "context_safety_advice", 0.5, lambda e: f"safety advice: {quoted(e)}", evs)]

    # -- cues -------------------------------------------------------------------------------
    def _cues(self, p: Prepared, text: TextViews, info: ThreadInfo) -> dict[str, list[RawEv]]:
        vocab = self.vocab
        out: dict[str, list[RawEv]] = {}
        for name in ("age_question", "age_admiration", "more_request", "trade_request", "contact_request", "collect"):
            found = vocab.cue(name).find(text)
            if found:
                out[name] = [evidence_from_view(v, "text", s, e, f"context:{name}:{ph}") for v, s, e, ph in found]
        ages = self._stated_ages(text.plain, text.plain_tokens)
        if ages:
            out["age_mention"] = [evidence_from_view(text.plain, "text", s, e, "context:stated_age") for s, e in ages]
        chars = _emoji_positions(p.post.text)
        sugg = [(i, c) for i, c in chars if c in vocab.emoji.get("suggestive", ())]
        if sugg and any(c == "🥵" for _i, c in sugg) and vocab.guard("heat").any(text):
            sugg = [(i, c) for i, c in sugg if c != "🥵"]  # the weather, not the person
        if sugg:
            out["suggestive_emoji"] = [Evidence("text", i, i + 1, c, "context:emoji") for i, c in sugg]
        amb = [(i, c) for i, c in chars if c in vocab.emoji.get("ambiguous", ())]
        if amb and not sugg and (not text.plain_tokens or out):
            # an emoji-only reply (👀, 🔥🔥, 😍😍) or one beside a cue: weak, never among congratulations
            out["ambiguous_emoji"] = [Evidence("text", i, i + 1, c, "context:emoji") for i, c in amb]
        if info.parent_flagged and p.post.author_id != info.root_author:
            same = info.parent_author == p.post.author_id
            found = vocab.cue("followup").find(text)
            if found or same:
                evs = [evidence_from_view(v, "text", s, e, f"context:followup:{ph}") for v, s, e, ph in found]
                out["followup"] = evs or [
                    Evidence("thread", 0, 0, info.parent_key, "context:followup:reply_to_flagged_reply")
                ]
        return out

    def _stated_ages(self, view: View, toks: list) -> list[tuple[int, int]]:
        text = view.text
        out = []
        for s, e, _ph in self.ages.find(toks) + self.guesses.find(toks):
            if _MONEY_BEFORE.search(text[max(0, s - 1) : s]) and not text[s - 1 : s].isspace():
                continue
            out.append((s, e))
        return out

    # -- guards -----------------------------------------------------------------------------
    def _guards(self, p: Prepared, text: TextViews, info: ThreadInfo) -> tuple[dict[str, list], bool]:
        vocab = self.vocab
        out: dict[str, list] = {}
        person = vocab.cue("person").find(text)
        nonhuman_words = [(v, s, e, ph) for name in NONHUMAN for v, s, e, ph in vocab.subjects[name].find(text)]
        if info.subject in NONHUMAN:
            out["nonhuman_subject"] = [Evidence("thread", 0, 0, info.root_key, f"context:root_subject:{info.subject}")]
        elif nonhuman_words and not person:
            out["nonhuman_subject"] = [
                evidence_from_view(v, "text", s, e, f"context:nonhuman:{ph}") for v, s, e, ph in nonhuman_words
            ]
        if info.replier_is_root_author:
            out["root_author"] = [Evidence("thread", 0, 0, info.root_key, "context:root_author")]
        if vocab.own_child.any(text) or vocab.family.any(text):  # the reply speaks as the child's relative
            out["family_reply"] = [Evidence("account", 0, 0, p.post.author_id, "context:family")]
        elif replier_is_family(p, vocab, text):  # only the replier's profile says parent or relative
            out["family_account"] = [Evidence("account", 0, 0, p.post.author_id, "context:family_account")]
        for name in ("warm", "pushback", "safety_advice"):
            found = vocab.guard(name).find(text)
            if found:
                key = {"warm": "warm_reply"}.get(name, name)
                out[key] = [evidence_from_view(v, "text", s, e, f"context:{name}:{ph}") for v, s, e, ph in found]
        if "warm_reply" not in out:
            chars = _emoji_positions(p.post.text)
            warm = [(i, c) for i, c in chars if c in vocab.emoji.get("warm", ())]
            if warm and not any(c in vocab.emoji.get("suggestive", ()) for _i, c in chars):
                out["warm_reply"] = [Evidence("text", i, i + 1, c, "context:emoji") for i, c in warm]
        # a child's photo, an outing or family photo, or an undescribed one where the reply points at a person
        child_thread = "nonhuman_subject" not in out and (
            info.subject in PERSON_SUBJECTS
            or (info.subject == "unknown" and bool(person or vocab.cue("pronoun").any(text)))
        )
        return out, child_thread


_MENTION_URL_RE = re.compile(r"@[\w.\-]+(?:@[\w.\-]+)?|https?://\S+|www\.\S+")


def _emoji_positions(text: str) -> list[tuple[int, str]]:
    return [(i, c) for i, c in enumerate(text) if ord(c) >= 0x2190 and c not in "\ufe0f\ufe0e\u200d"]
