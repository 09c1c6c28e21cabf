"""Thread memory shared by detectors: which media post a reply or quote hangs under, what that root
photo shows, and who is speaking in the thread.

``StreamState.threads`` maps a post key to a small dict for every media post and for every reply or
quote inside such a thread (``r`` root key, ``a`` root author, ``m`` root carries media, ``s`` root
subject, ``d`` depth, ``u`` this post's author, ``x`` 1 once the context detector found a
sexualising cue in it). A nested reply or a quote finds its root with one dict lookup of its parent.

The root's subject (child, pet, vehicle, place, object, food or unknown) is read from the root's
text, its media alt text and, for an undescribed photo, its author's bio, name and handle, with the
term lists of the policy pack's ``context.yaml``. ``thread_of`` is the public API other detectors
(the learned model) call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import msgspec

from csewatch.detect import Prepared, StreamState
from csewatch.normalize import Normalizer, View
from csewatch.policy import ContextPack

SUBJECTS = ("child", "pet", "vehicle", "place", "object", "food", "people")  # in order of precedence
NONHUMAN = frozenset(("pet", "vehicle", "place", "object", "food"))
PERSON_SUBJECTS = frozenset(("child", "people"))  # a child's photo, or an outing or family photo

# words (letters), numbers and question marks; "12yo" reads as "12" "yo"
_TOKEN_RE = re.compile(r"\d+|[^\W\d_]+|\?")
_HANDLE_SPLIT_RE = re.compile(r"[^a-z]+")
_NON_ALNUM_RE = re.compile(r"[\W_]+")
_VS = str.maketrans("", "", "\ufe0f\ufe0e\u200d")

Token = tuple[str, int, int]  # (text, start, end) in the view
Match = tuple[int, int, str]  # (start, end, phrase) in view coordinates


def _is_number(t: str) -> bool:
    """ASCII digits only: ❶ or ² pass str.isdigit but are no age."""
    return t.isascii() and t.isdigit()


def tokens(text: str) -> list[Token]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


class PhraseSet:
    """Phrases (``context.yaml`` syntax) compiled for one normalization; matched over word tokens."""

    def __init__(self, phrases: Iterable[str], norm: Any):
        self.first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        # phrases whose first word is a prefix (kucing*), by the prefix's first two characters
        self.prefix_first: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
        self.slot_first: list[tuple[tuple[str, ...], str]] = []
        for phrase in phrases:
            pattern = tuple(_norm_word(w, norm) for w in _split_pattern(phrase))
            pattern = tuple(w for w in pattern if w)
            if not pattern:
                continue
            head = pattern[0]
            if head in ("{age}", "{n}"):
                self.slot_first.append((pattern, phrase))
            elif head.endswith("*"):
                self.prefix_first.setdefault(head[:2], []).append((head[:-1], pattern, phrase))
            else:
                self.first.setdefault(head, []).append((pattern, phrase))

    def find(self, toks: list[Token], first_only: bool = False) -> list[Match]:
        out: list[Match] = []
        first, prefixed, slots = self.first, self.prefix_first, self.slot_first
        for i, (word, start, _end) in enumerate(toks):
            cands = first.get(word)
            pre = prefixed.get(word[:2]) if prefixed else None
            if pre:
                cands = (cands or []) + [(p, ph) for head, p, ph in pre if word.startswith(head)]
            if slots and _is_number(word):
                cands = (cands or []) + slots
            if not cands:
                continue
            for pattern, phrase in cands:
                j = _match_at(pattern, toks, i)
                if j:
                    out.append((start, toks[j - 1][2], phrase))
                    if first_only:
                        return out
        return out

    def any(self, toks: list[Token]) -> bool:
        return bool(self.find(toks, first_only=True))


def _split_pattern(phrase: str) -> list[str]:
    # "u{age}s" -> u {age} s; "12yo" -> 12 yo; "d'autres" -> d autres
    out: list[str] = []
    for part in re.split(r"(\{age\}|\{n\})", phrase):
        if part in ("{age}", "{n}"):
            out.append(part)
            continue
        for w in part.split():
            if w == "*":
                out.append(w)
                continue
            star = w.endswith("*")
            pieces = _TOKEN_RE.findall(w.rstrip("*"))
            if star and pieces:
                pieces[-1] += "*"
            out.extend(pieces)
    return out


def _norm_word(w: str, norm: Any) -> str:
    if w in ("{age}", "{n}", "?", "*"):
        return w
    star = w.endswith("*")
    core = norm(w.rstrip("*")).strip()
    if not core:
        return ""
    return core + ("*" if star else "")


def _match_at(pattern: tuple[str, ...], toks: list[Token], i: int) -> int:
    """The token index after the match of ``pattern`` at ``i``, or 0."""
    j = i
    n = len(toks)
    for w in pattern:
        if j >= n:
            return 0
        t = toks[j][0]
        if w == "{age}":
            if not (_is_number(t) and len(t) <= 2 and 1 <= int(t) <= 17):
                return 0
        elif w == "{n}":
            if not _is_number(t):
                return 0
        elif w == "*":
            pass
        elif w.endswith("*"):
            if not t.startswith(w[:-1]):
                return 0
        elif t != w:
            return 0
        j += 1
    return j


class Phrases:
    """One phrase list matched on both the plain and the folded view of a text."""

    def __init__(self, phrases: Iterable[str], normalizer: Normalizer):
        items = list(phrases)
        self.plain = PhraseSet(items, lambda w: normalizer.plain(w).text)
        self.fold = PhraseSet(items, normalizer.fold_term)
        # letters only, for texts spelt out letter by letter ("m e s s a g e  m e"): long phrases only
        # (both skeletons: the folded one collapses doubled letters, "add" -> "ad")
        self.squeezed: list[tuple[str, str]] = []
        for ph in items:
            if "{" in ph or "*" in ph:
                continue
            for sq in {
                _NON_ALNUM_RE.sub("", normalizer.plain(ph).text),
                _NON_ALNUM_RE.sub("", normalizer.fold_term(ph)),
            }:
                if len(sq) >= 5:
                    self.squeezed.append((sq, ph))

    def find(self, text: TextViews) -> list[tuple[View, int, int, str]]:
        out = [(text.plain, s, e, ph) for s, e, ph in self.plain.find(text.plain_tokens)]
        for view, toks in text.folds:
            seen = {ph for *_x, ph in out}
            out += [(view, s, e, ph) for s, e, ph in self.fold.find(toks) if ph not in seen]
        if text.squeezed and self.squeezed:
            seen = {ph for *_x, ph in out}
            n = len(text.plain.text)
            for sq, ph in self.squeezed:
                if ph not in seen and sq in text.squeezed:
                    seen.add(ph)
                    out.append((text.plain, 0, n, ph))
        return out

    def any(self, text: TextViews) -> bool:
        if self.plain.any(text.plain_tokens) or any(self.fold.any(toks) for _v, toks in text.folds):
            return True
        return bool(text.squeezed) and any(sq in text.squeezed for sq, _ph in self.squeezed)


class TextViews:
    """The plain and folded views of one text with their word tokens; for a text spelt out letter by
    letter, also its letters run together (``squeezed``)."""

    __slots__ = ("plain", "plain_tokens", "folds", "squeezed")

    def __init__(self, plain: View, folds: list[View] | View | None = None, squeeze: bool = False):
        self.plain = plain
        self.plain_tokens = tokens(plain.text)
        if isinstance(folds, View):
            folds = [folds]
        self.folds = [(f, tokens(f.text)) for f in folds or () if f.text != plain.text]
        self.squeezed = ""
        if squeeze:
            # spelt out letter by letter: at least four words of one letter
            short = sum(1 for t, *_x in self.plain_tokens if len(t) == 1 and not _is_number(t))
            if short >= 4:
                bases = [plain.text, *(f.text for f, _t in self.folds)]
                self.squeezed = " ".join(_NON_ALNUM_RE.sub("", b) for b in bases)

    @property
    def fold(self) -> View | None:
        return self.folds[0][0] if self.folds else None

    @classmethod
    def of(cls, normalizer: Normalizer, text: str) -> TextViews:
        return cls(normalizer.plain(text), normalizer.fold(text) if text else None)


class Vocabulary:
    """``context.yaml`` compiled for one normalizer."""

    def __init__(self, pack: ContextPack, normalizer: Normalizer):
        self.normalizer = normalizer
        self.subjects = {name: Phrases(pack.subjects.get(name, []), normalizer) for name in SUBJECTS}
        self.subject_emoji = {name: frozenset(s.translate(_VS)) for name, s in pack.subject_emoji.items()}
        self.child_hints = Phrases(pack.child_hints, normalizer)
        self.family = Phrases(pack.family, normalizer)
        self.family_words = tuple(sorted({normalizer.plain(w).text for w in pack.family if " " not in w}, key=len))
        self.own_child = Phrases(pack.own_child, normalizer)
        self.cues = {name: Phrases(items, normalizer) for name, items in pack.cues.items()}
        self.guards = {name: Phrases(items, normalizer) for name, items in pack.guards.items()}
        self.emoji = {name: frozenset(s.translate(_VS)) for name, s in pack.emoji.items()}
        # a minor's age stated in the root ("turned 9", "cumple 11 años", "14 anni"): a child's photo
        units = pack.cues.get("age_units", [])
        self.ages = PhraseSet([f"{{age}} {u}" for u in units], lambda w: normalizer.plain(w).text)

    def cue(self, name: str) -> Phrases:
        p = self.cues.get(name)
        if p is None:
            p = self.cues[name] = Phrases([], self.normalizer)
        return p

    def guard(self, name: str) -> Phrases:
        p = self.guards.get(name)
        if p is None:
            p = self.guards[name] = Phrases([], self.normalizer)
        return p

    # -- the root ---------------------------------------------------------------------------
    def subject(self, text: TextViews, alt: TextViews | None, raw: str, author_fields: list[str]) -> str:
        """The root photo's subject class from its text and alt text; an undescribed photo by a parent,
        teacher, coach or school account is taken for a child's."""
        found = {name for name, ph in self.subjects.items() if ph.any(text) or (alt is not None and ph.any(alt))}
        if self.ages.any(text.plain_tokens):
            found.add("child")
        chars = set(raw.translate(_VS))
        for name, emo in self.subject_emoji.items():
            if chars & emo:
                found.add(name)
        if "child" in found:
            return "child"
        other = [s for s in SUBJECTS if s in found]
        if other:
            return other[0]
        for f in author_fields:
            if f and self.child_hints.any(TextViews(self.normalizer.plain(f), None)):
                return "child"
        return "unknown"

    # -- speakers ---------------------------------------------------------------------------
    def is_family_account(self, bio: str, name: str, handle: str) -> bool:
        """A bio, display name or handle that says parent or relative."""
        for f in (bio, name):
            if f and self.family.any(TextViews(self.normalizer.plain(f), None)):
                return True
        if handle:
            local = handle.split("@")[0].split(".")[0].lower()
            for seg in _HANDLE_SPLIT_RE.split(local):
                if len(seg) < 3:
                    continue
                for w in self.family_words:
                    if not w.isascii() or len(w) < 3:
                        continue
                    if seg == w or (len(w) >= 5 and (seg.startswith(w) or seg.endswith(w))):
                        return True
        return False


