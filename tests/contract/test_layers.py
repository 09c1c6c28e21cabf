"""One-way imports: walks every module of src/csewatch (module-level and function-level imports alike)
and fails when one imports a module of a higher layer than its own. The layers are those of
docs/ARCHITECTURE.md; ``DEBT`` lists the upward imports known today, each with its reason, and fails too
when one of them is gone (so the list only shrinks)."""

from __future__ import annotations

import ast
from pathlib import Path

import csewatch

SRC = Path(csewatch.__file__).parent

# module prefix -> layer; the longest matching prefix wins. Lower layers never import higher ones.
LAYERS: dict[str, int] = {
    "csewatch": 0,
    "csewatch.model": 0,
    "csewatch.policy": 0,
    "csewatch.ingest": 1,
    "csewatch.normalize": 2,
    # pure hashing and the linear model: leaves the detectors may use
    "csewatch.media": 2,
    "csewatch.learn.linear": 2,
    "csewatch.detect": 3,
    "csewatch.triage": 4,
    "csewatch.store": 5,
    "csewatch.media.bank": 5,  # banks live in the store
    "csewatch.media.matcher": 5,
    "csewatch.review": 6,
    "csewatch.actions": 6,
    "csewatch.graph": 6,
    "csewatch.pipeline": 7,
    "csewatch.eval": 7,
    "csewatch.learn": 7,
    "csewatch.synth": 7,  # the synthetic stream generator (training reads its author models)
    # the assembly: the manifest and the built-ins it registers, beside the pipeline that uses them
    "csewatch.manifest": 7,
    "csewatch.builtins": 7,
    "csewatch.commands": 9,
    "csewatch.cli": 9,
    "csewatch.web": 9,
}

# registry lookups at call time: a lower layer may ask the manifest what is registered (never at import)
ALLOWED = {("csewatch.policy", "csewatch.manifest")}

# upward imports known today, to be removed (see docs/ARCHITECTURE.md, "Debt")
DEBT: set[tuple[str, str]] = set()  # none today (an empty literal {} would be a dict)

# module globals rebound at run time that are caches, not configuration
CACHES = {("csewatch.web.auth", "_dummy_hash")}


def layer(module: str) -> int:
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        key = ".".join(parts[:n])
        if key in LAYERS:
            return LAYERS[key]
    raise KeyError(module)


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            out.add(base)
            out.update(f"{base}.{a.name}" for a in node.names)  # from pkg import submodule
    return {m for m in out if m == "csewatch" or m.startswith("csewatch.")}


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (SRC / rel).with_suffix(".py").is_file() or (SRC / rel / "__init__.py").is_file()


def upward_imports() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        mod = module_name(path)
        for target in imports(path, mod):
            if not _is_module(target) or target == "csewatch":
                continue
            if layer(target) > layer(mod):
                found.add((mod, target))
    return found


def _allowed(pair: tuple[str, str]) -> bool:
    return any(pair[0].startswith(a) and pair[1] == b for a, b in ALLOWED)


def test_every_module_has_a_layer() -> None:
    for path in SRC.rglob("*.py"):
        layer(module_name(path))


def test_no_module_imports_a_layer_above_it() -> None:
    found = {p for p in upward_imports() if not _allowed(p)}
    assert found - DEBT == set(), "new upward imports (see docs/ARCHITECTURE.md)"
    assert DEBT - found == set(), "debt paid: remove it from DEBT"


def test_the_walk_finds_an_upward_import(tmp_path: Path) -> None:
    # the checker itself: an ingest module importing the pipeline is caught
    f = tmp_path / "bad.py"
    f.write_text("def f():\n    from csewatch.pipeline import Scanner\n")
    targets = imports(f, "csewatch.ingest.bad")
    assert "csewatch.pipeline" in targets and layer("csewatch.pipeline") > layer("csewatch.ingest.bad")


def test_no_mutable_module_globals_for_configuration() -> None:
    """No module rebinds a module global at run time (``global X`` in a function), but known caches."""
    offenders = []
    for path in SRC.rglob("*.py"):
        mod = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Global):
                offenders += [f"{mod}: global {n}" for n in node.names if (mod, n) not in CACHES]
    assert offenders == []
