"""Ban-evasion scoring: how alike a new account and a suspended one are, and why. The leaf that both the
scan's per-post watch (``csewatch.detect.evasion``) and the batch graph job (``csewatch.graph.evasion``)
import: profiles, blocking keys, the score of a candidate pair and its explanation, and the default
weight of each feature (their names, which a policy pack may override, are ``policy.EVASION_WEIGHT_NAMES``).

Each pair is scored on handle and display-name similarity (rapidfuzz), bio overlap, shared off-platform
links, avatar hash, follow-set overlap and an evasion announcement by the new account; the score is a
noisy-OR of the weighted features, and every feature that contributed is kept as evidence. A shared
invite link is discounted by how many accounts post it; a link or @mention alone counts only from an
account that appeared within a day of the suspension; an announcement that keeps nothing of the old
profile links only an account made within the hour after a single suspension (hour blocking keys).
No store, no graph: follow sets and links shared in the graph come in as arguments.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from csewatch.detect.links import LinkMatcher
from csewatch.normalize import Normalizer
from csewatch.policy import EVASION_WEIGHT_NAMES

SUSPENDED = ("suspended", "takendown")
# the default weight of each feature in the noisy-OR, in the order of policy.EVASION_WEIGHT_NAMES (the names a
# pack's evasion.weights may override): handle, display_name, bio, links, avatar, follows, announcement,
# timing, names_predecessor
WEIGHTS: dict[str, float] = dict(
    zip(EVASION_WEIGHT_NAMES, (0.6, 0.35, 0.55, 0.7, 0.85, 0.75, 0.3, 0.5, 0.8), strict=True)
)
IDENTITY = ("handle", "bio", "links", "avatar", "names_predecessor")


def evidence_nats(score: float) -> float:
    """The noisy-OR score as additive evidence, -ln(1 - score): features add up on this scale, so
    the margin between two candidates is measured here rather than on the compressed score."""
    return -math.log(max(1.0 - score, 1e-9))


def clear_winner(scored: list[tuple[float, str]], threshold: float, margin: float) -> bool:
    """``scored``: (score, candidate) best first. The best links when it reaches ``threshold`` and has
    ``margin`` more evidence (nats) than the runner-up; otherwise which account is back is unknown."""
    if not scored or scored[0][0] < threshold:
        return False
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return evidence_nats(scored[0][0]) - evidence_nats(runner_up) >= margin


# one channel, several spellings of its host: an evader posting t.me/x after telegram.me/x shares it
_LINK_ALIASES = (
    ("telegram.me/", "t.me/"),
    ("telegram.dog/", "t.me/"),
    ("discord.com/invite/", "discord.gg/"),
    ("discordapp.com/invite/", "discord.gg/"),
    ("mega.io/", "mega.nz/"),
)


def canon_link(link: str) -> str:
    """An invite link as the links detector spells it (``host/path``), with host aliases folded to one."""
    link = link.lower().rstrip("/")
    for alias, host in _LINK_ALIASES:
        if link.startswith(alias):
            return host + link[len(alias) :]
    return link


_SUFFIX = re.compile(
    r"(?:[_.\-]?(?:new|back|backup|bkp|bckp|bck|alt|official|real|again|reborn|returns?|v?\d+)|[_.\-](?:ii|bk))+$"
)
_WORD = re.compile(r"[a-z0-9]{2,}")


@dataclass
class Profile:
    key: str
    handle: str
    stem: str
    name: str
    bio_tokens: set[str]
    links: set[str]
    avatar: str | None
    created_at: float | None
    announced: bool = False
    suspended_at: float | None = None
    first_post_at: float | None = None  # when the account was first seen posting
    mentioned: set[str] = field(default_factory=set)  # @handles its posts named (folded)
    # its posts say it is back after a ban without an advert's marks beside the words ("banned, new
    # account"): counts beside the old profile's identity, never alone as ``announced`` may
    returning: bool = False


def _local_handle(handle: str) -> str:
    """``name@instance`` / ``name.bsky.social`` / ``@name`` -> ``name``, lower-cased."""
    return handle.lower().lstrip("@").split("@", 1)[0].split(".bsky.")[0]


def handle_core(handle: str) -> str:
    """The handle as spelled, separators kept, without its domain and "_new2"-style suffixes."""
    return _SUFFIX.sub("", _local_handle(handle).rstrip("_.-"))


_PREFIX = re.compile(r"^(?:(?:the|real|its|im|new|x)[_.\-]?)(?=[a-z0-9]{4})")


def _same_spelling(a: str, b: str) -> bool:
    """Two handle cores spelled alike: equal once a "the_"/"real_" prefix is dropped, or one the other
    with a few characters added before or after ("k1dxx" -> "k1dxxh", "mega-drops" -> "mega-dropsbackup")."""
    a, b = _PREFIX.sub("", a).strip("_.-"), _PREFIX.sub("", b).strip("_.-")
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and len(long_) - len(short) <= 6 and (long_.startswith(short) or long_.endswith(short))


def _spelled_alike(new: str, old: str) -> bool:
    """The handles spelled alike, without their suffixes or as typed ("drop.249728h" after "drop.249728")."""
    return _same_spelling(handle_core(new), handle_core(old)) or _same_spelling(_local_handle(new), _local_handle(old))


def _distinct(new: str, old: str) -> bool:
    """The new handle keeps the old one's run of digits ("links_0241985" -> "links_0241985_bkp"): the
    spelling with its number, unlike the letters alone, is rare."""
    runs = re.findall(r"\d{3,}", _local_handle(old))
    return bool(runs) and max(runs, key=len) in _local_handle(new)


def _other_number(new: str, old: str) -> bool:
    """Both handles carry a number and the new one's keeps none of the old one's ("vault_477" after
    "vault_276"): two accounts of a naming scheme, not one account back with a suffix."""
    runs_old = re.findall(r"\d{2,}", _local_handle(old))
    runs_new = re.findall(r"\d{2,}", _local_handle(new))
    return bool(runs_old and runs_new) and not any(r in n or n in r for r in runs_old for n in runs_new)


def handle_stem(norm: Normalizer, handle: str) -> str:
    """Letters of the handle's core, without "the_"/"real_"/"x"-style prefixes evaders put before the old name
    (one on another too: "the_the_club", "xreal_plug")."""
    core = norm.fold_term(handle_core(handle))
    for _ in range(3):
        core, n = _PREFIX.subn("", core)
        if not n:
            break
    return re.sub(r"[^a-z]", "", core)


def digit_run(handle: str) -> str:
    """The handle's longest run of three or more digits ("" when none): kept by an account come back."""
    runs = re.findall(r"\d{3,}", _local_handle(handle))
    return max(runs, key=len) if runs else ""


