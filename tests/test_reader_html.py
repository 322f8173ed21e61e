"""The HTML reader: fictional news pages in the markup of real sites (the demo's
``samples/03*.html``), and the ways a saved page can be broken or not be an article at all.
"""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from search.errors import SkippedFile
from search.models import Caption, Page
from search.readers import read_file
from search.readers.html import MAX_BYTES

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
"""The demo's HTML pages are the reader's test pages too."""
BRIDGE = SAMPLES / "031_kessel-bridge.html"
FERRY_PAGE = SAMPLES / "032_islandlink-ferry-fares.html"
ORCHARD = SAMPLES / "033_carrow-orchard-frost.html"
CRAWLED = datetime(2025, 10, 14, 12, 0)
HERALD = "https://www.aldinepost.example"


def read_page(path: Path, crawled: datetime = CRAWLED) -> tuple[Page, list[str]]:
    result = read_file(path, crawled)
    assert len(result.pages) == 1
    return result.pages[0], result.problems


@pytest.fixture(scope="module")
def bridge() -> Page:
    page, problems = read_page(BRIDGE)
    assert problems == []
    return page


# --- a full article page ------------------------------------------------------------------


def test_title_source_date_and_url(bridge: Page) -> None:
    article = bridge.article
    assert article is not None
    assert article.kind == "article"
    assert article.title == "Kessel Junction rail bridge to close for six weeks of repairs"
    assert article.source == "Aldine Post"
    # JSON-LD says 08:45+02:00: kept to the minute, in UTC
    assert (article.published, article.precision) == (datetime(2025, 10, 14, 6, 45), "time")
    assert article.url == f"{HERALD}/news/transport/2025/10/14/kessel-junction-bridge-closure"
    assert bridge.location == bridge.path == str(BRIDGE)


def test_body_is_the_article_text_only(bridge: Page) -> None:
    body = bridge.article.body
    assert body.startswith("The rail bridge that carries the coast line over the Venn")
    assert body.endswith("The bridge is due to reopen on 15 December.")
    assert len(body.split("\n\n")) == 6
    for furniture in (
        "cookies",  # the consent banner
        "Accept all",
        "Skip to main content",
        "Business",  # the navigation
        "Subscribe from",
        "Share on Social",  # share buttons
        "Copy link",
        "Morning Briefing",  # the newsletter box inside the article body
        "Sign up",
        "Read more",  # the inline promo
        "More on this story",  # the related rail
        "Islandlink",
        "Growers fear",
        "Most read",  # the sidebar rail
        "quay master",
        "quaywatcher",  # the comments
        "rusting since I was a boy",
        "All rights reserved",  # the footer
        "Topics:",
    ):
        assert furniture not in body, furniture


def test_captions_apart_with_their_credits(bridge: Page) -> None:
    assert bridge.article.captions == (
        Caption(
            "The Kessel Junction bridge carries about 140 trains a day over the Venn.",
            "Anna Lind / Aldine Post",
        ),
        Caption(
            "Corrosion on one of the girders, photographed during the September inspection.",
            "Regional Rail",
        ),
    )
    assert "140 trains a day" not in bridge.article.body
    assert "Anna Lind" not in bridge.article.body


def test_teasers_from_the_rails_with_absolute_urls(bridge: Page) -> None:
    teasers = {t.title: t for t in bridge.teasers}
    assert list(teasers) == [
        "Coast line timetable to change in December",  # the inline "Read more" comes first
        "Islandlink freezes ferry fares for the winter",
        "Early frost hits Carrow Hills orchards",
        "Port Aldine's quay master retires after 31 years",
        "Rovers drawn away to Granite City in the cup",
        "Old Quarter parking charges to double",
    ]
    assert {t.kind for t in bridge.teasers} == {"teaser"}
    ferry = teasers["Islandlink freezes ferry fares for the winter"]
    assert ferry.url == f"{HERALD}/news/transport/2025/10/13/islandlink-ferry-fares-winter"
    assert ferry.source == "Aldine Post"
    assert ferry.body == (
        "Fares between Port Aldine and the islands will stay at this summer's level until March,"
        " the operator said."
    )
    assert (ferry.published, ferry.precision) == (datetime(2025, 10, 13), "day")
    frost = teasers["Early frost hits Carrow Hills orchards"]
    assert frost.url == "https://www.valleycourier.example/2025/10/14/frost-hits-carrow-orchards/"
    assert frost.source == "Valley Courier"  # another site: the source the entry names
    timetable = teasers["Coast line timetable to change in December"]
    assert timetable.body == ""  # the promo line is its headline, not a summary
    # the rail's <time> fills in what the inline promo lacked
    assert (timetable.published, timetable.precision) == (datetime(2025, 10, 2, 14, 20), "time")
    master = teasers["Port Aldine's quay master retires after 31 years"]
    assert (master.published, master.precision) == (datetime(2025, 10, 14), "day")  # the URL's


