"""Ban evasion during the scan: a new account is compared with suspended ones as its posts arrive.

The watch learns from the stream itself: account records (a suspension, with its time where the
source gives one), follow edges, and the invite links each account posts. When a young account (or
one that announces "got banned, new account") posts, its profile so far is scored against the
suspended accounts its blocking keys and follows point to, with ``csewatch.detect.evasion_scoring.score_pair``;
the best candidate becomes a ``ban_evasion_link`` signal on the account when it clears the pack's
score and beats the runner-up by the margin. The account is checked again on later posts (up to the
pack's ``checks``) while evidence accumulates; once linked, each of its posts carries the link.
Re-scans are idempotent: the posts checked are remembered by id and the link by the time of the
linking post, so a post seen again gets what it got the first time, not a new link drawn with hindsight.

Everything the watch remembers lives in ``StreamState`` namespaces (persisted with each batch), and
follow edges come from the store for committed batches, so a resumed scan draws the same links.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from csewatch.detect import Prepared, StreamState
from csewatch.detect.evasion_scoring import (
    SUSPENDED,
    Profile,
    block_keys,
    build_profile,
    canon_link,
    clear_winner,
    explanation,
    handle_stem,
    made_after,
    margin_text,
    score_pair,
)
from csewatch.detect.links import LinkMatcher
from csewatch.keys import entity_key, parse_entity_key, platform_of
from csewatch.model import Account, Edge, Evidence, Signal
from csewatch.normalize import Normalizer
from csewatch.policy import Policy

_MENTION = re.compile(r"@([A-Za-z0-9_.]{2,64})")
_ANNOUNCE = {"evasion", "model_evasion"}
_ANNOUNCE_WITH = {
    "abuse_material",
    "abuse_material_ambiguous",
    "blocked_hashtag",
    "account_abuse_term",
    "shared_invite_link",
    "offplatform_link",
    "media_offer",
}
_CAP_BLOCK = 50  # suspended accounts kept per blocking key / per followed account
_CAP_NAMES = 20  # accounts counted per handle stem or display name (the commonness discount)
_CAP_LINKS = 10  # invite links remembered per account
_CAP_FOLLOWS = 2000  # follows kept with a suspended account's profile

_CAP_CHECKED = 64  # post ids remembered per account as checked (a re-scan does not check them again)


class _Seen:
    """One account's ``evasion_seen`` record: [checks done, predecessor, score, explanation, announced,
    first post time, mentioned handles, time of the linking post, post ids checked, announcement time,
    time of its first return announcement of any kind]. Records written before the last fields existed
    read as None / empty."""

    __slots__ = ("n", "pred", "score", "explanation", "announced", "first_post", "mentioned", "link_at")
    __slots__ += ("checked", "announced_at", "returning_at")

    def __init__(self, rec: list | None):
        r = list(rec or []) + [None] * (11 - len(rec or []))
        self.n = r[0] or 0
        self.pred, self.score, self.explanation = r[1] or "", r[2] or 0.0, r[3] or ""
        self.announced, self.first_post, self.mentioned = bool(r[4]), r[5], r[6] or ()
        # checked post ids oldest first (a list, not a set: the cap keeps the newest, the same on every run)
        self.link_at, self.checked, self.announced_at = r[7], list(r[8] or ()), r[9]
        self.returning_at = r[10]

    @property
    def linked(self) -> bool:
        return bool(self.pred)


FollowLoader = Callable[[str, list[str]], dict[str, set[str]]]  # (platform, ids) -> id -> followed ids


class EvasionWatch:
    name = "evasion"
    version = "1"

    def __init__(self, policy: Policy, normalizer: Normalizer, links: LinkMatcher):
        opts = policy.pack.evasion
        self.threshold = opts.link_score
        self.margin = opts.margin
        self.window_s = opts.window_days * 86400
        self.checks = opts.checks
        self.weights = dict(opts.weights)
        self.norm = normalizer
        self.links = links
        # the pack's evasion terms, folded: a bio that says them ("old one banned", "backup acc") announces
        # a return as a post does
        words = {normalizer.fold_term(t) for ind, t, amb in policy.term_entries() if ind == "evasion" and not amb}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)) if w)
        self._says_back = re.compile(rf"\b(?:{alternatives})\b") if alternatives else None
        # follow edges seen in this run and not yet committed; the store answers for the rest
        self.follows_mem: dict[str, set[str]] = defaultdict(set)
        self.follow_loader: FollowLoader | None = None
        self._observed: dict[str, tuple] = {}

    # -- what the stream says about accounts ---------------------------------------------------
    def observe_edges(self, edges: list[Edge]) -> None:
        for e in edges:
            if e.kind == "follow":
                self.follows_mem[entity_key(e.platform, e.src)].add(e.dst)

    def committed(self) -> None:
        """The batch's edges are in the store now: memory need not hold them."""
        if self.follow_loader is not None:
            self.follows_mem.clear()

    def follows(self, key: str) -> set[str]:
        out = set(self.follows_mem.get(key, ()))
        if self.follow_loader is not None:
            platform, aid = parse_entity_key(key)
            out |= self.follow_loader(platform, [aid]).get(aid, set())
        return out

    def observe_account(self, acc: Account, state: StreamState, clock: float) -> None:
        """``acc``: the merged account (every known field) after a record about it arrived."""
        key = acc.key
        # X repeats the author's user object with every post: what did not change needs no work
        # (the state updates below are idempotent, so skipping them changes nothing on resume)
        seen = (acc.handle, acc.display_name, acc.status)
        if self._observed.get(key) == seen:
            return
        if len(self._observed) > 1_000_000:
            self._observed.clear()
        self._observed[key] = seen
        stem = handle_stem(self.norm, acc.handle) if acc.handle else ""
        name = self.norm.fold_term(acc.display_name) if acc.display_name else ""
        for k in (f"h:{stem}" if len(stem) >= 3 else "", f"n:{name}" if len(name) >= 3 else ""):
            if k:
                _add_capped(state.evasion_names, k, key, _CAP_NAMES)
        if acc.status in SUSPENDED:
            if not state.evasion_suspended.get(key):
                self._suspend(acc, key, state, acc.status_at or clock)
        elif acc.status == "active" and state.evasion_suspended.get(key):
            state.evasion_suspended.set(key, {})  # reinstated: no longer a predecessor

    def _suspend(self, acc: Account, key: str, state: StreamState, when: float) -> None:
        prof = self._profile(acc, key, state, announced=False)
        prof.suspended_at = when
        follows = self.follows(key)
        state.evasion_suspended.set(
            key,
            {
                "handle": prof.handle,
                "name": prof.name,
                "bio": sorted(prof.bio_tokens),
                "links": sorted(prof.links),
                "avatar": prof.avatar,
                "created_at": prof.created_at,
                "suspended_at": when,
                "stem": prof.stem,
                # kept with the profile: scoring a candidate then costs no store query
                "follows": sorted(follows)[:_CAP_FOLLOWS],
            },
        )
        for lk in prof.links:
            _add_capped(state.evasion_names, f"l:{lk}", key, _CAP_NAMES)
        for k in block_keys(prof):  # per platform: an account comes back where it was suspended
            _add_capped(state.evasion_blocks, f"{acc.platform}|{k}", key, _CAP_BLOCK)
        for f in follows:
            _add_capped(state.evasion_followers, entity_key(acc.platform, f), key, _CAP_BLOCK)
        meta = state.evasion_meta.get("n_suspended", 0)
        state.evasion_meta.set("n_suspended", meta + 1)

    def _profile(self, acc: Account, key: str, state: StreamState, announced: bool) -> Profile:
        return build_profile(
            self.norm,
            self.links,
            key,
            acc.handle,
            acc.display_name,
            acc.bio,
            acc.links,
            acc.avatar_hash,
            acc.created_at,
            announced,
            state.author_links.get(key) or (),
        )

    # -- posts --------------------------------------------------------------------------------
    def check(self, p: Prepared, signals: list[Signal], state: StreamState) -> list[Signal]:
        acc, post = p.account, p.post
        if acc is None:
            return []
        key = acc.key
        indicators = {s.indicator for s in signals}
        self._remember_links(p, key, state)
        seen = state.evasion_seen.get(key)
        rec = _Seen(seen)
        if rec.linked:  # linked already: every post of the account from the linking one on carries the link
            if rec.link_at is None or post.created_at >= rec.link_at:
                return [self._signal(p, rec.pred, rec.score, rec.explanation)]
            return []  # a post from before the link (a re-scan seeing it again): as it was the first time
        if post.id in rec.checked:
            return []  # checked already, not linked then: a re-scan must not check it again with hindsight
        # an announcement counts when the post also carries what makes it an advert's, as in the rules;
        # a remembered one counts from the announcing post on, not for posts before it seen again
        announces = bool(indicators & _ANNOUNCE and indicators & _ANNOUNCE_WITH)
        announced = announces or (rec.announced and (rec.announced_at is None or post.created_at >= rec.announced_at))
        young = acc.created_at is not None and post.created_at - acc.created_at <= self.window_s
        if not (young or announced):
            return []
        announced_at, returning_at = rec.announced_at, rec.returning_at
        if announces:
            announced_at = post.created_at if announced_at is None else min(announced_at, post.created_at)
        # "banned, new account" alone: weaker (people say it after a lost password), it counts beside the
        # old profile's identity only; remembered from its post on, as an announcement is
        if indicators & _ANNOUNCE:
            returning_at = post.created_at if returning_at is None else min(returning_at, post.created_at)
        returning = returning_at is not None and post.created_at >= returning_at
        if not returning and acc.bio and self._says_back is not None:
            returning = bool(self._says_back.search(self.norm.fold_term(acc.bio)))
        n = rec.n
        first_post = rec.first_post if seen else post.created_at
        mentioned = {*rec.mentioned, *(m.lower().rstrip(".") for m in _MENTION.findall(post.text))}
        mentioned_list = sorted(mentioned)[:10]
        checked = [*rec.checked, post.id][-_CAP_CHECKED:]
        if n >= self.checks or not state.evasion_meta.get("n_suspended", 0):
            if n < self.checks:  # remember the post (and, first, when the account was first seen posting)
                rec_now = [n, "", 0.0, "", rec.announced or announces, first_post, mentioned_list, None, checked]
                state.evasion_seen.set(key, [*rec_now, announced_at, returning_at])
            return []
        new = self._profile(acc, key, state, announced)
        new.first_post_at, new.mentioned, new.returning = first_post, set(mentioned_list), returning
        best = self._best(new, key, acc.platform, state)
        pred, score, explanation = best if best is not None else ("", 0.0, "")
        link_at = post.created_at if best is not None else None
        rec_now = [n + 1, pred, score, explanation, rec.announced or announces, first_post, mentioned_list, link_at]
        state.evasion_seen.set(key, [*rec_now, checked, announced_at, returning_at])
        return [self._signal(p, pred, score, explanation)] if best is not None else []

    def _remember_links(self, p: Prepared, key: str, state: StreamState) -> None:
        # what the links detector found in this post's text and URLs, flagged or not (an evader's old
        # account may have posted its channel in a post nothing else marked)
        found = {canon_link(lk) for lk in p.links}
        if not found:
            return
        known = state.author_links.get(key) or []
        if found - set(known) and len(known) < _CAP_LINKS:
            state.author_links.set(key, sorted(set(known) | found)[:_CAP_LINKS])
        for lk in found:  # who posts each channel: the commonness discount of a shared link
            _add_capped(state.evasion_names, f"l:{lk}", key, _CAP_NAMES)

    def _best(self, new: Profile, key: str, platform: str, state: StreamState) -> tuple[str, float, str] | None:
        cands: set[str] = set()
        keys = block_keys(new) + [f"h:{st[:5]}" for m in new.mentioned if len(st := handle_stem(self.norm, m)) >= 3]
        for k in keys:
            cands.update(state.evasion_blocks.get(f"{platform}|{k}") or ())
        for lk in new.links:  # accounts that posted the channel, suspended since (links remembered later)
            cands.update(a for a in state.evasion_names.get(f"l:{lk}") or () if platform_of(a) == platform)
        new_follows = self.follows(key)
        counts: dict[str, int] = defaultdict(int)
        for f in new_follows:
            for old in state.evasion_followers.get(entity_key(platform, f)) or ():
                counts[old] += 1
        cands.update(k for k, c in counts.items() if c >= 2)
        cands.discard(key)
        if not cands:
            return None
        # an account that says it is back after a ban, made after a candidate's suspension: the accounts
        # sharing its handle stem or name that could be the one it replaces are the suspended ones (the
        # others are not "back"), itself counted too
        said = new.announced or new.returning

        def count(k: str, itself: bool, back: bool) -> int:
            members = state.evasion_names.get(k) or ()
            if not back:
                return len(members)
            return sum(1 for m in members if state.evasion_suspended.get(m)) + itself

        keys = (f"h:{new.stem}", f"n:{new.name}")
        commonness = {k: count(k, True, False) for k in keys}
        back_commonness = {k: count(k, True, True) for k in keys} if said else commonness
        scored = []
        for old_key in cands:
            d = state.evasion_suspended.get(old_key)
            if not d:
                continue
            # links the old account's posts showed after its suspension record arrived count too
            old_links = {canon_link(lk) for lk in [*d["links"], *(state.author_links.get(old_key) or ())]}
            old = Profile(
                old_key,
                d["handle"],
                d.get("stem") or handle_stem(self.norm, d["handle"]),
                d["name"],
                set(d["bio"]),
                old_links,
                d["avatar"],
                d["created_at"],
                suspended_at=d["suspended_at"],
            )
            back = said and made_after(new, old)
            common = dict(back_commonness if back else commonness)
            common[f"h:{old.stem}"] = count(f"h:{old.stem}", back and old.stem == new.stem, back)
            for lk in new.links & old_links:
                common[f"l:{lk}"] = len(state.evasion_names.get(f"l:{lk}") or ())
            score, ev = score_pair(
                new,
                old,
                common,
                follows=(new_follows, set(d["follows"]) if "follows" in d else self.follows(old_key)),
                weights=self.weights,
            )
            scored.append((score, old_key, ev))
        if not scored:
            return None
        scored.sort(key=lambda t: (-t[0], t[1]))
        scored = _newest_of_chains(scored, state)
        if not clear_winner([(t[0], t[1]) for t in scored], self.threshold, self.margin):
            return None
        score, pred, ev = scored[0]
        ev["margin"] = margin_text(score, scored[1][0] if len(scored) > 1 else 0.0)
        return pred, round(score, 4), explanation(pred, score, ev)

    def _signal(self, p: Prepared, pred: str, score: float, explanation: str) -> Signal:
        handle = p.account.handle if p.account else ""
        evidence = [Evidence("predecessor", 0, 0, pred, "evasion:predecessor")]
        if handle:
            evidence.append(Evidence("handle", 0, len(handle), handle, "evasion:handle"))
        return Signal(
            detector=self.name,
            version=self.version,
            subject_type="account",
            subject_id=p.post.author_id,
            indicator="ban_evasion_link",
            score=score,
            explanation=explanation,
            evidence=evidence,
            post_id=p.post.id,
        )


def _newest_of_chains(scored: list[tuple[float, str, dict]], state: StreamState) -> list[tuple[float, str, dict]]:
    """``scored`` best first, without the candidates another candidate was linked to as their return: an
    account back a second time looks like both suspended accounts of its chain, and replaces the newest."""
    if len(scored) < 2:
        return scored
    ancestors = set()
    for _score, cand, _ev in scored[:10]:
        seen = 0
        pred = _Seen(state.evasion_seen.get(cand)).pred
        while pred and pred not in ancestors and seen < 10:  # the chain back from each candidate
            ancestors.add(pred)
            pred, seen = _Seen(state.evasion_seen.get(pred)).pred, seen + 1
    return [t for t in scored if t[1] not in ancestors] if ancestors else scored


def _add_capped(ks, key: str, member: str, cap: int) -> None:
    cur = ks.get(key) or []
    if member not in cur and len(cur) < cap:
        ks.set(key, [*cur, member])
