"""The extension manifest: the one way to extend csewatch.

Each kind of extension -- a detector, an ingest format, a media hash type, an action sink, a graph job --
is declared by a small spec: its name, what it emits or needs, and worked examples that the contract tests
(tests/contract/) check. A ``Manifest`` collects the specs. The built-ins register through
``csewatch.builtins`` exactly as a third party does; third-party packages register through the entry-point
group ``csewatch.extensions`` (an object that is a ``register(manifest)`` function, or has one), loaded
once by ``default_manifest()``.

What the rest of csewatch used to list by hand is derived from here: the indicators a policy may name
(``Manifest.indicators``), the StreamState namespaces (``Manifest.state_namespaces``), the ingest formats
and the CLI's format, sink and hash-type choices.

The manifest is the assembly layer: it sits above the pipeline layers and imports none of them at module
level (``csewatch.builtins`` does); the layers below receive what they need as arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # for annotations only: no import of the layers at run time
    from csewatch.detect import Prepared, StreamState
    from csewatch.model import Action, Signal
    from csewatch.normalize import Normalizer
    from csewatch.policy import Policy

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "csewatch.extensions"


# -- declared interfaces --------------------------------------------------------------------------
class Detector(Protocol):
    """A rule detector: one prepared post (and the stream state) in, signals out. It may read the
    shared inputs of ``Prepared`` (``p.hits``, ``p.links``, ``p.shared(key)``), never another detector's
    output: detectors run in any order."""

    name: str
    version: str

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]: ...


class ActionSink(Protocol):
    """Where enforcement actions go. ``deliver`` must be idempotent on ``action.key``: delivering the
    same key twice has the effect of once."""

    name: str

    def deliver(self, action: Action) -> int: ...


@dataclass(frozen=True)
class Example:
    """A worked example for a detector: a post text (and optional author bio) that must raise
    ``indicator`` (or, with ``indicator=None``, a hard negative that must raise none of the detector's
    own indicators)."""

    text: str
    indicator: str | None
    bio: str = ""


@dataclass
class Context:
    """What a detector factory may use: the policy pack, the normalizer and the shared matchers the
    engine built once (``lexicon``, ``links``), by name."""

    policy: Policy
    normalizer: Normalizer
    shared: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DetectorSpec:
    name: str
    version: str
    indicators: frozenset[str]  # every indicator the detector may emit
    build: Callable[[Context], Detector]
    state: tuple[str, ...] = ()  # StreamState namespaces it reads or writes
    examples: tuple[Example, ...] = ()
    negatives: tuple[Example, ...] = ()
    emits_terms: bool = False  # also emits the term categories of the pack's terms.yaml


@dataclass(frozen=True)
class FormatSpec:
    """An ingest format: ``looks_like(obj) -> bool`` never raises; ``parse(obj, where, limits) -> Record``
    raises only ``Reject``, holding text fields to the explicit ``Limits``; ``fixture`` is one line of the
    format it must recognise and parse."""

    name: str
    looks_like: Callable[[dict], bool]
    parse: Callable[..., Any]
    fixture: bytes


@dataclass(frozen=True)
class HashTypeSpec:
    """A media hash type (csewatch.media.hashtypes): the registered object and an example input that must
    match itself at distance 0."""

    name: str
    hash_type: Any
    example: Any = None


@dataclass(frozen=True)
class SinkSpec:
    name: str
    build: Callable[..., ActionSink]  # keyword options (path, url, secret...) -> sink


@dataclass(frozen=True)
class GraphJobSpec:
    """A batch job over the store: ``run(store, policy)`` returns findings, signals or cases."""

    name: str
    run: Callable[[Any, Any], Any]
    description: str = ""


# -- the manifest ---------------------------------------------------------------------------------
class Manifest:
    """The registrations of one process: built-ins first, then each extension in entry-point order."""

    def __init__(self) -> None:
        self.detectors: dict[str, DetectorSpec] = {}
        self.formats: dict[str, FormatSpec] = {}
        self.hash_types: dict[str, HashTypeSpec] = {}
        self.sinks: dict[str, SinkSpec] = {}
        self.graph_jobs: dict[str, GraphJobSpec] = {}
        self.extra_indicators: set[str] = set()  # emitted outside the detectors (model, evasion watch)
        self.extra_state: set[str] = set()
        self.loaded: list[str] = []  # the extensions registered, by entry-point name

    @staticmethod
    def _add(table: dict, name: str, spec: Any, kind: str) -> None:
        if not name or name in table:
            raise ValueError(f"{kind} {name!r} is already registered (or has no name)")
        table[name] = spec

    def detector(self, spec: DetectorSpec) -> DetectorSpec:
        self._add(self.detectors, spec.name, spec, "detector")
        return spec

    def format(self, spec: FormatSpec) -> FormatSpec:
        self._add(self.formats, spec.name, spec, "format")
        return spec

    def hash_type(self, spec: HashTypeSpec) -> HashTypeSpec:
        self._add(self.hash_types, spec.name, spec, "hash type")
        return spec

    def sink(self, spec: SinkSpec) -> SinkSpec:
        self._add(self.sinks, spec.name, spec, "sink")
        return spec

    def graph_job(self, spec: GraphJobSpec) -> GraphJobSpec:
        self._add(self.graph_jobs, spec.name, spec, "graph job")
        return spec

    def indicator(self, *names: str) -> None:
        """Indicators emitted by a stage that is not a registered detector (the learned model, the watch)."""
        self.extra_indicators.update(names)

    def state_namespace(self, *names: str) -> None:
        self.extra_state.update(names)

    # -- derived ----------------------------------------------------------------------------------
    def indicators(self) -> frozenset[str]:
        out = set(self.extra_indicators)
        for d in self.detectors.values():
            out |= d.indicators
        return frozenset(out)

    def state_namespaces(self) -> tuple[str, ...]:
        names = set(self.extra_state)
        for d in self.detectors.values():
            names.update(d.state)
        return tuple(sorted(names))

    def build_detectors(self, ctx: Context) -> list[Detector]:
        return [spec.build(ctx) for spec in self.detectors.values()]

    def register_all(self, registrars: Iterable[tuple[str, Any]]) -> None:
        for name, obj in registrars:
            register = getattr(obj, "register", obj)
            if not callable(register):
                raise TypeError(f"extension {name!r} is neither a register(manifest) function nor has one")
            register(self)
            self.loaded.append(name)


def entry_point_extensions(group: str = ENTRY_POINT_GROUP) -> list[tuple[str, Any]]:
    """(name, loaded object) of each installed extension, sorted by name for a stable order."""
    eps = sorted(metadata.entry_points(group=group), key=lambda ep: ep.name)
    return [(ep.name, ep.load()) for ep in eps]


def build_manifest(extensions: bool = True) -> Manifest:
    """A fresh manifest: the built-ins, then (with ``extensions``) every installed extension."""
    from csewatch import builtins  # the assembly layer: imported here, not at module level

    m = Manifest()
    m.register_all([("csewatch.builtins", builtins)])
    if extensions:
        m.register_all(entry_point_extensions())
    return m


class _Once:
    """Holds the process's manifest, built on first use (not a configuration global: nothing sets it
    but ``default_manifest``; tests build their own with ``build_manifest``)."""

    manifest: Manifest | None = None


def default_manifest() -> Manifest:
    """The process's manifest: built-ins and installed extensions, loaded once."""
    if _Once.manifest is None:
        _Once.manifest = build_manifest()
    return _Once.manifest
