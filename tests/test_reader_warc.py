"""The WARC reader: archives written with warcio from the fictional pages, with what real crawls
hold beside pages (requests, a revisit, a redirect, a 404, a PDF) and with damaged records."""

from __future__ import annotations

import gzip
import io
import re
from datetime import datetime
from pathlib import Path

import pytest

from search.readers import read_file
from search.readers.warc import sniff
from tests.bench_modules import load

CRAWLED = datetime(2025, 10, 20)
BRIDGE = "https://www.aldinepost.example/news/transport/2025/10/14/kessel-junction-bridge-closure"
FERRY = "https://www.aldinepost.example/news/transport/2025/10/13/islandlink-ferry-fares-winter"
FROST = "https://www.valleycourier.example/2025/10/14/frost-hits-carrow-orchards/"


synth = load("warc_synth")


def archive_bytes(gzipped: bool = True, odd: bool = True) -> bytes:
    out = io.BytesIO()
    archive = synth.Archive(out, gzip=gzipped)
    pages = synth.sample_pages()
    for url, html in pages:
        archive.page(url, html)
    if odd:
        archive.revisit(pages[0][0], "2025-10-14T09:02:00Z")
        archive.odd_records("www.aldinepost.example")
    return out.getvalue()


def record_starts(data: bytes) -> list[int]:
    from warcio.archiveiterator import ArchiveIterator

    records = ArchiveIterator(io.BytesIO(data))
    starts = []
    for _ in records:
        starts.append(records.get_record_offset())
    return starts


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warc") / "crawl.warc.gz"
    path.write_bytes(archive_bytes())
    return path


def test_every_html_response_is_a_page(crawl: Path) -> None:
    result = read_file(crawl, CRAWLED)
    locations = [page.location for page in result.pages]
    assert locations == [BRIDGE, FERRY, FROST]  # in the archive's order
    bridge = result.pages[0]
    assert bridge.path == str(crawl)
    assert bridge.crawled_at == datetime(2025, 10, 14, 9, 2)  # the record's WARC-Date
    assert bridge.article.title == "Kessel Junction rail bridge to close for six weeks of repairs"
    assert bridge.article.url == BRIDGE
    assert bridge.article.source == "Aldine Post"
    assert bridge.article.body.startswith("The rail bridge that carries the coast line")
    assert "quaywatcher" not in bridge.article.body
    assert len(bridge.teasers) == 6
    # relative links on a page from a WARC resolve against its URL
    ferry = result.pages[1]
    assert ferry.teasers[1].url == (
        "https://www.aldinepost.example/news/transport/2025/10/09/tram-line-extension-approved"
    )


def test_other_records_are_skipped_and_counted(crawl: Path) -> None:
    problems = read_file(crawl, CRAWLED).problems
    name = str(crawl)
    assert problems == [
        f"{name}: 1 records skipped (not HTML): "
        "https://www.aldinepost.example/files/annual-report-0.pdf (application/pdf)",
        f"{name}: 1 records skipped (redirect): http://www.aldinepost.example/r/0",
        f"{name}: 1 records skipped (revisit): {BRIDGE}",
        f"{name}: 1 records skipped (status 404): https://www.aldinepost.example/gone/0",
    ]


def test_uncompressed_warc_and_sniffing(tmp_path: Path) -> None:
    path = tmp_path / "crawl-0001"  # no extension: recognised by its first bytes
    path.write_bytes(archive_bytes(gzipped=False, odd=False))
    assert sniff(path, path.read_bytes()[:64])
    assert len(read_file(path, CRAWLED).pages) == 3


def test_corrupt_record_in_the_middle(tmp_path: Path) -> None:
    data = archive_bytes(odd=False)
    starts = record_starts(data)
    # the second page's response (records: request, response, request, response, ...)
    start, end = starts[3], starts[4]
    damaged = data[: start + (end - start) // 2] + data[end:]
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(damaged)
    result = read_file(path, CRAWLED)
    assert [p.location for p in result.pages] == [BRIDGE, FROST]  # the rest is still read
    assert len(result.problems) == 1
    # Where a cut gzip member is noticed depends on its bytes (a record id is random): at the
    # damaged record, or at the next one when the first half still decompresses.
    cut = start + (end - start) // 2
    found = re.match(
        rf"{re.escape(str(path))}: record at byte ([\d,]+): truncated record \(", result.problems[0]
    )
    assert found and found.group(1) in (f"{start:,}", f"{cut:,}"), result.problems[0]
    assert result.problems[0].isprintable()


def test_truncated_last_record(tmp_path: Path) -> None:
    data = archive_bytes(odd=False)
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(data[:-500])
    result = read_file(path, CRAWLED)
    assert [p.location for p in result.pages] == [BRIDGE, FERRY]
    assert len(result.problems) == 1
    assert "truncated record" in result.problems[0]


def test_truncated_uncompressed_record(tmp_path: Path) -> None:
    data = archive_bytes(gzipped=False, odd=False)
    path = tmp_path / "crawl.warc"
    path.write_bytes(data[:-300])
    result = read_file(path, CRAWLED)
    assert len(result.pages) == 2
    assert re.search(r"truncated record \(cut off 29\d bytes before its end\)", result.problems[0])


def test_archive_is_streamed_not_loaded(crawl: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path) -> bytes:
        raise AssertionError("an archive must not be read whole")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert len(read_file(crawl, CRAWLED).pages) == 3


def test_gzip_that_is_not_an_archive_is_not_taken_for_one(tmp_path: Path) -> None:
    path = tmp_path / "page.gz"
    path.write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>"))
    assert not sniff(path, path.read_bytes())
