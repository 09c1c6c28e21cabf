"""The policy pack: versioned YAML an operator edits (terms, hashtags, link hosts, rules, weights).

``load_policy(dir)`` reads and validates a pack directory into typed structs; every problem is
reported with the file and the place in it. The default pack ships in ``policy/default/``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import msgspec
import yaml

DEFAULT_DIR = Path(str(resources.files("csewatch.policy").joinpath("default")))
FILES = ("pack.yaml", "terms.yaml", "hashtags.yaml", "links.yaml", "normalization.yaml", "rules.yaml")

CONTEXT_CUES = ("age_question", "age_admiration", "age_mention", "more_request", "trade_request", "contact_request",
                "collect", "followup", "suggestive_emoji", "ambiguous_emoji")
CONTEXT_GUARDS = (
    "nonhuman_subject",
    "root_author",
    "family_reply",
    "family_account",
    "warm_reply",
    "pushback",
    "safety_advice",
)
CONTEXT_INDICATORS = (
    *(f"context_{c}" for c in CONTEXT_CUES),
    *(f"context_{g}" for g in CONTEXT_GUARDS),
    "context_child_thread",
    "context_repeat_commenter",
)

# indicators the built-in detectors can emit besides the term categories of terms.yaml. Kept for reference:
# the learned model's signals (detect/classifier.py): model_<label> at its live threshold, *_weak below
# it; shadow_* are recorded and measured, never acted on
MODEL_INDICATORS = tuple(
    f"{p}model_{label}{s}" for label in ("advert", "context", "evasion") for p in ("", "shadow_") for s in ("", "_weak")
)

# the ban-evasion features whose weights a pack's evasion.weights may override (their defaults and the scoring:
# csewatch/detect/evasion_scoring.py)
EVASION_WEIGHT_NAMES = (
    "handle",
    "display_name",
    "bio",
    "links",
    "avatar",
    "follows",
    "announcement",
    "timing",
    "names_predecessor",
)

# what a policy may name is derived from the manifest (csewatch.builtins declares these per detector, and a
# contract test holds the two equal)
DETECTOR_INDICATORS = frozenset(
    {
        "price",
        "offplatform_link",
        "shared_invite_link",
        "blocked_hashtag",
        "watch_hashtag",
        "candidate_hashtag",
        "minor_age",
        "account_abuse_term",
        "account_offplatform_link",
        "account_price",
        "new_account",
        "high_post_rate",
        "context_age_question",
        "context_age_mention",
        "context_trade_request",
        "known_material",
        "ban_evasion_link",
        "bot_flood",
        # thread context (csewatch.detect.context; terms in context.yaml)
        *CONTEXT_INDICATORS,
        # indicator grammar (csewatch.detect.grammar)
        "minor_material",
        "code_material",
        "euphemism_material",
        "euphemism_material_weak",
        "age_range_goods",
        "buy_request",
        "price_menu",
        "benign_context",
        *MODEL_INDICATORS,
    }
)


class PolicyError(ValueError):
    """A policy pack that cannot be used; the message names the file and the problem."""


class Thresholds(msgspec.Struct, forbid_unknown_fields=True):
    flag: float = 0.5
    new_account_days: float = 7
    post_rate_window_s: float = 60
    post_rate_count: int = 4
    shared_link_accounts: int = 3
    context_replies_case: int = 1
    max_field_chars: int = 20000


class Priority(msgspec.Struct, forbid_unknown_fields=True):
    reach_weight: float = 0.25
    volume_weight: float = 0.5


class Automation(msgspec.Struct, forbid_unknown_fields=True):
    """A rule acts without review only when reviewers' decisions on its cases show this precision."""

    min_decisions: int = 50
    min_precision: float = 0.98


class Evasion(msgspec.Struct, forbid_unknown_fields=True):
    """Ban-evasion linking during the scan: which accounts are compared with suspended ones, and how
    sure a link must be. Weights are those of the noisy-OR over the pair's features."""

    link_score: float = 0.6  # a link is drawn at this score or above
    margin: float = 0.3  # ... and only with this much more evidence, -ln(1-score), than the runner-up
    window_days: float = 30  # accounts younger than this (or that announce a ban) are compared
    checks: int = 20  # an account is compared on this many of its first posts at most
    weights: dict[str, float] = {}  # overrides of the feature weights (handle, bio, links, timing, ...)


class StoreOptions(msgspec.Struct, forbid_unknown_fields=True):
    retain_posts: str = "all"


class ModelConf(msgspec.Struct, forbid_unknown_fields=True):
    """The learned text model: which file, and whether its signals act (live) or are only recorded
    (shadow). A model goes live only through the measured-precision gate (``csewatch model promote``)."""

    mode: str = "live"  # live | shadow | off
    path: str | None = None  # a model file (relative to the pack directory); None: the bundled default
    thresholds: dict[str, dict[str, float]] = {}  # label -> {"live": p, "weak": p} overrides


