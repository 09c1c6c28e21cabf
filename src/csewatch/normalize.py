"""Text normalization: fold what authors write to dodge filters back to a matchable skeleton.

Two views of a field are made:

* ``plain``: per-character compatibility decomposition with accents dropped, casefold, zero-width
  characters removed. Digits and currency signs survive; prices and ages are read here.
* ``folded``: ``plain`` plus Unicode confusables mapped to their ASCII prototype (UTS #39 data via
  ``confusable_homoglyphs``), emoji that stand for words spelt out, leetspeak inside words undone,
  separators inside words removed (``c*p``, ``c.p``, ``c_p``, ``c p`` all reach ``cp``), runs of a
  repeated letter collapsed and whitespace squeezed. Lexicons are matched here.

Every step either maps characters one-to-one, expands one character, or deletes characters, so a
view keeps (lazily, only when evidence is asked for) a map from each of its characters back to the
offset in the original text: evidence spans point at what the author actually wrote.

The fast path (no map) and the tracked path run the same steps with the same patterns; a test holds
them to identical output.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from importlib import resources

# ---------------------------------------------------------------------------------------------
# character folding tables

_ZERO_WIDTH_CATEGORIES = {"Cf", "Cc", "Mn", "Me"}
# U+E000 stands for a glyph that reads as either i or l (1, |, Cyrillic palochka, Latin iota...):
# the folded text is made once with each reading and both are matched.
AMBIG = "\ue000"
_LEET = str.maketrans(
    {
        "0": "o",
        "1": AMBIG,
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": AMBIG,
        "€": "e",
        "£": "l",
    }
)
_AMBIG_READINGS = ("i", "l", ".")  # the last: a | used as a separator (c|p)
# a link with a path (``t.me/x``, ``t[.]me/x``, ``https://...``): its path must not read as words
_URL_RE = re.compile(r"\S*/\S*|www\.\S+", re.IGNORECASE)


def _blank_link(m: re.Match[str]) -> str:
    tok = m.group(0)
    return " " * len(tok) if "." in tok else tok  # c/p is an obfuscation, t.me/x a link


# Unicode data: the newest available (``unicodedata2`` tracks the current Unicode version; the
# standard library's may be years older), so letters added recently (outlined Latin...) fold too.
try:
    import unicodedata2 as _ud
except ImportError:  # pragma: no cover - the dependency is declared; stay usable without it
    _ud = unicodedata  # type: ignore[misc]

UNICODE_VERSION: str = _ud.unidata_version
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_DIGIT_NAMES = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")
# Character names that say which Latin letter a glyph is. "Strong" families are the letter itself in
# another style (small capital, regional indicator, negative squared...); "weak" ones carry a hook,
# bar or stroke and give way to the confusables data where it names a different letter.
_STRONG_ADJ = r"(?:SMALL CAPITAL |CAPITAL |SMALL |DOTLESS |SCRIPT )?"
_WEAK_ADJ = r"(?:OPEN |CLOSED |BARRED |STRETCHED |LONG |BROKEN |DOUBLE )?"
_LATIN_NAME_RE = re.compile(
    rf"^(?!TAG |COMBINING )(?:[A-Z][A-Z\- ]* )?LATIN (?:CAPITAL |SMALL )?(?:LETTER )?{_STRONG_ADJ}(?P<weak>{_WEAK_ADJ})"
    r"(?P<l>[A-Z])(?P<with> WITH [A-Z\- ]+)?$"
)
_MODIFIER_NAME_RE = re.compile(r"^MODIFIER LETTER (?:SMALL |CAPITAL )+(?P<l>[A-Z])(?P<with> WITH [A-Z\- ]+)?$")
_REGIONAL_NAME_RE = re.compile(r"^REGIONAL INDICATOR SYMBOL LETTER (?P<l>[A-Z])$")
_DIGIT_NAME_RE = re.compile(rf"^(?!TURNED |REVERSED )[A-Z][A-Z\- ]* DIGIT (?P<d>{'|'.join(_DIGIT_NAMES)})$")
# blank-looking characters that Unicode does not class as spaces
_BLANK_NAMES = ("BRAILLE PATTERN BLANK",)


def _nfkc_letters(ch: str) -> str | None:
    """ASCII letters/digits that the compatibility decomposition of ``ch`` spells (marks dropped,
    an enclosing ``(..)`` or a trailing full stop removed: ⒜ -> a, ⒈ -> 1), else None."""
    d = _ud.normalize("NFKD", ch)
    if d == ch:
        return None
    base = "".join(c for c in d if _ud.category(c) not in ("Mn", "Me")).casefold()
    if len(base) > 2 and base[0] == "(" and base[-1] == ")":
        base = base[1:-1]
    elif len(base) > 1 and base[-1] == "." and base[0] != ".":
        base = base[:-1]
    return base if base and all(c in _ALNUM for c in base) else None


def _name_letter(ch: str) -> tuple[str, bool] | None:
    """The Latin letter or digit a character's NAME says it is, and whether the name is strong."""
    name = _ud.name(ch, "")
    if "LATIN" in name or "LETTER" in name:
        m = _LATIN_NAME_RE.match(name) or _MODIFIER_NAME_RE.match(name) or _REGIONAL_NAME_RE.match(name)
        if m:
            gd = m.groupdict()
            return m.group("l").lower(), not (gd.get("with") or gd.get("weak"))
    elif "DIGIT" in name and _ud.category(ch) in ("No", "So"):
        m = _DIGIT_NAME_RE.match(name)
        if m:
            return str(_DIGIT_NAMES.index(m.group("d"))), True
    return None


