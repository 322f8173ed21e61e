"""The JSON Lines reader: one story a line, bad lines reported and skipped."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from search.models import Caption
from search.readers import ReadResult, jsonl, read_file

DATA = Path(__file__).parent / "data" / "jsonl"
CRAWLED = datetime(2025, 5, 24, 12, 0)


def read(name: str) -> ReadResult:
    path = DATA / name
    return jsonl.read(path, path.read_text(encoding="utf-8"), CRAWLED)


def read_lines(tmp_path: Path, *lines: str) -> ReadResult:
    path = tmp_path / "feed.jsonl"
    text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return jsonl.read(path, text, CRAWLED)


@pytest.fixture(scope="module")
def stories() -> ReadResult:
    return read("stories.jsonl")


def test_every_good_line_is_one_page_with_its_story_as_article(stories: ReadResult) -> None:
    assert stories.problems == []
    assert len(stories.pages) == 3
    for page in stories.pages:
        assert page.path == str(DATA / "stories.jsonl")
        assert page.crawled_at == CRAWLED
        assert page.article is not None
        assert page.teasers == ()


def test_ids_round_trip_and_numbers_become_strings(stories: ReadResult) -> None:
    assert [page.article.id for page in stories.pages] == ["harbour-0001", "42", None]


def test_location_is_the_url_else_file_and_line(stories: ReadResult) -> None:
    locations = [page.location for page in stories.pages]
    assert locations == [
        "https://courier.example/harbour-0001",
        f"{DATA / 'stories.jsonl'}:2",
        f"{DATA / 'stories.jsonl'}:4",  # line 3 is blank, and blank lines still count
    ]


def test_all_fields_of_a_full_story(stories: ReadResult) -> None:
    story = stories.pages[0].article
    assert story.kind == "article"
    assert story.title == "Harbour board approves new ferry terminal"
    assert story.source == "Coastline Courier"
    assert story.body == (
        "The harbour board voted 7-2 on Thursday to build a ferry terminal at the north quay."
        "\n\nConstruction is due to start in the autumn."
    )
    assert story.captions == (
        Caption("The north quay at dawn."),
        Caption("Board chair Ines Farrow after the vote.", "COASTLINE COURIER"),
    )
    assert story.topics == ("transport", "local government")


def test_a_timezone_is_converted_to_naive_utc(stories: ReadResult) -> None:
    story = stories.pages[0].article
    assert story.published == datetime(2025, 5, 23, 7, 30)
    assert story.published.tzinfo is None
    assert story.precision == "time"


def test_a_date_alone_has_day_precision_and_text_stands_for_body(stories: ReadResult) -> None:
    story = stories.pages[1].article
    assert (story.published, story.precision) == (datetime(2025, 5, 22), "day")
    assert story.title == ""
    assert story.body.startswith("Orchard growers")
    assert story.source == "Valley Gazette"


def test_a_datetime_without_zone_is_taken_as_utc_and_unknown_fields_are_ignored(
    stories: ReadResult,
) -> None:
    story = stories.pages[2].article
    assert (story.published, story.precision) == (datetime(2025, 5, 21, 18, 0), "time")
    assert story.kind == "teaser"
    assert story.source == ""
    assert story.topics == ()


def test_missing_title_and_date_are_fine(tmp_path: Path) -> None:
    result = read_lines(tmp_path, '{"body": "Only a body."}')
    story = result.pages[0].article
    assert (story.title, story.published, story.precision) == ("", None, None)
    assert result.problems == []


def test_each_bad_line_is_reported_and_the_lines_around_it_still_read() -> None:
    result = read("mixed.jsonl")
    assert [page.article.id for page in result.pages] == ["m-1", "m-9"]
    where = DATA / "mixed.jsonl"
    assert result.problems == [
        f"{where}:2: not JSON: Expecting ',' delimiter at column 62",
        f"{where}:3: not a JSON object but a list",
        f"{where}:4: 'title' must be a string, not a number",
        f"{where}:5: 'published' is not an ISO 8601 date or datetime: '2 hours ago'",
        f"{where}:6: no text: a story needs a 'title' or a 'body'",
        f"{where}:7: 'kind' must be 'article' or 'teaser', not 'blog'",
        f"{where}:8: 'captions' must be a list, not a string",
    ]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": true, "title": "t"}', "'id' must be a string or a whole number, not true/false"),
        ('{"id": 1.5, "title": "t"}', "'id' must be a string or a whole number, not a number"),
        ('{"title": "t", "topics": ["a", 2]}', "'topics' must be a list of strings"),
        (
            '{"title": "t", "captions": [3]}',
            "caption 1 must be a string or an object, not a number",
        ),
        ('{"title": "t", "captions": [{"text": 3}]}', "caption 1: 'text' must be a string"),
        ('{"title": "t", "published": 20250523}', "'published' must be a string, not a number"),
        ('{"title": "t", "published": "2025-13-01"}', "'published' is not an ISO 8601 date"),
        ('{"title": "   ", "body": "\\n"}', "no text"),
        ('{"title": "t", "url": ["https://a.example"]}', "'url' must be a string, not a list"),
        ("[" * 100_000 + "]" * 100_000, "not JSON: nested too deeply"),
    ],
)
def test_wrong_types_and_values_are_reasons(tmp_path: Path, line: str, reason: str) -> None:
    result = read_lines(tmp_path, line)
    assert result.pages == []
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{tmp_path / 'feed.jsonl'}:1: {reason}")


def test_a_file_of_bad_lines_gives_no_pages_and_every_problem() -> None:
    result = read("all_bad.jsonl")
    where = DATA / "all_bad.jsonl"
    assert result.pages == []
    assert result.problems == [
        f"{where}:1: not JSON: Expecting value at column 1",
        f"{where}:3: not a JSON object but a number",
        f"{where}:4: no text: a story needs a 'title' or a 'body'",
    ]


def test_nulls_count_as_absent_and_empty_ids_as_none(tmp_path: Path) -> None:
    result = read_lines(
        tmp_path, '{"id": "", "title": "T", "source": null, "published": null, "topics": null}'
    )
    story = result.pages[0].article
    assert (story.id, story.source, story.published, story.topics) == (None, "", None, ())


def test_body_lines_become_paragraphs_and_body_wins_over_text(tmp_path: Path) -> None:
    result = read_lines(tmp_path, '{"body": " One.\\r\\n\\n\\n Two. ", "text": "ignored"}')
    assert result.pages[0].article.body == "One.\n\nTwo."


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("feed.txt", '\n{"title": "t"}\n', True),
        ("feed.jsonl", '{"title": "broken"\n{"title": "t"}\n', True),
        ("feed.txt", '{"title": "broken"\n{"title": "t"}\n', False),
        ("feed.json", '{\n  "title": "pretty-printed"\n}\n', False),
        ("feed.jsonl", "[1, 2]\n", False),
        ("page.txt", "logo\nHeadline\n", False),
        ("empty.jsonl", "\n\n", False),
    ],
)
def test_sniff(name: str, text: str, expected: bool) -> None:
    assert jsonl.sniff(Path(name), text) is expected


def test_the_dispatcher_reads_a_jsonl_file() -> None:
    result = read_file(DATA / "stories.jsonl", crawled_at=CRAWLED)
    assert [page.article.id for page in result.pages] == ["harbour-0001", "42", None]
    assert result.problems == []
