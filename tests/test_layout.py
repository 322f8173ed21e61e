"""The layout's rules, read from the source: what each package may import.

- Only the fence, ``search/indexing/whoosh_private/``, imports Whoosh's private modules
  (codecs, matchers, writers, columns, readers, utilities); everything else uses the public
  API that Whoosh documents, so a newcomer knows which code a Whoosh change can break.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = ROOT / "search" / "indexing" / "whoosh_private"
WHOOSH_PUBLIC = frozenset(
    {
        "whoosh",  # whoosh.__version__
        "whoosh.analysis",
        "whoosh.fields",
        "whoosh.index",
        "whoosh.qparser",
        "whoosh.query",
        "whoosh.scoring",
        "whoosh.searching",
        "whoosh.support.charset",
    }
)
"""The Whoosh modules code outside the fence may import."""
WHOOSH_PRIVATE = ("codec", "filedb", "util", "matching", "writing", "columns", "reading")


def modules(*packages: str) -> Iterator[Path]:
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    """``(line, module)`` of every import in a file, at any depth; ``from a import b`` gives
    ``a.b`` as well as ``a`` (``b`` may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def test_the_rule_sees_private_whoosh_imports() -> None:
    assert not _is_public_whoosh("whoosh.codec.whoosh3")
    assert not _is_public_whoosh("whoosh.columns")
    assert _is_public_whoosh("whoosh.query.Term")


def _is_public_whoosh(module: str) -> bool:
    """Whether importing ``module`` (or a name from it) stays within Whoosh's public API."""
    parts = module.split(".")
    if parts[0] != "whoosh":
        return True
    if len(parts) > 1 and parts[1] in WHOOSH_PRIVATE:
        return False
    # ``from whoosh.query import Term`` is public when its module is.
    return any(".".join(parts[:n]) in WHOOSH_PUBLIC for n in range(len(parts), 1, -1)) or (
        module == "whoosh"
    )


def test_only_the_fence_imports_whoosh_private_modules() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in modules("search", "web")
        if FENCE not in path.parents
        for line, module in imports(path)
        if not _is_public_whoosh(module)
    ]
    assert not found, "Whoosh internals outside search/indexing/whoosh_private/:\n" + "\n".join(
        found
    )


def test_the_fence_says_what_it_uses() -> None:
    """The fence's docstring names every private Whoosh module and member its code imports."""
    doc = ast.get_docstring(ast.parse((FENCE / "__init__.py").read_text(encoding="utf-8")))
    assert doc
    missing = []
    for path in modules("search/indexing/whoosh_private"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not _is_public_whoosh(node.module or ""):
                missing += [
                    f"{path.name}: {node.module}.{alias.name}"
                    for alias in node.names
                    if alias.name not in doc
                ]
    assert not missing, missing
