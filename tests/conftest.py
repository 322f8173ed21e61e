"""Shared fixtures: small fictional pages written per test, and indexes built from them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REUTERS = SHARED / "corpus" / "reuters21578"
CRAWLED = datetime(2025, 6, 1, 12, 0)


def page(title: str, source: str, date: str, body: list[str], related=()) -> str:
    """An aggregator page in the founding format; ``related`` is (title, source, age, text)."""
    lines = [
        "logo",
        title,
        "",
        title,
        "",
        f"{source}{date}",
        *body,
        "Orange background",
        "",
        "Comments",
        "",
        "No comments yet...",
        "",
        "Related Articles",
        "",
    ]
    for r_title, r_source, age, text in related:
        lines += [
            r_title,
            r_title,
            "",
            r_source,
            "",
            f"time{age}",
            "",
            f"  • {r_source}",
            "",
            r_title,
            "",
            text,
            "",
        ]
    lines += ["DOWNLOAD THE APP", "", "Get Started Now: Download the App"]
    return "\n".join(lines)


FERRY = (
    "Ferry fares frozen for winter",
    "Harbour Herald",
    "2 hours ago",
    "The island ferry company froze its winter fares after a council vote.",
)
DAM = (
    "Valley dam inspection finds cracks",
    "Valley Courier",
    "an hour ago",
    "Engineers found hairline cracks in the Eskvale dam during a routine inspection.",
)


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    """Three fictional pages; the ferry teaser is on two of them and also has its own page."""
    root = tmp_path / "pages"
    root.mkdir()
    (root / "a.txt").write_text(
        page(
            "Mayor of Eskvale resigns over budget row",
            "Valley Courier",
            "14-03-2025",
            [
                "The mayor of Eskvale resigned on Friday after councillors rejected her budget.",
                "Her deputy will lead the council until an election in May.",
            ],
            [FERRY, DAM],
        )
    )
    (root / "b.txt").write_text(
        page(
            "Lighthouse keepers strike for better pay",
            "Harbour Herald",
            "02-04-2025",
            ["Keepers at four lighthouses walked out over pay, the union said."],
            [FERRY],
        )
    )
    (root / "c.txt").write_text(
        page(
            FERRY[0],
            FERRY[1],
            "31-05-2025",
            [
                "The island ferry company froze its winter fares after a council vote on Tuesday.",
                "Season tickets stay at last year's price.",
            ],
        )
    )
    return root


@pytest.fixture
def built_index(tmp_path: Path, pages_dir: Path) -> Path:
    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    index = tmp_path / "index"
    report = indexer.build(
        [pages_dir], index, taxonomy=Taxonomy.default(), crawled_at=CRAWLED, progress=False
    )
    assert report.published, report
    return index


LINKED = [
    {"id": "quay-1", "title": "Quay wall repaired", "source": "Harbour Gazette",
     "body": "The <b>quay</b> wall was repaired.", "published": "2025-05-23",
     "url": "https://www.harbourgazette.example/news/quay-wall?a=1&b=<2>"},
    {"id": "quay-2", "title": "Quay lights", "source": "Harbour Gazette",
     "body": "New quay lights.", "url": "javascript:alert(1)"},
    {"id": "quay-3", "title": "Quay ferry", "source": "Harbour Gazette", "body": "No link."},
]  # fmt: skip
"""Stories with an http URL (and markup in it), a ``javascript:`` URL, and none."""


@pytest.fixture
def linked_app(tmp_path: Path):
    """The app over an index of ``LINKED``."""
    import json

    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "quay.jsonl").write_text(
        "".join(json.dumps(story) + "\n" for story in LINKED), encoding="utf-8"
    )
    index = tmp_path / "index"
    report = indexer.build(
        [tmp_path / "pages"], index, taxonomy=Taxonomy.default(), crawled_at=CRAWLED,
        progress=False,
    )  # fmt: skip
    assert report.published, report
    app = make_app(index)
    yield app
    close_engine(app)


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Reuters-21578 built once per session (skips without ``../shared``); read-only."""
    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    if not REUTERS.is_dir():
        pytest.skip(f"shared corpus not found: {REUTERS} (expected ../shared beside the repo)")
    index = tmp_path_factory.mktemp("reuters") / "index"
    report = indexer.build([REUTERS], index, taxonomy=Taxonomy.default(), progress=False)
    assert report.published, report
    return index


