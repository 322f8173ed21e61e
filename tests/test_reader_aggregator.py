"""The aggregator-page reader: the founding page from the shared corpus, and small made-up pages.

The made-up pages in ``tests/data/aggregator/`` use invented outlets, people and events; each
covers one or more rules of the page format (see ``search/readers/aggregator.py``).
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from search.models import Caption, Page, RawStory
from search.readers import aggregator
from search.readers.captions import is_credit_line, split_inline_captions

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FOUNDING = CORPUS / "daily8" / "000_5acd118906de60e3.txt"
DATA = Path(__file__).resolve().parent / "data" / "aggregator"
CRAWLED = datetime(2025, 8, 11, 9, 30)

FURNITURE_STRINGS = (
    "logo",
    "Orange background",
    "Try Our AI Features",
    "can do for you",
    "No comments yet",
    "DOWNLOAD THE APP",
    "Get Started Now",
    "Ready to dive",
    "app-store",
    "play-store",
)


def read_page(path: Path, crawled_at: datetime = CRAWLED) -> tuple[Page, list[str]]:
    result = aggregator.read(path, path.read_text(encoding="utf-8"), crawled_at)
    assert len(result.pages) == 1
    return result.pages[0], result.problems


def stories(page: Page) -> list[RawStory]:
    return ([page.article] if page.article else []) + list(page.teasers)


def all_text(story: RawStory) -> str:
    captions = " ".join(f"{c.text} {c.credit}" for c in story.captions)
    return f"{story.title}\n{story.source}\n{story.body}\n{captions}"


# --- the founding page --------------------------------------------------------------------


@pytest.fixture(scope="module")
def founding() -> tuple[Page, list[str]]:
    if not FOUNDING.is_file():
        pytest.skip(f"shared corpus not found: {FOUNDING} (expected ../shared beside the repo)")
    return read_page(FOUNDING)


@pytest.mark.corpus
def test_founding_page_is_sniffed() -> None:
    if not FOUNDING.is_file():
        pytest.skip(f"shared corpus not found: {FOUNDING}")
    assert aggregator.sniff(FOUNDING, FOUNDING.read_text(encoding="utf-8"))


@pytest.mark.corpus
def test_founding_article(founding: tuple[Page, list[str]]) -> None:
    page, problems = founding
    article = page.article
    assert article is not None
    assert article.kind == "article"
    assert article.title == (
        "As Taiwan looks to boost \u2018unofficial ties,' Paraguay's leader offers facilitator role"
    )
    assert article.source == "Japan Times"
    assert article.published == datetime(2025, 5, 23)
    assert article.precision == "day"
    assert article.id is None
    assert article.body.startswith("The president of Paraguay, the only South American country")
    assert article.body.endswith("of Japanese migration to Paraguay.")
    assert "\n\n" in article.body
    assert page.path == page.location == str(FOUNDING)
    assert page.crawled_at == CRAWLED
    assert problems == []


@pytest.mark.corpus
def test_founding_captions_leave_the_body(founding: tuple[Page, list[str]]) -> None:
    article = founding[0].article
    assert article is not None
    assert [c.credit for c in article.captions] == [
        "GABRIEL DOMINGUEZ",
        "GABRIEL DOMINGUEZ",
        "REUTERS",
    ]
    assert article.captions[0].text.startswith("Keiji Furuya (left), head of a parliamentary")
    assert article.captions[2].text.startswith("Taiwanese President Lai Ching-te delivers")
    for caption in article.captions:
        assert not caption.text.endswith("|")
        assert caption.text not in article.body
        assert caption.credit not in article.body


@pytest.mark.corpus
def test_founding_has_no_furniture(founding: tuple[Page, list[str]]) -> None:
    for story in stories(founding[0]):
        text = all_text(story)
        for furniture in FURNITURE_STRINGS:
            assert furniture not in text, (story.title, furniture)
        assert "\nComments" not in text


@pytest.mark.corpus
def test_founding_teasers(founding: tuple[Page, list[str]]) -> None:
    teasers = founding[0].teasers
    assert [(t.title, t.source) for t in teasers] == [
        ("US sources: Tariff on Japanese autos may be lowered in mid-September", "NHK"),
        ("Komeito struggling after crushing Upper House election defeat", "Japan Times"),
        (
            "Zelenskyy wins EU and NATO backing as he seeks place at Trump-Putin talks",
            "Japan Times",
        ),
    ]
    assert [t.published for t in teasers] == [
        CRAWLED - timedelta(hours=1),
        CRAWLED - timedelta(hours=2),
        CRAWLED - timedelta(hours=8),
    ]
    assert {t.kind for t in teasers} == {"teaser"}
    assert {t.precision for t in teasers} == {"approximate"}
    assert teasers[0].body.startswith("Sources at the US Treasury Department have told NHK")
    assert teasers[1].body.endswith("to review the results of the Upper House election.")


@pytest.mark.corpus
def test_founding_inline_captions(founding: tuple[Page, list[str]]) -> None:
    zelenskyy = founding[0].teasers[2]
    assert zelenskyy.captions == (
        Caption(
            "French President Emmanuel Macron and Zelenskyy in The Hague, Netherlands, on June 24",
            "POOL / VIA REUTERS",
        ),
        Caption(
            "U.S. President Donald Trump and Zelenskyy attend a meeting on the sidelines of a NATO"
            " summit in The Hague, Netherlands, on June 25.",
            "UKRAINIAN PRESIDENTIAL PRESS SERVICE / VIA REUTERS",
        ),
    )
    body = zelenskyy.body
    assert "POOL / VIA REUTERS" not in body
    assert "UKRAINIAN PRESIDENTIAL PRESS SERVICE" not in body
    assert "Macron and Zelenskyy in The Hague" not in body
    assert "Europe's security.\" EU foreign ministers will meet on Monday" in body
    assert 'even more so," he said. In addition to Crimea' in body
    assert body.endswith("Sunday Morning Futures with Maria Bartiromo.")


# --- made-up pages ------------------------------------------------------------------------


def test_full_page_article_and_captions() -> None:
    page, problems = read_page(DATA / "harbour_ledger.txt")
    article = page.article
    assert article is not None
    assert article.title == "Lighthouse keepers of Varnholm vote to run the lamp on tidal power"
    assert article.source == "Harbour Ledger"
    assert article.published == datetime(2024, 3, 14)
    assert article.captions == (
        Caption(
            "Ottilie Brask, chair of the Varnholm keepers' guild, stands beside the lamp room on "
            "Tuesday.",
            "MARTA KOVAC",
        ),
        Caption("An early sketch of the turbine drawn by apprentice Jonas Ilvesk.", ""),
        Caption("The lamp room seen from the harbour at dusk.", "PELICAN PICTURE DESK / FILE"),
    )
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 5
    # the line after a caption with no credit is an ordinary paragraph
    assert paragraphs[3].startswith("The guild will pay for the turbine")
    assert problems == []


def test_furniture_is_dropped_wherever_it_appears() -> None:
    page, _ = read_page(DATA / "harbour_ledger.txt")
    for story in stories(page):
        text = all_text(story)
        for furniture in FURNITURE_STRINGS:
            assert furniture not in text, (story.title, furniture)
        assert "Comments" not in text


def test_everything_after_download_the_app_is_dropped() -> None:
    page, _ = read_page(DATA / "harbour_ledger.txt")
    assert [t.title for t in page.teasers] == [
        "Ferry timetable to Skarvik changes for the winter",
        "Northgate council approves new fish market",
        "Radio Fjell7 launches a late-night shipping forecast",
    ]


def test_teaser_with_headline_once_and_inline_caption() -> None:
    page, _ = read_page(DATA / "harbour_ledger.txt")
    market = page.teasers[1]
    assert market.source == "Northgate Daily"
    assert market.published == CRAWLED - timedelta(minutes=45)
    assert market.captions == (
        Caption(
            "Stallholders unload crates on the quay in Northgate on Feb. 3", "ELSA MORK / VIA AP"
        ),
    )
    assert market.body == (
        "The council of Northgate approved plans for a covered fish market on the old quay. "
        '"It is the project this harbour has waited for," said mayor Ruben Aske. '
        "UN inspectors will visit the quay in spring, the council said. "
        "Building is due to start in June."
    )


def test_teaser_missing_its_text_is_kept_with_empty_body() -> None:
    page, _ = read_page(DATA / "harbour_ledger.txt")
    radio = page.teasers[2]
    assert radio.source == "Radio Fjell7"
    assert radio.body == ""
    assert radio.published == CRAWLED - timedelta(days=3)


AGES = [
    ("Kelp harvest", timedelta(0)),
    ("Tram line", timedelta(minutes=1)),
    ("Library roof", timedelta(minutes=45)),
    ("Marathon route", timedelta(hours=1)),
    ("Bakery strike", timedelta(hours=2)),
    ("Night market", timedelta(hours=8)),
    ("Bridge paint", timedelta(days=1)),
    ("School garden", timedelta(days=1)),
    ("Hill fire drill", timedelta(days=3)),
    ("Canal ice", timedelta(weeks=2)),
]


def test_every_relative_age_form() -> None:
    page, problems = read_page(DATA / "ages.txt")
    by_title = {t.title: t for t in page.teasers}
    assert len(by_title) == len(AGES) + 1
    for topic, age in AGES:
        teaser = by_title[f"{topic} story from Stillwater"]
        assert (teaser.published, teaser.precision) == (CRAWLED - age, "approximate"), topic
        assert (
            teaser.body
            == f"Teaser text of the {topic.lower()} story, written for the reader's tests."
        )
    unknown = by_title["Museum bell story from Stillwater"]
    assert (unknown.published, unknown.precision) == (None, None)
    assert len(problems) == 1
    assert "unknown age 'some while back'" in problems[0]


def test_source_ending_in_digits_headline_once_and_untidy_whitespace() -> None:
    page, problems = read_page(DATA / "news24_once.txt")
    article = page.article
    assert article is not None
    assert article.title == "Rivermouth brewery wins regional cider medal"
    assert article.source == "News24"
    assert article.published == datetime(2025, 11, 2)
    assert article.body == (
        "The Rivermouth brewery took gold for its pear cider at the fictional Eastdale Cider Fair "
        "on Saturday.\n\nBrewer Hanna Lunde said the pears came from a single orchard planted by "
        "her grandmother."
    )
    assert page.teasers == ()
    assert problems == []


def test_page_cut_mid_body_without_related_stories() -> None:
    page, problems = read_page(DATA / "cut_mid_body.txt")
    article = page.article
    assert article is not None
    assert article.source == "Valley Herald"
    assert article.body.endswith("who added that the first")
    assert article.body.count("\n\n") == 1
    assert page.teasers == ()
    assert problems == []


def test_page_cut_before_its_date_line() -> None:
    page, problems = read_page(DATA / "no_date_line.txt")
    article = page.article
    assert article is not None
    assert article.title == "Snow closes the Brenn pass road for a third day"
    assert (article.source, article.published, article.precision) == ("", None, None)
    assert article.body.startswith("Road crews in the fictional Brenn valley")
    assert len(problems) == 1
    assert "no source and date line" in problems[0]


def test_impossible_date_still_reads_the_page() -> None:
    page, problems = read_page(DATA / "impossible_date.txt")
    article = page.article
    assert article is not None
    assert article.source == "Tidewater Post"
    assert (article.published, article.precision) == (None, None)
    assert article.body.startswith("The Tidewater community choir")
    assert problems == [
        f"{DATA / 'impossible_date.txt'}:4: impossible date '31-02-2025'; date unknown"
    ]


def test_page_of_furniture_only_has_no_stories_and_says_so() -> None:
    page, problems = read_page(DATA / "only_furniture.txt")
    assert page.article is None
    assert page.teasers == ()
    assert len(problems) == 1
    assert "no headline, body or related stories" in problems[0]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "Related Articles",
        "time2 hours ago",
        "| REUTERS",
        " |\nREUTERS",
        "Some Outlet01-01-2025",
        "Related Articles\ntimeyesterday\n  • Somewhere",
        "Related Articles\nOnly a headline\nOnly a headline",
        "Headline\nOutlet01-01-2025\nRelated Articles\nA\nB\ntimenow\n•\nA\n| | |",
        "DOWNLOAD THE APP\nHeadline\nOutlet01-01-2025",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    result = aggregator.read(Path("odd.txt"), text, CRAWLED)
    assert len(result.pages) == 1
    page = result.pages[0]
    if page.article is None and not page.teasers:
        assert result.problems


def test_related_block_whose_source_line_is_missing() -> None:
    text = (
        "Headline\nOutlet01-01-2025\nBody.\nRelated Articles\n"
        "Quiet week at the Osterby docks\nQuiet week at the Osterby docks\ntime2 hours ago\n"
        "  • Osterby Tribune\nQuiet week at the Osterby docks\nFew ships called this week."
    )
    teaser = aggregator.read(Path("p.txt"), text, CRAWLED).pages[0].teasers[0]
    assert (teaser.title, teaser.source) == ("Quiet week at the Osterby docks", "Osterby Tribune")
    assert teaser.body == "Few ships called this week."


# --- the parts on their own ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "body", "captions"),
    [
        (
            'He said "we wait." Crowds fill the square in Dunmore on May 2 | ELSA MORK / VIA AP '
            "EU envoys arrive on Friday.",
            'He said "we wait." EU envoys arrive on Friday.',
            (Caption("Crowds fill the square in Dunmore on May 2", "ELSA MORK / VIA AP"),),
        ),
        (
            "Talks ended. The mayor of Fenwick, right, at the talks on June 5. | FENWICK CITY HALL "
            "/ VIA REUTERS In addition to roads, the plan covers ports.",
            "Talks ended. In addition to roads, the plan covers ports.",
            (
                Caption(
                    "The mayor of Fenwick, right, at the talks on June 5.",
                    "FENWICK CITY HALL / VIA REUTERS",
                ),
            ),
        ),
        (  # no agency word: the credit is the capitals before an ordinary word
            "It rained. Fans under umbrellas | JANE ROE The match went on.",
            "It rained. The match went on.",
            (Caption("Fans under umbrellas", "JANE ROE"),),
        ),
        (  # abbreviations and initials do not end the sentence before a caption
            "She left. U.S. envoy Mary P. Lund and Dr. Orr in Kelby | KYODO Talks resume today.",
            "She left. Talks resume today.",
            (Caption("U.S. envoy Mary P. Lund and Dr. Orr in Kelby", "KYODO"),),
        ),
        (  # an agency followed by FILE PHOTO, then a sentence opening with capitals
            "Prices rose! Traders in Aldport | REUTERS / FILE PHOTO NATO ministers met.",
            "Prices rose! NATO ministers met.",
            (Caption("Traders in Aldport", "REUTERS / FILE PHOTO"),),
        ),
        (  # glued agencies, and a lone "A" opening the next sentence
            "It ended. Voters queue | AFP-JIJI A recount follows. Night falls | TOM ASH A lull.",
            "It ended. A recount follows. A lull.",
            (Caption("Voters queue", "AFP-JIJI"), Caption("Night falls", "TOM ASH")),
        ),
        (  # a pipe at the very end: a caption with no credit
            "The vote is over. The count in Brinmoor |",
            "The vote is over.",
            (Caption("The count in Brinmoor", ""),),
        ),
        (  # a pipe with no credit after it is ordinary text
            "Final score | 3-1 to the visitors. Home fans | left early.",
            "Final score | 3-1 to the visitors. Home fans | left early.",
            (),
        ),
        ("No captions here at all.", "No captions here at all.", ()),
    ],
)
def test_split_inline_captions(text: str, body: str, captions: tuple[Caption, ...]) -> None:
    assert split_inline_captions(text) == (body, captions)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GABRIEL DOMINGUEZ", True),
        ("REUTERS", True),
        ("POOL / VIA REUTERS", True),
        ("JOHN SMITH, AFP-JIJI", True),
        ("The mayor said so.", False),
        ("Tokyo", False),
        ("2025", False),
    ],
)
def test_is_credit_line(line: str, expected: bool) -> None:
    assert is_credit_line(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Japan Times23-05-2025", ("Japan Times", "23-05-2025")),
        ("News2402-11-2025", ("News24", "02-11-2025")),
        ("  Harbour Ledger31-02-2025  ", ("Harbour Ledger", "31-02-2025")),
        ("01-01-2025", ("", "01-01-2025")),
        ("The deadline is 23-05-2025", None),
        ("Japan Times 23-05-2025 extra", None),
        ("Japan Times2025-05-23", None),
    ],
)
def test_parse_date_line(line: str, expected: tuple[str, str] | None) -> None:
    assert aggregator.parse_date_line(line) == expected


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("an hour ago", timedelta(hours=1)),
        ("2 hours ago", timedelta(hours=2)),
        ("a minute ago", timedelta(minutes=1)),
        ("45 minutes ago", timedelta(minutes=45)),
        ("a day ago", timedelta(days=1)),
        ("3 days ago", timedelta(days=3)),
        ("yesterday", timedelta(days=1)),
        ("2 weeks ago", timedelta(weeks=2)),
        ("just now", timedelta(0)),
        ("next Tuesday", None),
        ("", None),
    ],
)
def test_parse_age(text: str, age: timedelta | None) -> None:
    assert aggregator.parse_age(text) == age


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("s.jsonl", '{"title": "Bridge opens", "date": "01-02-2025"}\n{"title": "b"}\n', False),
        ("s.txt", '{"title": "Bridge opens", "source": "Lantern01-02-2025"}\n', False),
        (
            "prose.txt",
            "The river rose through the night.\nBy morning the ferry had stopped, and the "
            "town waited for the water to fall.\n",
            False,
        ),
        ("page.txt", "logo\nHeadline\nOutlet01-02-2025\nBody.\n", True),
        ("page", "Headline\n\nHeadline\n\nNews2402-11-2025\nBody.\n", True),
        ("cut.txt", "logo\nHeadline only\n", True),
        ("cut.md", "logo\nHeadline only\n", False),
    ],
)
def test_sniff(name: str, text: str, expected: bool) -> None:
    assert aggregator.sniff(Path(name), text) is expected


def test_sniff_is_true_for_every_made_up_page() -> None:
    for path in DATA.glob("*.txt"):
        assert aggregator.sniff(path, path.read_text(encoding="utf-8")), path.name


# --- through the dispatcher: bytes on disk to pages ---------------------------------------

PAGE_WITH_ACCENTS = (
    "logo\n"
    "Caf\u00e9 owners in Lorwick say \u2018the square is ours\u2019\n\n"
    "Caf\u00e9 owners in Lorwick say \u2018the square is ours\u2019\n\n"
    "Lorwick Echo05-04-2025\n"
    "Owners of the four caf\u00e9s on Lorwick\u2019s square asked the council to keep cars out.\n"
    "Tables on the square in spring. |\n"
    "ANNA BRIGG\n"
)


@pytest.fixture
def read_file():
    try:
        for sibling in ("search.readers.jsonl", "search.readers.reuters"):
            importlib.import_module(sibling)
    except ImportError as err:
        pytest.skip(f"read_file needs the other readers, not importable yet: {err}")
    from search.readers import read_file

    return read_file


def check_accented_page(page: Page) -> None:
    article = page.article
    assert article is not None
    assert article.title == "Caf\u00e9 owners in Lorwick say \u2018the square is ours\u2019"
    assert article.source == "Lorwick Echo"
    assert article.published == datetime(2025, 4, 5)
    assert article.body == (
        "Owners of the four caf\u00e9s on Lorwick\u2019s square asked the council to keep cars out."
    )
    assert article.captions == (Caption("Tables on the square in spring.", "ANNA BRIGG"),)


def test_read_file_with_bom_and_crlf(tmp_path: Path, read_file) -> None:
    path = tmp_path / "bom_crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PAGE_WITH_ACCENTS.replace("\n", "\r\n").encode("utf-8"))
    result = read_file(path, CRAWLED)
    assert len(result.pages) == 1
    check_accented_page(result.pages[0])
    assert "\r" not in result.pages[0].article.body
    assert result.pages[0].path == str(path)


def test_read_file_in_cp1252(tmp_path: Path, read_file) -> None:
    path = tmp_path / "cp1252.txt"
    path.write_bytes(PAGE_WITH_ACCENTS.encode("cp1252"))
    result = read_file(path, CRAWLED)
    assert len(result.pages) == 1
    check_accented_page(result.pages[0])
