"""A third-party csewatch extension used by the contract tests: one detector and one action sink,
registered through the ``csewatch.extensions`` entry point only (no file of csewatch is edited)."""

from __future__ import annotations

from typing import Any

from csewatch.detect import Prepared, StreamState, make_signal
from csewatch.manifest import Context, DetectorSpec, Example, Manifest, SinkSpec
from csewatch.model import Action, Signal


class InviteWordDetector:
    """Flags the word "invite" next to an off-platform link (a shared input it does not compute)."""

    name = "demo_invite"
    version = "1"

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        view = p.plain("text")
        at = view.text.find("invite")
        if at < 0 or not p.links:
            return []
        seen = state.ns("demo_seen")
        seen.set(p.post.author_id, 1)
        ev = [(view, "text", at, at + len("invite"), "demo:invite")]
        return [make_signal(self, p, "demo_invite_link", 0.3, "invite word with an off-platform link", ev)]


class MemorySink:
    """Keeps delivered actions in memory, once per idempotency key."""

    name = "demo_memory"

    def __init__(self, box: list[Action]):
        self.box = box

    def deliver(self, action: Action) -> int:
        if all(a.key != action.key for a in self.box):
            self.box.append(action)
        return 1


def _build(ctx: Context) -> Any:
    return InviteWordDetector()


def register(m: Manifest) -> None:
    m.detector(DetectorSpec(
        "demo_invite", "1", frozenset({"demo_invite_link"}), _build, state=("demo_seen",),
        examples=(Example("invite t.me/menu_x1", "demo_invite_link"),),
        negatives=(Example("see the invite for the school fair", None),),
    ))
    m.sink(SinkSpec("demo_memory", lambda box, **_: MemorySink(box)))