@functools.cache
def _confusables() -> dict[str, list[str]]:
    """UTS #39 confusables (single characters), as shipped by ``confusable_homoglyphs``."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8"))
    return {ch: [g["c"] for g in glyphs if len(g["c"]) == 1] for ch, glyphs in data.items() if len(ch) == 1}


@functools.cache
def latin_sources() -> dict[int, tuple[str, str]]:
    """Every non-ASCII code point that reads as Latin letters/digits: code point -> (letters, source).

    Derived from Unicode's own data, in this order of precedence: ``nfkc`` (compatibility
    decomposition: mathematical, fullwidth, circled, parenthesised, squared, super/subscript...),
    ``name`` (a strong name family: negative squared/circled, regional indicator, small capital,
    modifier letters, dingbat digits), ``confusable`` (UTS #39: a glyph confusable with an ASCII
    letter or digit, or with a strongly named Latin letter), ``name-weak`` (a Latin letter with a
    hook, bar or stroke), ``cyrillic-case`` (a Cyrillic small letter, drawn as a small capital, whose
    capital is confusable with a Latin capital: к м т в н). Built once per process (about a second).
    """
    out: dict[int, tuple[str, str]] = {}
    weak: dict[int, str] = {}
    for cp in range(0x80, 0x110000):
        ch = chr(cp)
        if _invisible(ch):
            continue
        got = _nfkc_letters(ch)
        if got:
            out[cp] = (got, "nfkc")
            continue
        named = _name_letter(ch)
        if named:
            if named[1]:
                out[cp] = (named[0], "name")
            else:
                weak[cp] = named[0]
    conf = _confusables()
    strong = {cp: v for cp, (v, src) in out.items() if len(v) == 1}

    def pick(ch: str) -> str | None:
        glyphs = conf.get(ch, ())
        for test in (str.isalpha, str.isdigit):
            found = [c.lower() for c in glyphs if c.isascii() and test(c)]
            if found:
                return found[0]
        return None

    for ch in conf:
        cp = ord(ch)
        if ch.isascii() or cp in out or _invisible(ch):
            continue
        got = pick(ch)
        if got:
            out[cp] = (got, "confusable")
            continue
        if cp in weak:
            continue
        via = {strong[ord(c)] for c in conf[ch] if ord(c) in strong}
        if len(via) == 1:
            out[cp] = (via.pop(), "confusable")
    for cp, letter in weak.items():
        out.setdefault(cp, (letter, "name-weak"))
    for cp in range(0x400, 0x530):  # the Cyrillic blocks
        ch = chr(cp)
        if cp in out or not _ud.name(ch, "").startswith("CYRILLIC SMALL LETTER"):
            continue
        up = ch.upper()
        got = pick(up) if len(up) == 1 else None
        if got and got.isalpha():
            out[cp] = (got, "cyrillic-case")
    return out


@functools.cache
def _latin_fold() -> dict[int, str]:
    """code point -> its folded letters; a confusable read as i or l becomes AMBIG (both are tried)."""
    return {
        cp: (AMBIG if src == "confusable" and v in ("i", "l") else v) for cp, (v, src) in latin_sources().items()
    }


def _invisible(c: str) -> bool:
    """Default-ignorable or combining: format controls (zero-width, bidi, tags, soft hyphen...),
    combining and enclosing marks, variation selectors, the Hangul fillers."""
    cat = _ud.category(c)
    return cat in _ZERO_WIDTH_CATEGORIES or (cat == "Lo" and _ud.name(c, "").endswith(" FILLER"))


@functools.cache
def _letter_table() -> dict[int, str]:
    """A one-to-one table (one character in, one out) of the look-alikes that fold to one letter,
    for finders that need every offset kept (the link finder over a plain view)."""
    return {cp: v for cp, v in _latin_fold().items() if len(v) == 1}


def fold_letters(text: str) -> str:
    """``text`` with each look-alike that reads as one Latin letter or digit replaced by it (AMBIG
    for an i/l look-alike); same length, so offsets into ``text`` stay valid."""
    if text.isascii():
        return text
    return text.translate(_letter_table())


def _plain_char(ch: str) -> str:
    """Compatibility-decompose one character, drop accents and invisible characters, casefold."""
    if ch.isascii():
        return " " if ch in "\t\n\r\f\v" else ch.lower()
    if ch.isspace() or _ud.name(ch, "") in _BLANK_NAMES:
        return " "
    parts = []
    for c in _ud.normalize("NFKD", ch):
        if _invisible(c):
            continue
        parts.append(" " if c.isspace() else c)
    return "".join(parts).casefold()


# ---------------------------------------------------------------------------------------------
# bidirectional overrides: a word typed backwards inside RLO ... PDF displays forwards

_RLO, _PDF, _PDI = "\u202e", "\u202c", "\u2069"
_BIDI_OPENERS = {"\u202a": "E", "\u202b": "E", "\u202d": "L", _RLO: "R", "\u2066": "I", "\u2067": "I", "\u2068": "I"}
_PARAGRAPH_SEPARATORS = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")
_MAX_BIDI_DEPTH = 125  # as in the Unicode bidirectional algorithm


def visual_order(text: str) -> list[int] | None:
    """The reading order of ``text``'s characters (a permutation of its offsets) where a
    right-to-left override (RLO, closed by PDF or the paragraph's end) reverses a run; None when
    the text has no override. Embeddings, isolates and left-to-right overrides nest and keep their
    own order; the controls themselves stay in place (they fold to nothing)."""
    if _RLO not in text:
        return None
    root: list = []
    stack: list[tuple[str, list]] = [("T", root)]
    for i, c in enumerate(text):
        kind = _BIDI_OPENERS.get(c)
        if kind is not None and len(stack) <= _MAX_BIDI_DEPTH:
            stack[-1][1].append(i)
            node: tuple[str, list] = (kind, [])
            stack[-1][1].append(node)
            stack.append(node)
        elif c == _PDF:
            if len(stack) > 1 and stack[-1][0] != "I":
                stack.pop()
            stack[-1][1].append(i)
        elif c == _PDI:
            if any(k == "I" for k, _ in stack[1:]):
                while stack[-1][0] != "I":
                    stack.pop()
                stack.pop()
            stack[-1][1].append(i)
        elif c in _PARAGRAPH_SEPARATORS:
            del stack[1:]
            root.append(i)
        else:
            stack[-1][1].append(i)
    out: list[int] = []
    todo: list = [iter(root)]
    while todo:  # iterative depth-first rendering: an override's items in reverse
        it = next(todo[-1], None)
        if it is None:
            todo.pop()
        elif isinstance(it, int):
            out.append(it)
        else:
            todo.append(iter(reversed(it[1]) if it[0] == "R" else it[1]))
    return out


def _reading_order(text: str) -> tuple[str, list[int] | None]:
    """``text`` in reading order, with the permutation used (None: unchanged)."""
    if text.isascii():
        return text, None
    order = visual_order(text)
    if order is None:
        return text, None
    return "".join([text[i] for i in order]), order


def _reorder_map(order: list[int] | None, m: list[int], me: list[int]) -> tuple[list[int], list[int]]:
    """Offsets into the reordered text -> offsets into the original (start, end per character)."""
    if order is None:
        return m, me
    starts, ends = [], []
    for a, b in zip(m, me, strict=True):
        x, y = order[a], order[b - 1]
        starts.append(min(x, y))
        ends.append(max(x, y) + 1)
    return starts, ends


class _FoldTable(dict):
    """A lazily filled str.translate table: code point -> replacement string."""

    def __init__(self, fold: Callable[[str], str]):
        super().__init__()
        self._fold = fold
        for i in range(128):
            self[i] = fold(chr(i))

    def __missing__(self, key: int) -> str:
        value = self._fold(chr(key))
        self[key] = value
        return value


# ---------------------------------------------------------------------------------------------
# the steps that take plain text to the folded skeleton

_SEPARATORS = r"*._\-'’`·•|/\\~^+=:,"
_INWORD_SEP_RE = re.compile(rf"([a-z0-9])[{_SEPARATORS}]+(?=[a-z0-9?])")
_SPACED_LETTERS_RE = re.compile(rf"(?<![a-z0-9])[a-z](?:[\s{_SEPARATORS}]{{1,3}}[a-z](?![a-z0-9])){{1,}}")
_REPEAT_RE = re.compile("|".join(f"{c}{c}+" for c in "abcdefghijklmnopqrstuvwxyz"))
_SPACE_RE = re.compile(r"\s{2,}")
_SPACE_BEFORE_Q_RE = re.compile(r"([a-z])\s+(?=\?)")
_LEET_CHARS = "0-9@$!|€£\ue000"
_LEET_TOKEN_RE = re.compile(
    rf"(?<![a-z{_LEET_CHARS}])(?=[a-z{_LEET_CHARS}]*[a-z\ue000])(?=[a-z{_LEET_CHARS}]*[{_LEET_CHARS}])"
    rf"[a-z{_LEET_CHARS}]+"
)
_ANY_LEET_RE = re.compile(r"[0-9@$!|€£]")
_LEET_TOUCH_RE = re.compile(r"[a-z\ue000][0-9@$!|€£]|[0-9@$!|€£][a-z\ue000]")  # a leet char touching a letter


class _HasLeet:
    """A leet character touching a letter; the cheap any-leet-char scan rules most text out."""

    @staticmethod
    def search(s: str) -> bool:
        return bool(_ANY_LEET_RE.search(s)) and bool(_LEET_TOUCH_RE.search(s))


_HAS_LEET_RE = _HasLeet()


def _first_char(m: re.Match[str]) -> str:
    return m.group(0)[0]


def _keep_letters(m: re.Match[str]) -> list[int]:
    s = m.group(0)
    return [i for i, c in enumerate(s) if "a" <= c <= "z"]


def _keep_first(m: re.Match[str]) -> list[int]:
    return [0]


def _keep_none(m: re.Match[str]) -> list[int]:
    return []


# (pattern, fast replacement, which characters of the match are kept)
_DELETE_STEPS: list[
    tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], Callable[[re.Match[str]], list[int]]]
] = [
    (_INWORD_SEP_RE, r"\1", _keep_first),
    (_REPEAT_RE, _first_char, _keep_first),
    (_SPACED_LETTERS_RE, lambda m: "".join(c for c in m.group(0) if "a" <= c <= "z"), _keep_letters),
    (_REPEAT_RE, _first_char, _keep_first),
    (_SPACE_BEFORE_Q_RE, r"\1", _keep_first),
    (_SPACE_RE, " ", _keep_first),
]


_SPACED_STEP = 2
_SECOND_REPEAT = 3
_QUESTION_STEP = 4


def _unleet_token(m: re.Match[str]) -> str:
    tok = m.group(0)
    lead = ""
    if tok[0] == "@" and len(tok) > 4:  # a mention keeps its sigil; "@re", "@9e" are leet
        lead, tok = "@", tok[1:]
    return lead + tok.translate(_LEET)


def _mask_urls(text: str) -> str:
    """Blank out URLs (one space per character) so link paths do not read as words."""
    if "/" not in text and "www." not in text:
        return text
    return _URL_RE.sub(_blank_link, text)


class View:
    """One normalized view of a field: the text to match on and a lazy map back to the original."""

    __slots__ = ("text", "original", "_mapper", "_map", "_ends")

    def __init__(self, text: str, original: str, mapper: Callable[[], list[int] | tuple[list[int], list[int]]] | None):
        self.text = text
        self.original = original
        self._mapper = mapper
        self._map: list[int] | None = None
        self._ends: list[int] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original-text span that produced view characters [start, end)."""
        if self._mapper is None:
            return start, end
        if self._map is None:
            got = self._mapper()
            if isinstance(got, tuple):
                self._map, self._ends = got
            else:
                self._map, self._ends = got, [i + 1 for i in got]
        m, me = self._map, self._ends
        assert me is not None
        if not m:
            return 0, 0
        n = len(m)
        a = min(start, n - 1)
        b = min(max(end, a + 1), n)
        s, e = min(m[a:b]), max(me[a:b])  # not monotonic where an override reversed a run
        return s, max(e, s)

    def original_text(self, start: int, end: int) -> str:
        s, e = self.span(start, end)
        return self.original[s:e]


class Normalizer:
    """Builds the plain and folded views of text; configured by the policy pack's emoji words."""

    def __init__(self, emoji_words: Mapping[str, str] | None = None, lookalikes: Mapping[str, str] | None = None):
        # keys lose their variation selectors ("✉️" is written with one; the character itself is read)
        self.emoji_words = {"".join(c for c in k if not _invisible(c)) or k: v for k, v in (emoji_words or {}).items()}
        self.lookalikes = {ord(k): v for k, v in (lookalikes or {}).items()}
        self._plain_table = _FoldTable(_plain_char)
        self._fold_table = _FoldTable(self._fold_char)

    # -- per character ----------------------------------------------------------------------
    def _fold_char(self, ch: str) -> str:
        if ch in self.emoji_words:
            return f" {self.emoji_words[ch]} "
        extra = self.lookalikes.get(ord(ch))
        if extra:
            return AMBIG if extra in ("i", "l") else extra
        latin = _latin_fold()
        got = latin.get(ord(ch))
        if got is not None:
            return got
        plain = _plain_char(ch)
        if plain.isascii():
            return plain
        out = []
        for c in plain:  # the pieces of a decomposition
            if c.isascii():
                out.append(c)
            elif ord(c) in self.lookalikes:
                out.append(AMBIG if self.lookalikes[ord(c)] in ("i", "l") else self.lookalikes[ord(c)])
            else:
                out.append(latin.get(ord(c), c))
        return "".join(out)

    # -- views ------------------------------------------------------------------------------
    def plain(self, text: str) -> View:
        if text.isascii():
            out = text.lower().translate(self._plain_table) if _has_ctrl(text) else text.lower()
            return View(out, text, None)
        src, order = _reading_order(text)
        out = src.translate(self._plain_table)
        return View(out, text, lambda: _reorder_map(order, *_char_spans(src, self._plain_table)))

    def fold(self, text: str) -> View:
        """The folded view (the first reading, when a glyph reads as either i or l)."""
        return self.fold_variants(text)[0]

    def fold_variants(self, text: str) -> list[View]:
        """One folded view per reading of the i/l look-alikes in the text (usually just one)."""
        base = self._fold_chars(text)
        if AMBIG not in base:
            out = self._delete_fast(base)
            return [View(out, text, lambda: self._fold_tracked(text)[1])]
        views = []
        seen = set()
        for reading in _AMBIG_READINGS:
            out = self._delete_fast(base.replace(AMBIG, reading))
            if out not in seen:
                seen.add(out)
                views.append(View(out, text, lambda r=reading: self._fold_tracked(text, r)[1]))
        return views

    def fold_term(self, term: str) -> str:
        """Fold a lexicon term the way text is folded, so both meet in the same skeleton."""
        return self._delete_fast(self._fold_chars(term).replace(AMBIG, "i")).strip()

    def _fold_chars(self, text: str) -> str:
        s = _mask_urls(_reading_order(text)[0]).translate(self._fold_table)
        if _HAS_LEET_RE.search(s) or AMBIG in s:
            s = _LEET_TOKEN_RE.sub(_unleet_token, s)
        return s

    @staticmethod
    def _delete_fast(s: str) -> str:
        joined = 1
        for i, (pattern, repl, _keep) in enumerate(_DELETE_STEPS):
            if i == _SECOND_REPEAT and not joined:
                continue  # nothing was joined, so no new runs of a letter can exist
            if i == _QUESTION_STEP and "?" not in s:
                continue
            s, n = pattern.subn(repl, s)
            if i == _SPACED_STEP:
                joined = n
        return s

    def _fold_tracked(self, text: str, reading: str = "i") -> tuple[str, tuple[list[int], list[int]]]:
        """The folded text with, for each of its characters, the original start and end offsets."""
        src, order = _reading_order(text)
        masked = _mask_urls(src)
        pieces: list[str] = []
        m: list[int] = []
        table = self._fold_table
        if masked.isascii() and not _has_ctrl(masked):
            s = masked.lower()
            m = list(range(len(s)))
        else:
            for i, ch in enumerate(masked):
                r = table[ord(ch)]
                if r:
                    pieces.append(r)
                    m.extend([i] * len(r))
            s = "".join(pieces)
        me = [i + 1 for i in m]
        if _HAS_LEET_RE.search(s) or AMBIG in s:
            s = _LEET_TOKEN_RE.sub(_unleet_token, s)  # one-to-one: the map is unchanged
        s = s.replace(AMBIG, reading)
        for pattern, _repl, keep in _DELETE_STEPS:
            s, m, me = _delete_tracked(pattern, keep, s, m, me)
        return s, _reorder_map(order, m, me)


def _has_ctrl(text: str) -> bool:
    return any(c in text for c in "\t\n\r\f\v")


def _char_spans(text: str, table: Mapping[int, str]) -> tuple[list[int], list[int]]:
    m: list[int] = []
    for i, ch in enumerate(text):
        m.extend([i] * len(table[ord(ch)]))
    return m, [i + 1 for i in m]


def _delete_tracked(
    pattern: re.Pattern[str], keep: Callable[[re.Match[str]], list[int]], s: str, m: list[int], me: list[int]
) -> tuple[str, list[int], list[int]]:
    """Apply one deletion step, carrying each kept character's original start and end.

    A kept character's end grows over the characters deleted after it in the same match, so a
    collapsed run (``sellll`` -> ``sel``) still cites the whole run."""
    out: list[str] = []
    om: list[int] = []
    ome: list[int] = []
    last = 0
    for mt in pattern.finditer(s):
        a, b = mt.span()
        out.append(s[last:a])
        om.extend(m[last:a])
        ome.extend(me[last:a])
        kept = keep(mt)
        for j, k in enumerate(kept):
            out.append(s[a + k])
            om.append(m[a + k])
            last_in_run = (kept[j + 1] - 1) if j + 1 < len(kept) else (b - a - 1)
            ome.append(me[a + last_in_run])
        last = b
    out.append(s[last:])
    om.extend(m[last:])
    ome.extend(me[last:])
    return "".join(out), om, ome


# ---------------------------------------------------------------------------------------------
# hashtags and word segmentation

_HASHTAG_RE = re.compile(r"(?<![\w&])#(\w{1,100})")


def extract_hashtags(text: str) -> list[str]:
    """Hashtags written in the text, without the '#', in order, de-duplicated."""
    if "#" not in text:
        return []
    seen: dict[str, None] = {}
    for m in _HASHTAG_RE.finditer(text):
        seen.setdefault(m.group(1), None)
    return list(seen)


@functools.cache
def _segmenter() -> Callable[[str], list[str]]:
    import wordsegment

    wordsegment.load()
    return wordsegment.segment


@functools.lru_cache(maxsize=200_000)
def segment(token: str) -> tuple[str, ...]:
    """Split a run-together token (``sellingcpfolder``) into words by unigram/bigram frequency."""
    token = token.strip().lower()
    if not token:
        return ()
    if not token.isascii() or not token.isalnum():
        return (token,)
    return tuple(_segmenter()(token))


def token_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The maximal [a-z0-9] run around [start, end) of a folded text."""
    a = start
    while a > 0 and text[a - 1].isalnum():
        a -= 1
    b = end
    n = len(text)
    while b < n and text[b].isalnum():
        b += 1
    return a, b


def segments_contain(token: str, term: str) -> bool:
    """True when ``term`` (spaces ignored) is a run of whole segments of the run-together ``token``."""
    joined = term.replace(" ", "")
    segs = segment(token)
    if joined in segs:
        return True
    for i in range(len(segs)):
        acc = ""
        for s in segs[i:]:
            acc += s
            if acc == joined:
                return True
            if len(acc) >= len(joined):
                break
    return False