def test_item_list_teasers_and_a_relative_canonical() -> None:
    page, _ = read_page(FERRY_PAGE)
    article = page.article
    assert article.title == "Islandlink freezes ferry fares for the winter"
    assert article.url == f"{HERALD}/news/transport/2025/10/13/islandlink-ferry-fares-winter"
    assert (article.published, article.precision) == (datetime(2025, 10, 13), "day")
    assert article.body.startswith("Islandlink, which runs the ferries")  # no headline again
    assert article.body.endswith("a third of them in the four summer months.")
    assert "| Adult return | 42 crowns |" in article.body  # tables are article text
    for furniture in ("cookie", "Island Life newsletter", "Tweet", "Join the conversation"):
        assert furniture not in article.body
    urls = {t.title: t.url for t in page.teasers}
    assert urls == {
        # the rail and the JSON-LD ItemList name the bridge story: one teaser
        "Kessel Junction rail bridge to close for six weeks of repairs": (
            f"{HERALD}/news/transport/2025/10/14/kessel-junction-bridge-closure"
        ),
        "Tram line extension to the Old Quarter approved": (
            f"{HERALD}/news/transport/2025/10/09/tram-line-extension-approved"
        ),
        "Saltmarsh lifeboat crew rescue four from drifting yacht": (
            f"{HERALD}/news/2025/10/11/saltmarsh-lifeboat-crew"
        ),
        "Lantern festival returns to the Old Quarter after five years": (
            f"{HERALD}/culture/2025/10/10/lantern-festival-returns"
        ),
    }


def test_wordpress_page() -> None:
    page, _ = read_page(ORCHARD)
    article = page.article
    assert article.title == "Early frost hits Carrow Hills orchards"
    assert article.source == "Valley Courier"
    assert (article.published, article.precision) == (datetime(2025, 10, 14, 5, 10), "time")
    assert article.captions == (
        Caption("Frost on apples at the Brennock orchard on Monday morning.", "Hanne Ekdal"),
    )
    assert article.body.startswith("Growers in the Carrow Hills fear")
    assert article.body.endswith("are not affected.")
    for furniture in ("inbox", "Related", "Cider makers", "Heartbreaking", "Leave a Reply"):
        assert furniture not in article.body
    assert [(t.title, t.url) for t in page.teasers] == [
        (
            "Cider makers expect a record year in the valley",
            "https://www.valleycourier.example/2025/09/30/cider-makers-record-year/",
        ),
        (
            "Growers' association elects Lise Tarrant as chair",
            "https://www.valleycourier.example/2025/10/01/growers-association-new-chair/",
        ),
    ]
    assert page.teasers[0].body == "The valley's six cider houses say demand has never been higher."


# --- small pages written per test ---------------------------------------------------------

PARAGRAPHS = [
    "The harbour board voted seven to two on Thursday to build a ferry terminal at the north "
    "quay, ending a dispute that has divided the town for three years.",
    "Construction is due to start in the autumn and will take two years. The board said the "
    "terminal would be paid for from harbour dues and a loan from the regional bank.",
    "Opponents, who wanted the terminal built at the old fish docks, said they would not go to "
    "court but would stand candidates at the next council election.",
    "The ferry company said the new terminal would let it run larger boats to the islands in "
    "winter, when the old slipway at the south quay is often closed by storms.",
]


def article_html(head: str = "", body_top: str = "", paragraphs=PARAGRAPHS) -> str:
    text = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>Harbour board approves ferry terminal</title>{head}"
        f"</head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
        f"<h1>Harbour board approves ferry terminal</h1>{body_top}{text}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def skipped(path: Path) -> SkippedFile:
    with pytest.raises(SkippedFile) as caught:
        read_file(path, CRAWLED)
    return caught.value