class ThreadInfo(msgspec.Struct, frozen=True):
    """Where a reply or quote sits: its thread's root and who is speaking."""

    root_key: str  # platform:id of the root post
    root_id: str
    root_author: str
    root_media: bool
    subject: str  # child | pet | vehicle | place | object | food | unknown
    depth: int  # 1 = a direct reply or quote of the root
    is_quote: bool
    replier_is_root_author: bool
    replier_is_family: bool
    parent_key: str = ""
    parent_author: str = ""
    parent_flagged: bool = False  # the context detector found a sexualising cue in the parent


@cache
def _default_vocabulary() -> Vocabulary:
    from csewatch.policy import load_policy

    policy = load_policy()
    return Vocabulary(policy.context, Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes))


def vocabulary_of(state: StreamState) -> Vocabulary:
    """The vocabulary the context detector registered on this state (the default pack's otherwise)."""
    v = getattr(state.threads, "vocabulary", None)
    return v if v is not None else _default_vocabulary()


def parent_key(p: Prepared) -> str | None:
    post = p.post
    parent = post.reply_to or post.quote_of
    return f"{post.platform}:{parent}" if parent else None


def _parent_entry(p: Prepared, state: StreamState) -> tuple[str, dict] | None:
    key = parent_key(p)
    if key is None:
        return None
    entry = state.threads.get(key)
    if entry is not None:
        return key, entry
    root = p.post.reply_root
    if root:
        rkey = f"{p.post.platform}:{root}"
        entry = state.threads.get(rkey)
        if entry is not None:  # the parent was never seen: hang the reply under the root
            return rkey, {**entry, "d": max(int(entry.get("d", 0)), 1), "u": "", "x": 0}
    return None


