"""Links detector: off-platform invite destinations (Telegram, Discord, MEGA, Dropbox...), also when
written out to dodge link filters, and the same invite link posted by several accounts.

Written-out forms of the pack's hosts resolve to the host: ``t[.]me``, ``t(.)me``, ``t{.}me``,
``mega[dot]nz``, ``t dot me``, ideographic or fullwidth dots, look-alike host letters (``т.mе``,
folded one-to-one so offsets hold), a space after the slash (``t.me/ x``), ``slash`` spelt out. Forms
that ordinary prose also produces need a path before they count: a dot with a space beside it
(``t . me/x``, never "can't. me") and dropped dots (``tme/x``, ``discordgg/x``). Only the hosts in
links.yaml are ever resolved, so "the dot me" stays prose.
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal
from csewatch.model import Evidence, Signal
from csewatch.normalize import AMBIG, View, fold_letters
from csewatch.policy import Policy

_DOTS = ".\u3002\uff61\ufe12\u2024"  # full stop, ideographic, halfwidth ideographic, vertical, one dot leader
_BRACKETED = r"\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|<dot>|\[\s?\.\s?\]|\(\s?\.\s?\)"
# one separator between host labels; what it was decides whether a path is needed (see _needs_path)
_SEP = rf"(?:\s*(?:{_BRACKETED})\s*|\s+dot\s+|\s*[{_DOTS}]\s*|)"
_SEP_RE = re.compile(_SEP)
_STRONG_SEP_RE = re.compile(rf"^(?:\s*(?:{_BRACKETED})\s*|\s+dot\s+|[{_DOTS}])$")
_SLASH = r"(?:/\s?|\s+slash\s+)"
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_SCHEME_RE = re.compile(r"(?:https?://)?(?:www\.)?\Z")
_SLASH_WORD_RE = re.compile(r"\s+slash\s+")
_PATH_CHARS = rf"[a-z0-9_\-+/=?&%.~{AMBIG}]"


def _label_re(label: str) -> str:
    """A host label; an i or l may be written with a glyph that reads as either (AMBIG)."""
    return "".join(f"[{c}{AMBIG}]" if c in "il" else re.escape(c) for c in label)


class LinkMatcher:
    """Finds invite links of the pack's hosts in a plain view; returns (start, end, service, link)."""

    def __init__(self, policy: Policy):
        alts = []
        self.services: dict[str, str] = {}
        self.hosts: dict[str, str] = {}
        for i, h in enumerate(policy.links.invite_hosts):
            labels = h.host.lower().split(".")
            host_re = _SEP.join(f"(?:{_label_re(x)})" for x in labels)
            path = ""
            if h.path:
                path = "".join(_SLASH if c == "/" else re.escape(c) for c in h.path.lower())
            group = f"h{i}"
            self.services[group] = h.service
            self.hosts[group] = h.host.lower() + (h.path.lower() if h.path else "")
            alts.append(f"(?P<{group}>{host_re}{path})")
        # tried only where the hint found a first label (one alternation over every host is slow to scan)
        self.pattern = re.compile(
            r"(?<![a-z0-9-])(?:" + "|".join(alts) + r")(?![a-z0-9-])" rf"(?P<path>{_SLASH}{_PATH_CHARS}*)?",
        )
        # cheap prefilter: the first label of some host, then something a host can continue with
        first_labels = sorted({_label_re(h.host.lower().split(".")[0]) for h in policy.links.invite_hosts})
        joined = sorted({_label_re(h.host.lower().replace(".", "")) for h in policy.links.invite_hosts})
        self.hint = re.compile(
            rf"(?:(?:{'|'.join(first_labels)})(?:\s*[\[\(\{{<{_DOTS}]|\s+dot\s)|(?:{'|'.join(joined)})/)"
        )

    def find(self, view: View) -> list[tuple[int, int, str, str]]:
        text = fold_letters(view.text)  # one character for one: offsets into the view hold
        if not self.hint.search(text):
            return []
        out = []
        last = 0
        for h in self.hint.finditer(text):
            if h.start() < last or (h.start() and text[h.start() - 1] in _WORD_CHARS):
                continue
            m = self.pattern.match(text, h.start())
            if m is None:
                continue
            group = next(k for k, v in m.groupdict().items() if v is not None and k != "path")
            path = re.sub(r"\s", "", _SLASH_WORD_RE.sub("/", m.group("path") or "")).replace(AMBIG, "i").rstrip(".,")
            if path.rstrip("/") == "":
                path = ""
            if _needs_path(m.group(group)) and not path.strip("/"):
                continue
            end = m.end()
            while end > m.start() and text[end - 1] in ".,":
                end -= 1
            last = end
            start = m.start()
            scheme = _SCHEME_RE.search(text[max(0, start - 12) : start])
            if scheme:
                start -= len(scheme.group(0))
            out.append((start, end, self.services[group], self.hosts[group] + path))
        return out


def _needs_path(host_text: str) -> bool:
    """True when a label separator was one that prose makes too: a dot with a space beside it, or none."""
    seps = [s for s in _SEP_RE.findall(host_text.split("/")[0]) if s is not None]
    # findall over the host text also yields the empty separators inside labels; keep the real ones
    real = [s for s in seps if s]
    if not real:
        return True  # dots dropped (tme/x)
    return not all(_STRONG_SEP_RE.match(s) for s in real)


class LinkDetector:
    name = "links"
    version = "1"

    def __init__(self, policy: Policy, matcher: LinkMatcher):
        self.matcher = matcher
        self.share_threshold = policy.pack.thresholds.shared_link_accounts

    def finds(self, p: Prepared) -> list[tuple]:
        """The shared input ``link_finds``: (evidence, service, link) of each link in the text and URLs."""
        post = p.post
        found: list[tuple] = []
        if post.text:
            view = p.plain("text")
            for s, e, service, link in self.matcher.find(view):
                found.append((evidence_from_view(view, "text", s, e, f"links:{service}"), service, link))
        for i, url in enumerate(post.urls):
            for s, e, service, link in self.matcher.find(View(url.lower(), url, None)):
                if not any(f[2] == link for f in found):
                    found.append((Evidence(f"urls[{i}]", s, e, url[s:e], f"links:{service}"), service, link))
        return found

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        found: list[tuple] = p.shared("link_finds", self.finds)
        if not found:
            return []
        services = sorted({f[1] for f in found})
        out = [
            make_signal(
                self,
                p,
                "offplatform_link",
                0.5,
                f"links off the platform to {', '.join(services)}",
                [f[0] for f in found],
            )
        ]
        author = f"{post.platform}:{post.author_id}"
        for ev, service, link in found:
            if "/" not in link or link.endswith("/"):
                continue  # a bare host is not an invite
            # author -> when it first posted the link (a bare name: an older record, known before)
            first = {e: 0.0 for e in state.link_authors.get(link, ()) if isinstance(e, str)}
            first.update({e[0]: float(e[1]) for e in state.link_authors.get(link, ()) if not isinstance(e, str)})
            t = p.post.created_at
            if (author not in first and len(first) < 50) or t < first.get(author, t):
                first[author] = t
                state.link_authors.set(link, [[a, ts] for a, ts in first.items()])
            # only the accounts that had posted it by this post's time: a re-scan of the same input
            # counts what the first pass counted
            authors = [a for a, ts in first.items() if ts <= t]
            if len(authors) >= self.share_threshold:
                out.append(
                    make_signal(
                        self,
                        p,
                        "shared_invite_link",
                        0.7,
                        f"the {service} link {link} was posted by {len(authors)} accounts",
                        [ev],
                    )
                )
        return out
