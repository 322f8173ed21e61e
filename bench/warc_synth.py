"""Write WARC archives of the fictional HTML pages: the demo's small one, or a big one to measure.

    python bench/warc_synth.py --sample                  # samples/035_crawl.warc.gz
    python bench/warc_synth.py /tmp/big.warc.gz --size 1G

The sample holds each HTML page of ``samples/`` as a ``response`` record at its canonical URL,
plus what a real crawl holds beside pages: a request record, a redirect, a 404, a PDF and a
revisit, which newsdex skips and counts. The big one repeats the pages under varied URLs (and
the odd records every hundred pages) until the file reaches the size asked for; never commit it.
"""

from __future__ import annotations

import argparse
import base64
import io
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_WARC = SAMPLES / "035_crawl.warc.gz"
CRAWL_START = datetime(2025, 10, 14, 9, 0, tzinfo=UTC)
_CANONICAL = re.compile(rb'<link rel="canonical" href="([^"]+)"')
_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sample_pages(folder: Path = SAMPLES) -> list[tuple[str, bytes]]:
    """``(url, html)`` for each HTML page in ``folder``, at its canonical URL."""
    pages = []
    for path in sorted(folder.glob("*.html")):
        data = path.read_bytes()
        found = _CANONICAL.search(data)
        url = found[1].decode() if found else f"https://example.org/{path.stem}"
        if url.startswith("/"):
            url = "https://www.aldinepost.example" + url
        pages.append((url, data))
    return pages


class Archive:
    """A WARC being written: each method adds one record, dated a minute after the last."""

    def __init__(self, out: io.BufferedIOBase, gzip: bool = True) -> None:
        self.writer = WARCWriter(out, gzip=gzip)
        self.when = CRAWL_START

    def _date(self) -> str:
        self.when += timedelta(minutes=1)
        return self.when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def response(self, url: str, status: str, content_type: str, body: bytes, *headers) -> None:
        http = StatusAndHeaders(
            status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1"
        )
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http,
            warc_headers_dict={"WARC-Date": self._date()},
        )
        self._write(record)

    def request(self, url: str) -> None:
        http = StatusAndHeaders(f"GET {url} HTTP/1.1", [("User-Agent", "newsdex-synth")])
        record = self.writer.create_warc_record(
            url, "request", http_headers=http, warc_headers_dict={"WARC-Date": self._date()}
        )
        self._write(record)

    def _write(self, record) -> None:
        self.writer.write_record(record)
        # warcio buffers a payload of unknown length in a temporary file it never closes
        record.raw_stream.close()

    def page(self, url: str, html: bytes) -> None:
        self.request(url)
        self.response(url, "200 OK", "text/html; charset=utf-8", html)

    def redirect(self, url: str, to: str) -> None:
        self.response(url, "301 Moved Permanently", "text/html", b"", ("Location", to))

    def not_found(self, url: str) -> None:
        body = b"<html><head><title>Page not found</title></head><body><h1>404</h1></body></html>"
        self.response(url, "404 Not Found", "text/html", body)

    def pdf(self, url: str) -> None:
        self.response(url, "200 OK", "application/pdf", _PDF)

    def revisit(self, url: str, of_date: str) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = self.writer.create_revisit_record(
            url,
            digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=url,
            refers_to_date=of_date,
            http_headers=http,
        )
        record.rec_headers.replace_header("WARC-Date", self._date())
        self._write(record)

    def odd_records(self, site: str, n: int = 0) -> None:
        """One of each record a crawl holds that is not a page."""
        self.redirect(f"http://{site}/r/{n}", f"https://{site}/news/{n}")
        self.not_found(f"https://{site}/gone/{n}")
        self.pdf(f"https://{site}/files/annual-report-{n}.pdf")


def write_sample(out: Path = SAMPLE_WARC) -> int:
    """The demo's archive; returns the number of pages in it."""
    pages = sample_pages()
    with out.open("wb") as f:
        archive = Archive(f)
        for url, html in pages:
            archive.page(url, html)
        first_date = (CRAWL_START + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        archive.revisit(pages[0][0], first_date)
        archive.odd_records("www.aldinepost.example")
    return len(pages)


def varied(pages: list[tuple[str, bytes]], pad: int = 0) -> Iterator[tuple[str, bytes]]:
    """The pages forever, each round under new URLs (and canonical links) so none repeats;
    ``pad`` bytes of script state (random, so gzip cannot shrink it) added to each page."""
    n = 0
    while True:
        for url, html in pages:
            n += 1
            new = f"{url.rstrip('/')}-{n}"
            page = html.replace(url.encode(), new.encode())
            if pad:
                state = base64.b64encode(os.urandom(pad * 3 // 4))
                page = page.replace(
                    b"</head>", b"<script>window.__STATE__='" + state + b"'</script></head>", 1
                )
            yield new, page


def write_big(out: Path, size: int, pad: int = 0) -> int:
    """Pages until the file is ``size`` bytes; returns how many."""
    count = 0
    with out.open("wb") as f:
        archive = Archive(f)
        for url, html in varied(sample_pages(), pad):
            archive.page(url, html)
            count += 1
            if count % 100 == 0:
                archive.odd_records("www.aldinepost.example", count)
                if f.tell() >= size:
                    break
    return count


def parse_size(text: str) -> int:
    units = {"k": 10**3, "m": 10**6, "g": 10**9}
    text = text.strip().lower()
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--sample", action="store_true", help=f"write {SAMPLE_WARC.name}")
    parser.add_argument("--size", default="1G", help="size of the big archive (1G, 200M)")
    args = parser.parse_args()
    if args.sample:
        print(f"{SAMPLE_WARC}: {write_sample()} pages", file=sys.stderr)
    elif args.out is not None:
        print(f"{args.out}: {write_big(args.out, parse_size(args.size))} pages", file=sys.stderr)
    else:
        parser.error("give an output path, or --sample")


if __name__ == "__main__":
    main()
