"""Account detector: the author's profile and behaviour.

Profile (computed once per profile version): handle or display name built from indicator terms
(a ``cp`` token with an offer word, a strong abuse term), a bio with prices, abuse terms or invite
links. Behaviour (per post): account age at posting time, and posting rate (several posts a
minute) from the author's recent post times kept in the stream state.
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, make_signal, quoted, resolve_evidence
from csewatch.detect.commerce import find_prices
from csewatch.detect.lexicon import Lexicon
from csewatch.detect.links import LinkMatcher
from csewatch.model import Evidence, Signal
from csewatch.policy import Policy

_HANDLE_SPLIT = re.compile(r"[_.\-]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_PROFILE_FIELDS = ("handle", "display_name", "bio")
_OFFER = {"media_offer", "transaction", "payment", "contact"}


class AccountDetector:
    name = "account"
    version = "1"

    def __init__(self, policy: Policy, lexicon: Lexicon, links: LinkMatcher):
        self.lexicon = lexicon
        self.links = links
        t = policy.pack.thresholds
        self.new_days = t.new_account_days
        self.rate_window = t.post_rate_window_s
        self.rate_count = t.post_rate_count
        self._profile_cache: dict[tuple, list[Signal]] = {}

    def profile_signals(self, p: Prepared) -> list[Signal]:
        """Signals about the author's profile; cached per profile version."""
        acc = p.account
        if acc is None:
            return []
        key = (acc.platform, acc.id, acc.handle, acc.display_name, acc.bio, tuple(acc.links))
        cached = self._profile_cache.get(key)
        if cached is not None:
            return cached
        abuse: list[Evidence] = []
        ambiguous: list[Evidence] = []
        offer_found = False
        for field in _PROFILE_FIELDS:
            raw = p.field_text(field)
            if not raw:
                continue
            text = _HANDLE_SPLIT.sub(" ", raw.lower()) if field == "handle" else raw
            for name, s, e, term, view in self.lexicon.find_views(p.normalizer.fold_variants(text)):
                if field == "handle":  # the handle was re-spaced before folding: cite all of it
                    ev = Evidence(field, 0, len(raw), raw, f"terms:{name}:{term}")
                else:
                    ev = resolve_evidence((view, field, s, e, f"terms:{name}:{term}"))
                if name == "abuse_material":
                    abuse.append(ev)
                elif name == "abuse_material_ambiguous" and field != "bio":
                    ambiguous.append(ev)
                elif name in _OFFER:
                    offer_found = True
        out: list[Signal] = []
        sid = acc.id
        if abuse or (ambiguous and offer_found):
            evs = abuse + (ambiguous if offer_found else [])
            out.append(
                make_signal(
                    self,
                    p,
                    "account_abuse_term",
                    0.6,
                    f"profile uses abuse-material terms: {quoted(evs)}",
                    evs,
                    subject_type="account",
                    subject_id=sid,
                )
            )
        if acc.bio:
            bio_plain = p.normalizer.plain(acc.bio)
            prices = find_prices(bio_plain)
            if prices:
                evs = [resolve_evidence((bio_plain, "bio", s, e, "commerce:price")) for s, e in prices]
                out.append(
                    make_signal(
                        self, p, "account_price", 0.3, "bio states prices", evs, subject_type="account", subject_id=sid
                    )
                )
        link_evs = []
        fields = [("bio", acc.bio or "")] + [(f"links[{i}]", u) for i, u in enumerate(acc.links)]
        for field, value in fields:
            if not value:
                continue
            v = p.normalizer.plain(value)
            for s, e, service, _link in self.links.find(v):
                link_evs.append(resolve_evidence((v, field, s, e, f"links:{service}")))
        if link_evs:
            out.append(
                make_signal(
                    self,
                    p,
                    "account_offplatform_link",
                    0.3,
                    "profile links off the platform",
                    link_evs,
                    subject_type="account",
                    subject_id=sid,
                )
            )
        for s in out:
            s.post_id = None  # profile signals belong to the account, not to one post
        if len(self._profile_cache) > 200_000:
            self._profile_cache.clear()
        self._profile_cache[key] = out
        return out

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        out = list(self.profile_signals(p))
        acc = p.account
        if acc is not None and acc.created_at and post.created_at:
            age_days = (post.created_at - acc.created_at) / 86400
            if 0 <= age_days < self.new_days:
                out.append(
                    make_signal(
                        self,
                        p,
                        "new_account",
                        0.2,
                        f"account was {age_days:.1f} days old when it posted",
                        [Evidence("account.created_at", 0, 0, f"{age_days:.1f}d", "account:new")],
                    )
                )
        if post.created_at:
            akey = f"{post.platform}:{post.author_id}"
            window = self.rate_window
            times = [t for t in state.author_times.get(akey, ()) if 0 <= post.created_at - t < window]
            times.append(post.created_at)
            times = times[-(self.rate_count * 2) :]
            state.author_times.set(akey, times)
            if len(times) >= self.rate_count:
                span = max(times) - min(times)
                out.append(
                    make_signal(
                        self,
                        p,
                        "high_post_rate",
                        0.3,
                        f"{len(times)} posts by this author within {span:.0f}s",
                        [Evidence("created_at", 0, 0, f"{len(times)} posts/{window:.0f}s", "account:post_rate")],
                    )
                )
        return out