def replier_is_family(p: Prepared, vocab: Vocabulary, text: TextViews | None = None) -> bool:
    """The replier's bio, name or handle says parent or relative, or the reply speaks of its own child
    or names the speaker as a relative ("grandma is so proud")."""
    acc = p.account
    if acc is not None and vocab.is_family_account(acc.bio or "", acc.display_name or "", acc.handle or ""):
        return True
    if text is None:
        text = TextViews(p.plain("text"), p.fold_variants("text") if p.post.text else None)
    return vocab.own_child.any(text) or vocab.family.any(text)


def thread_of(p: Prepared, state: StreamState) -> ThreadInfo | None:
    """The media thread a reply or quote belongs to, or None (not a reply, or not under a media post)."""
    found = _parent_entry(p, state)
    if found is None:
        return None
    pkey, entry = found
    return info_from(p, pkey, entry, replier_is_family(p, vocabulary_of(state)))


def info_from(p: Prepared, pkey: str, entry: dict, family: bool) -> ThreadInfo:
    post = p.post
    root_author = str(entry.get("a", ""))
    return ThreadInfo(
        root_key=f"{post.platform}:{entry['r']}",
        root_id=str(entry["r"]),
        root_author=root_author,
        root_media=bool(entry.get("m")),
        subject=str(entry.get("s", "unknown")),
        depth=int(entry.get("d", 0)) + 1,
        is_quote=bool(post.quote_of) and not post.reply_to,
        replier_is_root_author=post.author_id == root_author,
        replier_is_family=family,
        parent_key=pkey,
        parent_author=str(entry.get("u", "")),
        parent_flagged=bool(entry.get("x")),
    )


