"""The Reuters-21578 reader: SGML elements to pages, wire noise out (search.readers.reuters)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from search.errors import SkippedFile
from search.models import RawStory
from search.readers import ReadResult, read_file, reuters

MINI = Path(__file__).parent / "data" / "reuters" / "mini.sgm"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "reuters21578"
CRAWLED = datetime(2025, 5, 24, 12, 0)


@pytest.fixture(scope="module")
def mini() -> ReadResult:
    return reuters.read(MINI, MINI.read_bytes(), CRAWLED)


@pytest.fixture(scope="module")
def mini_stories(mini: ReadResult) -> dict[str, RawStory]:
    return {page.article.id: page.article for page in mini.pages}


def test_each_element_with_text_is_one_page(mini: ReadResult) -> None:
    assert [page.location for page in mini.pages] == [
        f"{MINI}#{newid}" for newid in (101, 102, 103, 105, 106)
    ]
    for page in mini.pages:
        assert page.path == str(MINI)
        assert page.crawled_at == CRAWLED
        assert page.teasers == ()
        assert page.article.kind == "article"
        assert page.article.source == "Reuters"


def test_an_element_without_text_is_reported_with_its_line(mini: ReadResult) -> None:
    assert mini.problems == [f"{MINI}:56: no title and no body text"]


def test_a_normal_story(mini_stories: dict[str, RawStory]) -> None:
    story = mini_stories["reuters-101"]
    assert story.title == "LAKEVIEW COCOA <LKV> SEES HIGHER CROP"
    assert (story.published, story.precision) == (datetime(1987, 3, 2, 9, 30, 15, 250000), "time")
    assert story.topics == ("cocoa", "trade")
    # The dateline stays out; wrapped lines join; the latin-1 é survives; the sign-off goes.
    assert story.body == (
        "Lakeview Cocoa Cooperative <LKV> said its mid-crop will be larger than last year, "
        "helped by late rains over the southern plantations.\n\n"
        "The cooperative's chairman, André Mbeki, said exports through Port Elize would start "
        "in April."
    )


def test_a_brief_story_is_its_title_with_the_filler_dropped(
    mini_stories: dict[str, RawStory],
) -> None:
    story = mini_stories["reuters-102"]
    assert story.title == "NORTHWIND MONEY FUNDS ROSE 12.5 MLN DLRS IN WEEK"
    assert story.body == ""
    # Wire codes after the time are passed over.
    assert (story.published, story.precision) == (datetime(1987, 3, 2, 10, 1, 2, 500000), "time")


def test_an_unprocessed_story_takes_its_first_line_as_title(
    mini_stories: dict[str, RawStory],
) -> None:
    story = mini_stories["reuters-103"]
    assert story.title == "GRANVILLE HARBOUR WEEKLY REPORT - MAR 31"
    assert story.body == (
        "Week ended Mar 27          tonnes\n\n"
        "Arrivals...............1,250 vs.....1,100\n\n"
        "Departures.............1,310 vs.......980"
    )
    assert story.topics == ()


def test_an_impossible_time_keeps_the_day(mini_stories: dict[str, RawStory]) -> None:
    story = mini_stories["reuters-103"]
    assert (story.published, story.precision) == (datetime(1987, 3, 31), "day")


def test_a_guessed_date_keeps_the_day_and_a_double_sign_off_goes(
    mini_stories: dict[str, RawStory],
) -> None:
    story = mini_stories["reuters-105"]
    assert (story.published, story.precision) == (datetime(1987, 4, 9), "day")
    assert story.title == "BRIGHTWATER MILLS & SONS NAMES NEW CHIEF"
    assert story.body.endswith("The miller gave no other details.")


def test_a_story_without_body_or_date(mini_stories: dict[str, RawStory]) -> None:
    story = mini_stories["reuters-106"]
    assert (story.title, story.body) == ("HALDEN PORT REOPENS AFTER STORM", "")
    assert (story.published, story.precision) == (None, None)


def test_no_wire_noise_is_left(mini: ReadResult) -> None:
    for page in mini.pages:
        text = page.article.title + page.article.body
        assert "&#" not in text and "&lt;" not in text and "\x03" not in text
        assert not page.article.body.rstrip(".").lower().endswith("reuter")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26-FEB-1987 15:01:01.79", (datetime(1987, 2, 26, 15, 1, 1, 790000), "time")),
        ("  3-MAR-1987 00:43:42.82", (datetime(1987, 3, 3, 0, 43, 42, 820000), "time")),
        ("3-MAR-1987  09:15:05.40", (datetime(1987, 3, 3, 9, 15, 5, 400000), "time")),
        (" 7-APR-1987 16:22:00.0", (datetime(1987, 4, 7, 16, 22), "time")),
        (
            "27-MAR-1987 14:02:56.54\x05\x05\x05V RM",
            (datetime(1987, 3, 27, 14, 2, 56, 540000), "time"),
        ),
        ("31-MAR-1987 605:12:19.12", (datetime(1987, 3, 31), "day")),
        ("31-MAR-1987", (datetime(1987, 3, 31), "day")),
        ("31-FEB-1987 10:00:00.00", (None, None)),
        ("31-XYZ-1987 10:00:00.00", (None, None)),
        ("", (None, None)),
    ],
)
def test_parse_date(text: str, expected: tuple[datetime | None, str | None]) -> None:
    assert reuters.parse_date(text) == expected


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("reut2-000.sgm", b"", True),
        ("copy.txt", b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n<REUTERS NEWID="1">', True),
        ("copy.txt", b'\n<REUTERS TOPICS="YES" NEWID="1">', True),
        ("feed.jsonl", b'{"body": "<REUTERS NEWID=1>"}\n', False),
        ("page.txt", b"logo\nHeadline\n", False),
    ],
)
def test_sniff(name: str, head: bytes, expected: bool) -> None:
    assert reuters.sniff(Path(name), head) is expected


def test_an_element_left_open_ends_where_the_next_begins(tmp_path: Path) -> None:
    data = (
        b'<REUTERS NEWID="1">\n<TEXT><TITLE>FIRST</TITLE>\n'
        b'<REUTERS NEWID="2">\n<TEXT><TITLE>SECOND</TITLE></TEXT>\n</REUTERS>\n'
        b"<REUTERS>\n<TEXT><TITLE>NO ID</TITLE></TEXT>\n</REUTERS>\n"
    )
    result = reuters.read(tmp_path / "cut.sgm", data, CRAWLED)
    assert [page.article.title for page in result.pages] == ["FIRST", "SECOND"]
    assert result.problems == [f"{tmp_path / 'cut.sgm'}:6: no NEWID attribute"]


def test_an_sgm_file_without_elements_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "manual.sgm"
    path.write_bytes(b"<!DOCTYPE book>\n<chapter>Not newswire.</chapter>\n")
    with pytest.raises(SkippedFile) as skipped:
        read_file(path, crawled_at=CRAWLED)
    assert skipped.value.reason == "unrecognised format"


def test_the_dispatcher_reads_a_reuters_file() -> None:
    result = read_file(MINI, crawled_at=CRAWLED)
    assert len(result.pages) == 5
    assert len(result.problems) == 1


needs_corpus = pytest.mark.skipif(
    not (CORPUS / "reut2-000.sgm").is_file(),
    reason=f"the Reuters-21578 corpus is not at {CORPUS}",
)


@pytest.fixture(scope="module")
def first_file() -> tuple[bytes, ReadResult]:
    path = CORPUS / "reut2-000.sgm"
    data = path.read_bytes()
    return data, reuters.read(path, data, CRAWLED)


@needs_corpus
@pytest.mark.corpus
def test_every_element_of_a_real_file_is_a_story_or_a_problem(
    first_file: tuple[bytes, ReadResult],
) -> None:
    data, result = first_file
    assert data.count(b"<REUTERS ") == 1000
    assert len(result.pages) + len(result.problems) == 1000
    assert len({page.article.id for page in result.pages}) == len(result.pages)


@needs_corpus
@pytest.mark.corpus
def test_the_first_real_story(first_file: tuple[bytes, ReadResult]) -> None:
    _, result = first_file
    story = result.pages[0].article
    assert story.id == "reuters-1"
    assert story.title == "BAHIA COCOA REVIEW"
    assert (story.published, story.precision) == (datetime(1987, 2, 26, 15, 1, 1, 790000), "time")
    assert story.topics == ("cocoa",)
    assert story.body.startswith("Showers continued throughout the week in the Bahia cocoa zone")
    assert "SALVADOR" not in story.body


@needs_corpus
@pytest.mark.corpus
def test_no_real_body_holds_references_controls_or_the_sign_off(
    first_file: tuple[bytes, ReadResult],
) -> None:
    _, result = first_file
    for page in result.pages:
        body = page.article.body
        assert "&#" not in body, page.location
        assert "\x03" not in body, page.location
        assert not body.endswith(("Reuter", "REUTER", "reuter")), page.location
