"""The dashboard: detections per day and detector, precision per rule from reviewers' decisions, time to
a first decision, the open queue's age and the commonest hashtags (figures from the store's console area)."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from csewatch.ingest.common import format_time
from csewatch.web.deps import Console, Session, console, current
from csewatch.web.render import bar_svg

router = APIRouter()


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, sess: Session = Depends(current), c: Console = Depends(console)) -> Response:
    return c.templates.TemplateResponse(request, "dashboard.html", {"user": sess, **_dashboard(c)})


def _dashboard(c: Console) -> dict[str, Any]:
    figures = c.store.console.dashboard_figures()
    per_day: dict[str, int] = defaultdict(int)
    for (detector, day), n in figures["detections"].items():
        label = format_time(day * 86400, "%m-%d", "??-??") if day is not None else "??-??"
        per_day[f"{label} {detector}"] += n
    now = time.time()
    open_ages = [now - t for t in figures["open_first_seen"]]
    latency = figures["latencies"]
    q50 = statistics.median(latency) / 3600 if latency else None
    q90 = statistics.quantiles(latency, n=10)[8] / 3600 if len(latency) >= 2 else q50
    precision = c.review.precision()
    return {
        "detections": bar_svg(sorted(per_day.items())[-30:]),
        "precision": bar_svg([(f"{r.rule} ({r.mode})", round(r.precision, 3)) for r in precision]),
        "precision_rows": precision,
        "latency": (q50, q90),
        "queue_age": bar_svg(
            [
                ("< 1 h", sum(a < 3600 for a in open_ages)),
                ("1-24 h", sum(3600 <= a < 86400 for a in open_ages)),
                ("> 1 day", sum(a >= 86400 for a in open_ages)),
            ]
        ),
        "hashtags": bar_svg(sorted(figures["hashtags"].items(), key=lambda kv: -kv[1])[:15]),
    }
