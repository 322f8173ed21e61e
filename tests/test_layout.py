"""The layout's rules, read from the source: what each package may import.

- ``search`` (the library) never imports ``web`` nor a web framework: the front ends import
  the library, never the reverse. The one exception is ``newsdex serve``, which starts the web
  app and imports ``web`` inside the command's body.
- Only the fence, ``search/indexing/whoosh_private/``, imports Whoosh's private modules
  (codecs, matchers, writers, columns, readers, utilities); everything else uses the public
  API that Whoosh documents, so a newcomer knows which code a Whoosh change can break.
- Inside ``search`` the packages import along the data's way only: readers -> ingest ->
  indexing -> searching -> interface, never back (ingest may use ``indexing.analysis``).
- No module of ``search`` or ``web`` grows past ``MAX_MODULE_LINES`` and no class past
  ``MAX_CLASS_LINES``: one that does has become two things, and wants splitting.
- Every package says, in its docstring, what it owns and what it may import.
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
WEB = ("web", "flask", "werkzeug", "jinja2", "markupsafe", "htmx_flask")
"""What ``search`` never imports."""
WEB_ALLOWED = {("search/cli.py", "serve", "web")}
"""(module, function, import): ``newsdex serve`` starts the web app."""
WHOOSH_PRIVATE = ("codec", "filedb", "util", "matching", "writing", "columns", "reading")


MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 150


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


def test_search_never_imports_the_web() -> None:
    found = []
    for path in modules("search"):
        name = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function, node in _imports_with_function(tree):
            targets = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            for target in targets:
                top = (target or "").split(".")[0]
                if top in WEB and (name, function, top) not in WEB_ALLOWED:
                    found.append(f"{name}:{node.lineno}: {target}")
    assert not found, "search imports the web layer:\n" + "\n".join(found)


def _imports_with_function(tree: ast.AST) -> Iterator[tuple[str | None, ast.AST]]:
    """Every import with the name of the function it sits in (``None``: module level)."""

    def visit(node: ast.AST, function: str | None) -> Iterator[tuple[str | None, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield function, child
            inner = child.name if isinstance(child, ast.FunctionDef) else function
            yield from visit(child, inner)

    yield from visit(tree, None)


def test_only_the_highlight_filter_makes_markup() -> None:
    """Story text is never marked safe: ``Markup`` is made in one filter, from text that
    ``search.interface.marks`` escaped, and no template says ``|safe``."""
    makers = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in modules("web")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Markup"
    ]
    assert makers == ["web/templating.py:" + str(_line_of("web/templating.py", "Markup(to_html("))]
    templates = sorted((ROOT / "web" / "templates").rglob("*.html"))
    assert templates
    assert not [t.name for t in templates if "|safe" in t.read_text(encoding="utf-8")]


def _line_of(path: str, text: str) -> int:
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if text in line)


def test_modules_and_classes_stay_small() -> None:
    too_big = []
    for path in modules("search", "web"):
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if len(text.splitlines()) > MAX_MODULE_LINES:
            too_big.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_CLASS_LINES:
                    too_big.append(f"{name}: class {node.name} has {lines} lines")
    assert not too_big, "\n".join(too_big)


def test_every_package_says_what_it_owns_and_may_import() -> None:
    packages = [p.parent for p in modules("search", "web") if p.name == "__init__.py"]
    assert len(packages) >= 7
    missing = [
        str(package.relative_to(ROOT))
        for package in packages
        if "import"
        not in (ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or "")
    ]
    assert not missing, missing


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""


PIPELINE = ("readers", "ingest", "indexing", "searching", "interface")
"""The packages of ``search`` in the data's order."""
BACKWARDS_ALLOWED = {"ingest": ("search.indexing.analysis",)}


def test_the_packages_import_along_the_pipeline_only() -> None:
    found = []
    for n, package in enumerate(PIPELINE):
        later = tuple(f"search.{p}" for p in PIPELINE[n + 1 :])
        for path in modules(f"search/{package}"):
            for line, module in imports(path):
                allowed = BACKWARDS_ALLOWED.get(package, ())
                if later and module.startswith(later) and not module.startswith(allowed):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {module}")
    assert not found, "\n".join(found)