# --- the web app, and a test client that holds every /api/ response to the OpenAPI document ---

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLES_CRAWLED = datetime(2025, 12, 20, 12, 0)


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``samples/`` (30 fictional pages) built once per session; treat it as read-only."""
    from search.indexing import indexer
    from search.ingest.topics import Taxonomy

    index = tmp_path_factory.mktemp("samples") / "index"
    report = indexer.build(
        [SAMPLES],
        index,
        taxonomy=Taxonomy.default(),
        crawled_at=SAMPLES_CRAWLED,
        workers=1,
        progress=False,
    )
    assert report.published, report
    return index


def api_response_errors(method: str, path: str, response) -> list[str]:
    """What is wrong with an ``/api/`` response against ``/api/openapi.json`` (empty: fine).

    Objects may carry no property the document does not list, so the document cannot fall
    behind the code.
    """
    import jsonschema

    validator = _openapi_validator()
    document = validator.schema["$defs"]["doc"]
    template = _template_of(document, path)
    operation = document["paths"][template].get(method.lower()) if template else None
    status = str(response.status_code)
    if response.mimetype != "application/json":
        # Files (CSV, JSON Lines) are fine where the document says that status sends them.
        declared = (operation or {}).get("responses", {}).get(status, {}).get("content", {})
        if response.mimetype in declared:
            return []
        return [f"{method} {path}: {response.status_code} is {response.mimetype}, not JSON"]
    if operation is not None and status in operation["responses"]:
        pointer = (
            f"#/$defs/doc/paths/{_escape(template)}/{method.lower()}"
            f"/responses/{status}/content/application~1json/schema"
        )
    elif response.status_code >= 400:
        pointer = "#/$defs/doc/components/schemas/Error"
    else:
        return [f"{method} {path}: {status} is not in the OpenAPI document"]
    checker = validator.evolve(schema={"$ref": pointer, "$defs": validator.schema["$defs"]})
    return [
        f"{method} {path} {status}: {e.json_path}: {e.message}"
        for e in checker.iter_errors(response.get_json())
        if isinstance(e, jsonschema.ValidationError)
    ]


def _template_of(document: dict, path: str) -> str | None:
    """The OpenAPI path (``/api/stories/{id}``) that ``path`` is an instance of."""
    for template in document["paths"]:
        prefix, brace, _ = template.partition("{")
        if path == template or (brace and path.startswith(prefix) and len(path) > len(prefix)):
            return template
    return None


def _escape(pointer_part: str) -> str:
    return pointer_part.replace("~", "~0").replace("/", "~1")


_VALIDATOR = None


def _openapi_validator():
    """A JSON Schema 2020-12 validator with the OpenAPI document under ``$defs/doc``, every
    object schema closed (``additionalProperties: false``) unless it says otherwise."""
    import copy

    from jsonschema import Draft202012Validator

    from web.openapi import document

    global _VALIDATOR
    if _VALIDATOR is None:
        doc = copy.deepcopy(document())
        doc = _rebase(doc)
        _close_objects(doc)
        _VALIDATOR = Draft202012Validator(
            {"$defs": {"doc": doc}}, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return _VALIDATOR


def _rebase(node):
    """``#/components/...`` -> ``#/$defs/doc/components/...`` (the document sits in $defs)."""
    if isinstance(node, dict):
        return {
            k: (v.replace("#/", "#/$defs/doc/", 1) if k == "$ref" else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def _close_objects(node) -> None:
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def _checking_client_class():
    from flask.testing import FlaskClient

    class OpenAPICheckingClient(FlaskClient):
        """Fails the test when an ``/api/`` response does not match the OpenAPI document."""

        def open(self, *args, **kwargs):
            response = super().open(*args, **kwargs)
            path = response.request.path
            if path == "/api" or path.startswith("/api/"):
                problems = api_response_errors(response.request.method, path, response)
                assert not problems, "\n".join(problems)
            return response

    return OpenAPICheckingClient


def make_app(index: Path):
    from web import create_app

    app = create_app({"TESTING": True, "INDEX_DIR": str(index)})
    app.test_client_class = _checking_client_class()
    return app


def close_engine(app) -> None:
    """Close the searcher the app opened (an open one left to the GC is a ResourceWarning)."""
    engine = app.extensions.get("newsdex_engine")
    if engine is not None:
        engine.close()


@pytest.fixture
def app(built_index: Path):
    """The app over the three-page ``built_index``."""
    app = make_app(built_index)
    yield app
    close_engine(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def samples_app(samples_index: Path):
    """The app over ``samples_index``, shared by the session; tests only read through it."""
    app = make_app(samples_index)
    yield app
    close_engine(app)