def build_profile(
    norm: Normalizer,
    links: LinkMatcher,
    key: str,
    handle: str | None,
    name: str | None,
    bio: str | None,
    link_texts: list[str],
    avatar: str | None,
    created_at: float | None,
    announced: bool = False,
    posted_links: list[str] | tuple = (),
) -> Profile:
    """One account's profile for scoring, from its fields (the batch job and the scan's watch)."""
    found = {canon_link(lk) for t in [bio or "", *link_texts] if t for _s, _e, _svc, lk in links.find(norm.plain(t))}
    found.update(canon_link(lk) for lk in posted_links)
    return Profile(
        key,
        handle or "",
        handle_stem(norm, handle or ""),
        norm.fold_term(name or ""),
        set(_WORD.findall(norm.fold_term(bio or ""))),
        found,
        avatar,
        created_at,
        announced,
    )


def made_after(new: Profile, old: Profile) -> bool:
    """``new`` was made after ``old`` was suspended (an hour's slack for clocks): it can be its replacement."""
    return new.created_at is not None and old.suspended_at is not None and new.created_at >= old.suspended_at - 3600


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _others(common: dict[str, int], prefix: str, a: str, b: str) -> int:
    """1 + how many accounts besides the pair use the stem or name (``common`` counts the pair too)."""
    if a == b:
        return max(common.get(prefix + a, 2) - 1, 1)
    return max(common.get(prefix + a, 1), common.get(prefix + b, 1))


def margin_text(best: float, runner_up: float) -> str:
    """The margin of the best candidate over the runner-up, as the evidence says it."""
    return f"{evidence_nats(best) - evidence_nats(runner_up):.2f} nats more evidence than the next candidate"