@pytest.mark.parametrize("host", ["www.", "amp.", "m.", ""])
def test_source_is_the_site_whatever_the_host(tmp_path: Path, host: str) -> None:
    head = f'<link rel="canonical" href="https://{host}aldinepost.example/news/ferry">'
    page, _ = read_page(write(tmp_path, "a.html", article_html(head)))
    assert page.article.source == "aldinepost.example"


def test_plain_file_without_url_or_name(tmp_path: Path) -> None:
    page, _ = read_page(write(tmp_path, "a.html", article_html()))
    assert page.article.url is None
    assert page.article.source == ""
    assert page.article.published is None


def test_relative_age_is_approximate(tmp_path: Path) -> None:
    top = '<div class="byline">By Ola Brennock · <span class="timestamp">3 hours ago</span></div>'
    page, _ = read_page(write(tmp_path, "a.html", article_html(body_top=top)))
    assert page.article.published == CRAWLED - timedelta(hours=3)
    assert page.article.precision == "approximate"


def test_date_from_the_url(tmp_path: Path) -> None:
    head = '<link rel="canonical" href="https://news.example/2025/09/30/ferry-terminal">'
    page, _ = read_page(write(tmp_path, "a.html", article_html(head)))
    assert (page.article.published, page.article.precision) == (datetime(2025, 9, 30), "day")


def test_published_time_meta_with_offset(tmp_path: Path) -> None:
    head = '<meta property="article:published_time" content="2025-10-01T23:30:00-02:00">'
    page, _ = read_page(write(tmp_path, "a.html", article_html(head)))
    assert (page.article.published, page.article.precision) == (
        datetime(2025, 10, 2, 1, 30),
        "time",
    )


def test_no_headline_element_takes_og_title(tmp_path: Path) -> None:
    html = article_html('<meta property="og:title" content="Ferry terminal approved">')
    html = html.replace("<h1>Harbour board approves ferry terminal</h1>", "")
    page, _ = read_page(write(tmp_path, "a.html", html))
    assert page.article.title == "Ferry terminal approved"


def test_gzipped_page(tmp_path: Path) -> None:
    path = write(tmp_path, "a.html.gz", gzip.compress(article_html().encode()))
    page, problems = read_page(path)
    assert page.article.body.startswith("The harbour board voted")
    assert problems == []


def test_gzipped_page_without_the_extension_is_recognised(tmp_path: Path) -> None:
    page, _ = read_page(write(tmp_path, "page-0001", gzip.compress(article_html().encode())))
    assert page.article.title == "Harbour board approves ferry terminal"


# --- pages that are not articles ----------------------------------------------------------


def cards(n: int) -> str:
    return "".join(
        f"<div class='card'><h2><a href='/news/2025/10/{i:02}/story'>Story number {i} of the "
        f"day in the harbour</a></h2><p>A short summary of the story number {i}, as the "
        f"section front shows it beside the picture.</p></div>"
        for i in range(1, n + 1)
    )


def test_section_front_is_not_an_article(tmp_path: Path) -> None:
    html = (
        "<html><head><title>News | Aldine Post</title>"
        '<meta property="og:type" content="website"></head>'
        f"<body><main><h1>News</h1>{cards(12)}</main></body></html>"
    )
    skip = skipped(write(tmp_path, "news.html", html))
    assert skip.reason == "not an article"


def test_tag_page_saying_collection_page_is_not_an_article(tmp_path: Path) -> None:
    ld = '{"@context": "https://schema.org", "@type": "CollectionPage", "name": "Ferries"}'
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        f"<h1>Ferries</h1>{cards(3)}<p>{' '.join(PARAGRAPHS)}</p></body></html>"
    )
    assert skipped(write(tmp_path, "tag.html", html)).reason == "not an article"


def test_search_results_are_not_an_article(tmp_path: Path) -> None:
    ld = '{"@context": "https://schema.org", "@type": "SearchResultsPage"}'
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        f"<h1>Search results for ferry</h1>{cards(8)}</body></html>"
    )
    assert skipped(write(tmp_path, "search.html", html)).reason == "not an article"


