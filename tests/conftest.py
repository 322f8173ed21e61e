"""Shared fixtures: small fictional pages written per test, and indexes built from them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
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
    from search import indexer
    from search.topics import Taxonomy

    index = tmp_path / "index"
    report = indexer.build(
        [pages_dir], index, taxonomy=Taxonomy.default(), crawled_at=CRAWLED, progress=False
    )
    assert report.published, report
    return index
