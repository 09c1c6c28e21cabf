"""The synthetic authors' packages: small modules, no code shared between authors, vocabulary shipped as
package data, and no method of an author's class defined twice across its mixins (an override in the MRO
would silently change which code draws the random numbers)."""

from __future__ import annotations

import ast
import fnmatch
import importlib
import importlib.resources
import tomllib
from pathlib import Path

import pytest
import yaml

import csewatch.synth.authors as authors_pkg

AUTHORS_DIR = Path(authors_pkg.__file__).parent
REPO = AUTHORS_DIR.parents[3]
AUTHORS = sorted(p.name for p in AUTHORS_DIR.iterdir() if (p / "__init__.py").is_file())
SPLIT = {"alder": "Author", "birch": "Birch", "cedar": "Author", "elm": "Author"}  # author -> its class


def _modules(author: str) -> list[Path]:
    return sorted((AUTHORS_DIR / author).glob("*.py"))


def test_all_authors_found() -> None:
    assert set(SPLIT) <= set(AUTHORS)


@pytest.mark.parametrize("author", AUTHORS)
def test_no_module_over_800_lines(author: str) -> None:
    for path in _modules(author):
        n = len(path.read_text(encoding="utf-8").splitlines())
        assert n <= 800, f"{author}/{path.name}: {n} lines"


@pytest.mark.parametrize("author", sorted(SPLIT))
def test_split_authors_have_modules_of_at_most_600_lines(author: str) -> None:
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in _modules(author)}
    assert len(sizes) >= 6  # one concept per module, not one generator
    assert max(sizes.values()) <= 600, sizes


@pytest.mark.parametrize("author", AUTHORS)
def test_authors_share_no_code(author: str) -> None:
    """An author imports from csewatch only its own package (they were written independently on purpose)."""
    own = f"csewatch.synth.authors.{author}"
    for path in _modules(author):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name == "csewatch" or name.startswith("csewatch."):
                    assert name == own or name.startswith(own + "."), f"{author}/{path.name} imports {name}"


@pytest.mark.parametrize("author", AUTHORS)
def test_vocabulary_is_package_data(author: str) -> None:
    globs = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["csewatch"]
    files = sorted(importlib.resources.files(f"csewatch.synth.authors.{author}").joinpath("vocab").iterdir(),
                   key=lambda f: f.name)
    yamls = [f for f in files if f.name.endswith(".yaml")]
    assert yamls
    for f in yamls:
        rel = f"synth/authors/{author}/vocab/{f.name}"
        assert any(fnmatch.fnmatch(rel, g) for g in globs), f"{rel} is not in package-data"
        assert isinstance(yaml.safe_load(f.read_text(encoding="utf-8")), dict)


@pytest.mark.parametrize("author", sorted(SPLIT))
def test_no_method_defined_twice_across_mixins(author: str) -> None:
    cls = getattr(importlib.import_module(f"csewatch.synth.authors.{author}.generator"), SPLIT[author])
    seen: dict[str, str] = {}
    for klass in cls.__mro__[:-1]:  # all but object
        for name in vars(klass):
            if name.startswith("__") and name.endswith("__"):
                continue
            assert name not in seen, f"{name} defined in {seen.get(name)} and {klass.__name__}"
            seen[name] = klass.__name__
    assert len(cls.__mro__) > 3  # the class is made of its mixins