def root_subject(p: Prepared, vocab: Vocabulary) -> str:
    post = p.post
    text = TextViews(p.plain("text"), p.fold_variants("text") if post.text else None)
    alts = " . ".join(m.alt for m in post.media if m.alt)
    alt = TextViews.of(vocab.normalizer, alts) if alts else None
    acc = p.account
    handle = " ".join(_TOKEN_RE.findall((acc.handle or "").split("@")[0].lower())) if acc else ""
    fields = [acc.bio or "", acc.display_name or "", handle] if acc else []
    return vocab.subject(text, alt, post.text + alts, fields)


def record(p: Prepared, state: StreamState, vocab: Vocabulary) -> tuple[ThreadInfo | None, dict | None]:
    """Remember this post in the thread memory; returns its thread (None for roots and posts outside
    media threads) and its new entry (None when it is not remembered)."""
    post = p.post
    found = _parent_entry(p, state)
    if found is not None:
        pkey, parent = found
        entry = {
            "r": parent["r"],
            "a": parent.get("a", ""),
            "m": parent.get("m", 1),
            "s": parent.get("s", "unknown"),
            "d": int(parent.get("d", 0)) + 1,
            "u": post.author_id,
            "x": 0,
        }
        state.threads.set(post.key, entry)
        return info_from(p, pkey, parent, False), entry
    if post.media:
        subject = root_subject(p, vocab)
        entry = {"r": post.id, "a": post.author_id, "m": 1, "s": subject, "d": 0, "u": post.author_id, "x": 0}
        state.threads.set(post.key, entry)
        return None, entry
    return None, None


__all__ = ["NONHUMAN", "Phrases", "TextViews", "ThreadInfo", "Vocabulary", "record", "thread_of", "vocabulary_of"]
