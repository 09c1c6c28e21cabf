"""HTML helpers of the review console: percent-encoded path segments for links and redirects, evidence
spans marked in a post's text, and the dashboard's small inline SVG bar charts. Everything is escaped."""

from __future__ import annotations

import html
from urllib.parse import quote


def path_quote(value: object) -> str:
    """A value as one percent-encoded path segment run: '?', '#', '%' and spaces cannot end it early."""
    return quote(str(value), safe="/:@!$&'()*+,;=")


def highlight(text: str, spans: list[tuple[int, int, str]]) -> str:
    """HTML of ``text`` with the evidence spans marked (escaped; overlapping spans merged)."""
    spans = sorted((s, e, r) for s, e, r in spans if 0 <= s < e <= len(text))
    out, pos = [], 0
    for s, e, rule in spans:
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f'<mark title="{html.escape(rule)}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def bar_svg(rows: list[tuple[str, float]], width: int = 520, unit: str = "") -> str:
    """A small horizontal bar chart as inline SVG."""
    if not rows:
        return "<p>no data yet</p>"
    top = max(v for _l, v in rows) or 1
    h = 22 * len(rows) + 10
    bars = []
    for i, (label, v) in enumerate(rows):
        w = int((width - 220) * v / top)
        y = 5 + 22 * i
        bars.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:30])}</text>'
            f'<rect x="210" y="{y}" width="{max(w, 1)}" height="16" fill="#4a6fa5"/>'
            f'<text x="{215 + w}" y="{y + 13}" font-size="11">{v:g}{unit}</text>'
        )
    return f'<svg role="img" width="{width}" height="{h}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