class Pack(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    version: str
    thresholds: Thresholds = msgspec.field(default_factory=Thresholds)
    severity: dict[str, int] = {}
    priority: Priority = msgspec.field(default_factory=Priority)
    store: StoreOptions = msgspec.field(default_factory=StoreOptions)
    automation: Automation = msgspec.field(default_factory=Automation)
    evasion: Evasion = msgspec.field(default_factory=Evasion)
    model: ModelConf = msgspec.field(default_factory=ModelConf)


class Term(msgspec.Struct, forbid_unknown_fields=True):
    term: str
    ambiguous: bool = False


class Terms(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    indicators: dict[str, list[str | Term]]


class Hashtags(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    blocked: list[str] = []
    watch: list[str] = []
    candidate: list[str] = []
    jumble_min_length: int = 6


class InviteHost(msgspec.Struct, forbid_unknown_fields=True):
    host: str
    service: str
    path: str | None = None


class Links(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    invite_hosts: list[InviteHost]


class NormalizationConf(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    emoji_words: dict[str, str] = {}
    lookalikes: dict[str, str] = {}  # extra look-alike letters beyond the Unicode confusables data


class Rule(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    category: str
    score: float
    all: list[str] = []
    any: list[str] = []
    min_any: int = 0
    also_any: list[str] = []
    also_min: int = 0
    none: list[str] = []
    # the rule's score rises with this indicator's signal score: score + scale * signal score (so the
    # more probable of two model labels names the category)
    score_from: str | None = None
    score_scale: float = 0.1


class Rules(msgspec.Struct, forbid_unknown_fields=True):
    version: int
    rules: list[Rule]
    bonus: float = 0.02


class ContextPack(msgspec.Struct, forbid_unknown_fields=True):
    """context.yaml: the words of thread context (root subjects, speakers, reply cues, guards)."""

    version: int
    subjects: dict[str, list[str]] = {}
    subject_emoji: dict[str, str] = {}
    child_hints: list[str] = []
    family: list[str] = []
    own_child: list[str] = []
    cues: dict[str, list[str]] = {}
    guards: dict[str, list[str]] = {}
    emoji: dict[str, str] = {}


class Policy(msgspec.Struct):
    directory: str
    digest: str  # sha256 over the pack's files: which exact pack produced a result
    pack: Pack
    terms: Terms
    hashtags: Hashtags
    links: Links
    normalization: NormalizationConf
    rules: Rules
    context: ContextPack = msgspec.field(default_factory=lambda: ContextPack(version=1))

    @property
    def version(self) -> str:
        return f"{self.pack.name}@{self.pack.version}+{self.digest[:12]}"

    def term_entries(self) -> list[tuple[str, str, bool]]:
        """(indicator, term, ambiguous) for every term of terms.yaml."""
        out = []
        for indicator, items in self.terms.indicators.items():
            for item in items:
                if isinstance(item, str):
                    out.append((indicator, item, False))
                else:
                    out.append((indicator, item.term, item.ambiguous))
        return out

    def known_indicators(self, declared: Iterable[str] | None = None) -> set[str]:
        """The indicators rules may name: those the manifest's detectors and stages declare (or
        ``declared``), plus the term categories of this pack."""
        if declared is None:
            from csewatch.manifest import default_manifest  # the registry sits above; asked at call time

            declared = default_manifest().indicators()
        names = set(declared)
        for indicator, _term, ambiguous in self.term_entries():
            names.add(f"{indicator}_ambiguous" if ambiguous else indicator)
            names.add(indicator)
        return names


_TYPES: dict[str, type] = {
    "pack.yaml": Pack,
    "terms.yaml": Terms,
    "hashtags.yaml": Hashtags,
    "links.yaml": Links,
    "normalization.yaml": NormalizationConf,
    "rules.yaml": Rules,
}


def load_policy(directory: str | Path | None = None) -> Policy:
    """Load and validate a pack directory (the default pack when None)."""
    d = Path(directory) if directory else DEFAULT_DIR
    if not d.is_dir():
        raise PolicyError(f"{d}: not a directory")
    parsed: dict[str, Any] = {}
    digest = hashlib.sha256()
    for name in FILES:
        path = d / name
        if not path.exists():
            raise PolicyError(f"{path}: missing (a pack needs {', '.join(FILES)})")
        raw = path.read_bytes()
        digest.update(name.encode() + b"\0" + raw)
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{path}: not valid YAML: {exc}") from exc
        try:
            parsed[name] = msgspec.convert(data, _TYPES[name])
        except msgspec.ValidationError as exc:
            raise PolicyError(f"{path}: {exc}") from exc
    # optional: a pack without context.yaml uses the default pack's
    ctx_path = d / "context.yaml" if (d / "context.yaml").exists() else DEFAULT_DIR / "context.yaml"
    ctx_raw = ctx_path.read_bytes()
    digest.update(b"context.yaml\0" + ctx_raw)
    try:
        context = msgspec.convert(yaml.safe_load(ctx_raw), ContextPack)
    except (yaml.YAMLError, msgspec.ValidationError) as exc:
        raise PolicyError(f"{ctx_path}: {exc}") from exc
    policy = Policy(
        directory=str(d),
        digest=digest.hexdigest(),
        pack=parsed["pack.yaml"],
        terms=parsed["terms.yaml"],
        hashtags=parsed["hashtags.yaml"],
        links=parsed["links.yaml"],
        normalization=parsed["normalization.yaml"],
        rules=parsed["rules.yaml"],
        context=context,
    )
    problems = check_policy(policy)
    if problems:
        raise PolicyError("; ".join(problems))
    return policy


def check_policy(policy: Policy) -> list[str]:
    """Semantic checks beyond types: unknown indicators in rules, empty terms, bad ranges."""
    problems: list[str] = []
    d = policy.directory
    known = policy.known_indicators()
    seen_ids: set[str] = set()
    for name, w in policy.pack.evasion.weights.items():
        if name not in EVASION_WEIGHT_NAMES:
            known_names = sorted(EVASION_WEIGHT_NAMES)
            problems.append(f"{d}/pack.yaml: evasion.weights names unknown feature '{name}' (known: {known_names})")
        elif not 0 <= w <= 1:
            problems.append(f"{d}/pack.yaml: evasion.weights.{name} must lie in [0, 1]")
    for i, rule in enumerate(policy.rules.rules):
        where = f"{d}/rules.yaml: rules[{i}] ({rule.id})"
        if rule.id in seen_ids:
            problems.append(f"{where}: duplicate rule id")
        seen_ids.add(rule.id)
        for field in ("all", "any", "also_any", "none"):
            for name in getattr(rule, field):
                if name not in known:
                    problems.append(f"{where}: {field} names unknown indicator '{name}'")
        if not 0 < rule.score <= 1:
            problems.append(f"{where}: score must be in (0, 1], got {rule.score}")
        if rule.min_any > len(rule.any):
            problems.append(f"{where}: min_any {rule.min_any} exceeds the {len(rule.any)} 'any' indicators")
        if rule.also_min > len(rule.also_any):
            problems.append(f"{where}: also_min exceeds the 'also_any' indicators")
        if not rule.all and not rule.min_any:
            problems.append(f"{where}: needs 'all' or min_any >= 1, or it fires on every post")
        if rule.category not in policy.pack.severity:
            problems.append(f"{where}: category '{rule.category}' has no severity in pack.yaml")
    for indicator, term, _amb in policy.term_entries():
        if not term.strip():
            problems.append(f"{d}/terms.yaml: empty term under '{indicator}'")
    for cat, sev in policy.pack.severity.items():
        if not 1 <= sev <= 5:
            problems.append(f"{d}/pack.yaml: severity of '{cat}' must be 1..5, got {sev}")
    if not 0 < policy.pack.thresholds.flag <= 1:
        problems.append(f"{d}/pack.yaml: thresholds.flag must be in (0, 1]")
    if policy.pack.store.retain_posts not in ("all", "flagged"):
        problems.append(f"{d}/pack.yaml: store.retain_posts must be 'all' or 'flagged'")
    if policy.pack.model.mode not in ("live", "shadow", "off"):
        problems.append(f"{d}/pack.yaml: model.mode must be 'live', 'shadow' or 'off'")
    if policy.pack.model.path and not (Path(d) / policy.pack.model.path).is_file():
        problems.append(f"{d}/pack.yaml: model.path {policy.pack.model.path!r} is not a file in the pack")
    for ch, proto in policy.normalization.lookalikes.items():
        if len(ch) != 1 or len(proto) != 1 or not proto.isascii():
            problems.append(
                f"{d}/normalization.yaml: lookalikes maps one character to one ASCII letter, got {ch!r}: {proto!r}"
            )
    problems.extend(_check_context(policy.context, d))
    for i, h in enumerate(policy.links.invite_hosts):
        if "/" in h.host or not h.host:
            problems.append(f"{d}/links.yaml: invite_hosts[{i}] host must be a bare host name")
    return problems


def _check_context(ctx: ContextPack, d: str) -> list[str]:
    """context.yaml: known subject, cue and guard names; no empty phrases."""
    problems = []
    known = {
        "subjects": {"child", "pet", "vehicle", "place", "object", "food", "people"},
        "cues": {*CONTEXT_CUES, "age_guess", "age_units", "person", "pronoun"},
        "guards": {"warm", "pushback", "safety_advice", "heat"},
    }
    for section, names in known.items():
        for name, items in getattr(ctx, section).items():
            if name not in names:
                problems.append(f"{d}/context.yaml: {section}.{name} is not one of {sorted(names)}")
            if any(not str(t).strip() for t in items):
                problems.append(f"{d}/context.yaml: empty phrase under {section}.{name}")
    return problems
