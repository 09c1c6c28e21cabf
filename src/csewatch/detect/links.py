"""Links detector: off-platform invite destinations (Telegram, Discord, MEGA, Dropbox...), also when
written obfuscated (``t[.]me``, ``discord (dot) gg``), and the same invite link posted by several
accounts.
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal
from csewatch.model import Evidence, Signal
from csewatch.normalize import View
from csewatch.policy import Policy

_DOT = r"\s?(?:\.|\[\.\]|\(\.\)|\(dot\)|\[dot\]|\sdot\s)\s?"


class LinkMatcher:
    """Finds invite links of the pack's hosts in a plain view; returns (start, end, service, link)."""

    def __init__(self, policy: Policy):
        alts = []
        self.services: dict[str, str] = {}
        for i, h in enumerate(policy.links.invite_hosts):
            labels = [re.escape(x) for x in h.host.lower().split(".")]
            host_re = _DOT.join(labels)
            path = re.escape(h.path.lower()) if h.path else ""
            group = f"h{i}"
            self.services[group] = h.service
            alts.append(f"(?P<{group}>{host_re}{path})")
        self.pattern = re.compile(
            r"(?:https?://)?(?:www\.)?(?<![a-z0-9-])(?:" + "|".join(alts) + r")(?![a-z0-9-])"
            r"(?P<path>/[a-z0-9_\-+/=?&%.~]*)?",
        )
        # cheap prefilter: the first label of some host followed by a (possibly obfuscated) dot
        first_labels = sorted({re.escape(h.host.lower().split(".")[0]) for h in policy.links.invite_hosts})
        self.hint = re.compile(rf"(?:{'|'.join(first_labels)}){_DOT}")

    def find(self, view: View) -> list[tuple[int, int, str, str]]:
        text = view.text
        if not self.hint.search(text):
            return []
        out = []
        for m in self.pattern.finditer(text):
            group = m.lastgroup if m.lastgroup != "path" else None
            if group is None:
                group = next(k for k, v in m.groupdict().items() if v and k != "path")
            host = re.sub(_DOT, ".", m.group(group))
            path = (m.group("path") or "").rstrip(".,")
            out.append((m.start(), m.end(), self.services[group], (host + path).lower()))
        return out


class LinkDetector:
    name = "links"
    version = "1"

    def __init__(self, policy: Policy, matcher: LinkMatcher):
        self.matcher = matcher
        self.share_threshold = policy.pack.thresholds.shared_link_accounts

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
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
        if not found:
            return []
        p.links = [f[2] for f in found]
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
            authors = list(state.link_authors.get(link, ()))
            if author not in authors and len(authors) < 50:
                authors.append(author)
                state.link_authors.set(link, authors)
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