def explanation(predecessor: str, score: float, evidence: dict[str, str]) -> str:
    """The explanation of a link to ``predecessor``: its score and every piece of evidence, in order."""
    parts = "; ".join(f"{k}: {v}" for k, v in evidence.items())
    return f"likely the returning account of suspended {predecessor} (score {score:.2f}): {parts}"


def _ago(seconds: float) -> str:
    s = abs(seconds)
    return f"{s / 60:.0f} min" if s < 5400 else f"{s / 3600:.1f} h"


def score_pair(
    new: Profile,
    old: Profile,
    commonness: dict[str, int] | None = None,
    follows: tuple[set, set] | None = None,
    weights: dict[str, float] | None = None,
    shared_links: set[str] | None = None,
) -> tuple[float, dict[str, str]]:
    """Score and evidence of "new is old, back". ``commonness`` counts accounts per handle stem and
    display name: a stem many accounts share (``noahart``) says little, so it is discounted.
    ``follows``: the follow sets (new's, old's), from the account graph or the scan's memory;
    ``shared_links``: channels both posted that the graph knows of besides the profiles' own links."""
    w = WEIGHTS if not weights else {**WEIGHTS, **weights}
    feats: dict[str, float] = {}
    ev: dict[str, str] = {}
    common = commonness or {}
    close_handle = False
    renumbered = _other_number(new.handle, old.handle)
    # the old spelling with its number kept ("links_0241985_bkp", "drop.249728h", "xx2518.again"): rare,
    # whatever its letters (a common stem, or too few of them to compare)
    kept = not renumbered and _spelled_alike(new.handle, old.handle) and _distinct(new.handle, old.handle)
    sim = fuzz.ratio(new.stem, old.stem) / 100 if new.stem and old.stem and len(new.stem) >= 3 else 0.0
    if kept:
        close_handle = True
        feats["handle"] = max(0.8, (sim - 0.75) / 0.25)
        ev["handle"] = f"{new.handle!r} ~ {old.handle!r} (its spelling and number kept)"
    elif sim >= 0.75:  # 0.75 -> nothing, 1.0 -> full weight: near misses of short stems are common
        n = _others(common, "h:", new.stem, old.stem)
        # evaders keep their spelling; "cp.vids" and "cpvids" share a stem but are told apart
        spelled = _spelled_alike(new.handle, old.handle) and not renumbered
        close_handle = sim >= 0.9 and not renumbered
        feats["handle"] = (sim - 0.75) / 0.25 / n * (1.0 if spelled else 0.6)
        ev["handle"] = f"{new.handle!r} ~ {old.handle!r} ({sim:.2f}" + (
            f", stem used by {n - 1} other accounts)" if n > 1 else ")"
        )
    if new.name and old.name and len(new.name) >= 3:
        sim = fuzz.ratio(new.name, old.name) / 100
        if len(old.name) >= 4 and new.name.startswith(old.name):
            sim = 1.0  # the old name with a "(backup)" / "v2" / emoji added
        n = _others(common, "n:", new.name, old.name)
        if sim >= 0.9:  # "omar w." and "omar l." are two people
            feats["display_name"] = (sim - 0.8) / 0.2 / n
            ev["display_name"] = f"{new.name!r} ~ {old.name!r} ({sim:.2f}" + (
                f", name used by {n - 1} other accounts)" if n > 1 else ")"
            )
    bj = _jaccard(new.bio_tokens, old.bio_tokens)
    if len(old.bio_tokens) >= 2 and old.bio_tokens <= new.bio_tokens and len(new.bio_tokens - old.bio_tokens) <= 4:
        bj = max(bj, 0.9)  # the old bio kept whole, a few words ("old one banned") added
    if bj >= 0.75 and len(new.bio_tokens | old.bio_tokens) >= 3:  # evaders copy bios; templates overlap
        feats["bio"] = (bj - 0.5) / 0.5
        ev["bio"] = f"{bj:.2f} of bio words shared"
    shared_links = (new.links & old.links) | (shared_links or set())
    if follows is not None:
        fj = _jaccard(*follows)
        if fj >= 0.3:
            feats["follows"] = fj
            ev["follows"] = f"{fj:.2f} of followed accounts shared"
    if shared_links:
        # a channel several accounts post (advertisers share them) says little about which one is back:
        # discounted by the posters besides the pair, as a common handle stem is
        n = min(_others(common, "l:", lk, lk) for lk in shared_links)
        feats["links"] = 1.0 / n
        ev["links"] = ", ".join(sorted(shared_links)[:3]) + (f" (posted by {n - 1} other accounts)" if n > 1 else "")
    if new.avatar and new.avatar == old.avatar:
        feats["avatar"] = 1.0
        ev["avatar"] = "same avatar hash"
    old_local = _local_handle(old.handle)
    # an account that posted before the other was suspended, or was made days before it and went live
    # hours after, is its replacement on a shared channel or an @mention alone only as a backup kept
    # ready, live within the hour after the suspension (advertisers there all along share channels)
    stale = bool(
        old.suspended_at
        and new.first_post_at is not None
        and (
            new.first_post_at < old.suspended_at
            or (
                (new.created_at is None or new.created_at < old.suspended_at - 86400)
                and new.first_post_at - old.suspended_at > 3600
            )
        )
    )
    if old_local and old_local in new.mentioned:
        feats["names_predecessor"] = 1.0
        ev["names_predecessor"] = f"its posts name @{old_local}"
    # display names, follows (a network shares them), announcements and timing say "one of them",
    # not "this one": they count only beside a feature of the account's own identity
    # (a handle only 75-90% like the other's, "tomart" ~ "omar", adds to a score but is no identity)
    weak = ("links", "names_predecessor") if stale else ()
    core = close_handle or any(k in feats for k in IDENTITY if k != "handle" and k not in weak)
    # an announcement with nothing of the old profile kept: only "back within the hour" after a
    # suspension says which account; two suspensions that close leave a tie, and no link
    announce_only = not core and new.announced and not stale
    if (core and new.returning and made_after(new, old)) or ((core or announce_only) and new.announced):
        feats["announcement"] = 1.0
        ev["announcement"] = "posted a ban-evasion announcement"
    if (core or announce_only) and old.suspended_at:
        # "back within minutes": created, or first seen posting, about when the other was suspended
        moments = []
        if new.created_at:
            moments.append((abs(new.created_at - old.suspended_at), new.created_at - old.suspended_at, "created"))
        if new.first_post_at and new.first_post_at >= old.suspended_at:
            moments.append((new.first_post_at - old.suspended_at, new.first_post_at - old.suspended_at, "first post"))
        if moments:
            gap, dt, what = min(moments)
            if announce_only and not (what == "created" and 0 <= dt <= 3600):
                return 0.0, {}  # made within the hour after it: an older account's first post says less
            if gap <= 86400:
                feats["timing"] = 1.0 if gap <= 3600 else 0.6 if gap <= 6 * 3600 else 0.3
                ev["timing"] = f"{what} {_ago(dt)} {'after' if dt >= 0 else 'before'} the suspension"
    if not core and not (announce_only and "timing" in feats):
        return 0.0, {}
    if len(feats) == 1 and set(feats) <= {"links", "names_predecessor"}:
        return 0.0, {}  # a channel or an @mention alone, from an account that came long after: not its return
    p_not = 1.0
    for k, v in feats.items():
        p_not *= 1 - w[k] * v
    return 1 - p_not, ev


def block_keys(p: Profile) -> list[str]:
    """Blocking keys: only suspended accounts sharing one of these are compared with ``p``."""
    keys = []
    if len(p.stem) >= 3:
        keys.append("h:" + p.stem[:5])
    if digits := digit_run(p.handle):
        keys.append("d:" + digits)
    if len(p.name) >= 3:
        keys.append("n:" + p.name)
    keys += ["l:" + lk for lk in p.links]
    if p.avatar:
        keys.append("a:" + p.avatar)
    # the hour of a suspension, and for an account announcing its return the hours it appeared in
    # (and the one before): the candidates of an announcement that keeps nothing of the old profile
    if p.suspended_at:
        keys.append(f"t:{int(p.suspended_at // 3600)}")
    if p.announced:
        for t in (p.created_at, p.first_post_at):
            if t:
                keys += [k for b in (int(t // 3600), int(t // 3600) - 1) if (k := f"t:{b}") not in keys]
    return keys
