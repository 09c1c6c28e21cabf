"""The Python code blocks of docs/EXTENDING.md run, in order, in one namespace: the worked examples of
each kind of extension stay true."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "EXTENDING.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_extending_doc_code_blocks_run() -> None:
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6
    namespace: dict = {"__name__": "extending_doc"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"{DOC.name}[block {i}]", "exec"), namespace)  # noqa: S102 - the repo's own docs
    assert {"menu_word"} <= set(namespace["manifest"].detectors)