@pytest.mark.parametrize(
    "body",
    [
        "<h1>Page not found</h1><p>Sorry, the page you asked for is not here.</p>",
        "<h1>Subscribe to keep reading</h1><p>Log in or subscribe for 1 crown a week.</p>"
        "<form><input name='email'><button>Log in</button></form>",
        "<div id='root'></div><script src='/static/app.js'></script>",
        "",
    ],
    ids=["error page", "login wall", "javascript shell", "empty body"],
)
def test_pages_without_text(tmp_path: Path, body: str) -> None:
    html = f"<!DOCTYPE html><html><head><title>Aldine Post</title></head><body>{body}</body></html>"
    skip = skipped(write(tmp_path, "a.html", html))
    assert skip.reason == "no text"


# --- broken input -------------------------------------------------------------------------


def test_broken_html_is_still_read(tmp_path: Path) -> None:
    html = article_html().replace("</p>", "").replace("</article>", "").replace("</body>", "")
    html = "stray text before the page " + html.replace("<html>", "<html><div><span>")
    page, _ = read_page(write(tmp_path, "broken.html", html))
    assert "ferry terminal at the north quay" in page.article.body


def test_cp1252_declared_as_utf8(tmp_path: Path) -> None:
    html = article_html('<meta charset="utf-8">', paragraphs=[*PARAGRAPHS, "Café owners – glad."])
    page, problems = read_page(write(tmp_path, "a.html", html.encode("cp1252")))
    assert "Café owners – glad." in page.article.body
    assert len(problems) == 1
    assert "declared utf-8 but not valid UTF-8" in problems[0]
    assert "read as cp1252" in problems[0]


def test_no_declaration_and_not_utf8(tmp_path: Path) -> None:
    html = article_html(paragraphs=[*PARAGRAPHS, "Café owners – glad."])
    page, problems = read_page(write(tmp_path, "a.html", html.encode("cp1252")))
    assert "Café owners – glad." in page.article.body
    assert "no charset declared" in problems[0]


def test_declared_charset_is_used(tmp_path: Path) -> None:
    html = article_html('<meta charset="iso-8859-15">', paragraphs=[*PARAGRAPHS, "Cost: 5 €."])
    page, problems = read_page(write(tmp_path, "a.html", html.encode("iso-8859-15")))
    assert "Cost: 5 €." in page.article.body
    assert problems == []


def test_byte_order_mark(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + article_html(paragraphs=[*PARAGRAPHS, "Café."]).encode()
    page, problems = read_page(write(tmp_path, "a.html", data))
    assert page.article.title == "Harbour board approves ferry terminal"
    assert "Café." in page.article.body
    assert problems == []


def test_huge_page_is_read(tmp_path: Path) -> None:
    state = "<script>window.__STATE__ = '" + "x" * 10_000_000 + "';</script>"
    page, _ = read_page(write(tmp_path, "big.html", article_html(head=state)))
    assert page.article.body.startswith("The harbour board voted")


def test_page_over_the_limit_is_too_large(tmp_path: Path) -> None:
    state = "<script>window.__STATE__ = '" + "x" * MAX_BYTES + "';</script>"
    skip = skipped(write(tmp_path, "huge.html", article_html(head=state)))
    assert skip.reason == "too large"


def test_binary_file_named_html(tmp_path: Path) -> None:
    skip = skipped(write(tmp_path, "photo.html", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(500)))
    assert skip.reason == "binary"
    assert "PNG" in skip.detail


def test_gzip_cut_off(tmp_path: Path) -> None:
    data = gzip.compress(article_html().encode())
    page, problems = read_page(write(tmp_path, "a.html.gz", data[:-40]))
    assert "gzip data cut off" in problems[0]
    assert page.article.body.startswith("The harbour board voted")


def test_gzip_cut_off_early_has_no_text(tmp_path: Path) -> None:
    data = gzip.compress(article_html().encode())
    assert skipped(write(tmp_path, "a.html.gz", data[:40])).reason in ("no text", "empty")


def test_corrupt_gzip(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(article_html().encode()))
    data[12:40] = bytes(range(200, 228))
    assert skipped(write(tmp_path, "a.html.gz", bytes(data))).reason == "corrupt gzip"
