"""WARC and ARC reader: every HTML page of a web archive into a ``Page``, streamed with warcio.

Place in the pipeline: ``search.readers.read_file`` recognises an archive from its first bytes
and calls ``read(path, crawled_at)``, which opens the file itself: an archive is never loaded
whole, one record at a time passes through memory (a page's payload is read up to
``html.MAX_BYTES``). Each ``response`` record holding an HTML page with status 200 goes to the
HTML reader (``html.extract``) with the record's ``WARC-Target-URI`` as its URL and location and
its ``WARC-Date`` as the crawl time.

Records that are not pages are skipped and counted by reason, one problem line per reason with
the first few URLs: ``revisit``, ``redirect``, ``status 404`` (any status but 200 and the
redirects), ``not HTML``, ``too large``, and the HTML reader's ``not an article`` and ``no
text``. Requests, metadata and warcinfo records are not counted: they are never pages.

A truncated or corrupt record is reported with its byte offset and the reason; reading goes on
from the next record found after it (a gzip member, or a ``WARC/1.x`` line).
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator

from search.models import Page
from search.readers import ReadResult
from search.readers import html as html_reader
from search.readers.webmeta import parse_date

EXTENSIONS = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
EXAMPLES = 3
"""URLs named per skip reason in the problem line."""

REVISIT = "revisit"
REDIRECT = "redirect"
NOT_HTML = "not HTML"
TRUNCATED = "truncated record"
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]+")

_GZIP = b"\x1f\x8b\x08"
_CHUNK = 1 << 20
_FAR_FUTURE = datetime(9000, 1, 1)


def sniff(path: Path, head: bytes) -> bool:
    """True for a ``.warc``/``.arc`` name (gzipped or not) or a head that opens a record."""
    if path.name.lower().endswith(EXTENSIONS):
        return True
    if head.startswith(_GZIP):
        try:
            head = zlib.decompressobj(wbits=31).decompress(head, 64)
        except zlib.error:
            return False
    return head.startswith((b"WARC/", b"filedesc://"))


def read(path: Path, crawled_at: datetime) -> ReadResult:
    """Every HTML page of the archive; skips and faults as ``ReadResult.problems``."""
    result = ReadResult()
    reading = _Reading(str(path), crawled_at)
    result.pages = list(reading.pages(path))
    result.problems = reading.problems + reading.summary()
    return result


class _Reading:
    """The state of reading one archive: what was skipped, by reason, and the faults met."""

    def __init__(self, path: str, crawled_at: datetime) -> None:
        self.path = path
        self.crawled_at = crawled_at
        self.skipped: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = defaultdict(list)
        self.problems: list[str] = []
        self._texts: dict[str, str] = {}

    def pages(self, path: Path) -> Iterator[Page]:
        """Stream the archive's pages, resuming after each corrupt record."""
        size = path.stat().st_size
        with path.open("rb") as f:
            gzipped = f.read(3) == _GZIP
            start: int | None = 0
            while start is not None:
                f.seek(start)
                end, fault = yield from self._run(f, start)
                if fault is None and end >= size:
                    return
                if fault is None:
                    fault = f"{size - end:,} bytes at the end do not make a whole record"
                self.problems.append(f"{self.path}: record at byte {end:,}: {TRUNCATED} ({fault})")
                start = _next_record(f, end + 1, gzipped)

    def _run(self, f: IO[bytes], base: int) -> Iterator[Page]:
        """Pages from ``base`` on; returns where the last whole record ended and the fault
        that stopped the run, if one did."""
        records = ArchiveIterator(f, arc2warc=True, check_digests=False)
        end = base
        try:
            for record in records:
                # Offsets are known only once the record is read to its end (warcio reads
                # to the end when asked for one), so the page comes first.
                page, note = self._page(record)
                records.read_to_end(record)
                if record.raw_stream is not None and getattr(record.raw_stream, "limit", 0) > 0:
                    return end, f"cut off {record.raw_stream.limit:,} bytes before its end"
                offset = base + records.get_record_offset()
                end = offset + records.get_record_length()
                if note:
                    self.problems.append(f"{self.path}: record at byte {offset:,}: {note}")
                if page is not None:
                    yield page
        except Exception as err:  # warcio raises many kinds on bad bytes; all mean "corrupt"
            # Its messages can quote the bad bytes: keep them out of the report.
            return end, _UNPRINTABLE.sub("…", f"{type(err).__name__}: {err}".strip())[:200]
        return end, None

    def _page(self, record: Any) -> tuple[Page | None, str]:
        """The record's page, if it is one, and a note on how its bytes were decoded."""
        if record.rec_type == "revisit":
            return self._skip(REVISIT, record), ""
        if record.rec_type != "response" or record.http_headers is None:
            return None, ""
        status = record.http_headers.get_statuscode() or ""
        if status.startswith("3"):
            return self._skip(REDIRECT, record), ""
        if status != "200":
            return self._skip(f"status {status or 'missing'}", record), ""
        content_type = record.http_headers.get_header("Content-Type") or ""
        mime, _, params = content_type.partition(";")
        mime = mime.strip().lower()
        payload = _read_up_to(record.content_stream(), html_reader.MAX_BYTES + 1)
        if mime not in HTML_TYPES and (mime or not html_reader.sniff(Path(""), payload[:4096])):
            return self._skip(NOT_HTML, record, mime or "no type"), ""
        if len(payload) > html_reader.MAX_BYTES:
            return self._skip(html_reader.TOO_LARGE, record), ""
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        decoded = html_reader.decode(payload, _charset(params))
        try:
            page = html_reader.extract(
                decoded.text, self._crawl_time(record), path=self.path, location=url, url=url
            )
        except html_reader.NotArticle as skip:
            return self._skip(skip.reason, record), ""
        except Exception as err:  # a page the HTML reader chokes on costs that page only
            return self._skip("reader error", record, f"{type(err).__name__}: {err}"[:100]), ""
        return self._shared(page), f"{url}: {decoded.note}" if decoded.note else ""

    def _skip(self, reason: str, record: Any, detail: str = "") -> None:
        self.skipped[reason] += 1
        if len(self.examples[reason]) < EXAMPLES:
            url = record.rec_headers.get_header("WARC-Target-URI") or "?"
            self.examples[reason].append(f"{url} ({detail})" if detail else url)
        return None

    def _crawl_time(self, record: Any) -> datetime:
        found = parse_date(record.rec_headers.get_header("WARC-Date") or "", _FAR_FUTURE)
        return found[0] if found else self.crawled_at

    def _shared(self, page: Page) -> Page:
        """The page with its teasers' texts shared with equal ones read before: an archive
        shows the same rail on thousands of pages."""
        from dataclasses import replace

        share = self._texts.setdefault
        teasers = tuple(
            replace(t, title=share(t.title, t.title), body=share(t.body, t.body),
                    source=share(t.source, t.source))
            for t in page.teasers
        )  # fmt: skip
        return replace(page, teasers=teasers)

    def summary(self) -> list[str]:
        """One line per skip reason: how many records, and the first URLs."""
        lines = []
        for reason, count in sorted(self.skipped.items()):
            more = ", …" if count > len(self.examples[reason]) else ""
            named = ", ".join(self.examples[reason])
            lines.append(f"{self.path}: {count:,} records skipped ({reason}): {named}{more}")
        return lines


def _read_up_to(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of a stream: warcio's ``read(n)`` may return fewer while more is
    to come."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = stream.read(min(left, _CHUNK))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _next_record(f: IO[bytes], start: int, gzipped: bool) -> int | None:
    """Where the next record begins at or after ``start``: a gzip member that opens a record,
    or (uncompressed) a ``WARC/1.`` line; ``None`` when there is none."""
    marker = _GZIP if gzipped else b"\nWARC/1."
    position = start
    while True:
        f.seek(position)
        chunk = f.read(_CHUNK + 64)
        if not chunk:
            return None
        found = chunk.find(marker)
        while found != -1:
            at = position + found
            if not gzipped:
                return at + 1
            if _opens_record(chunk[found : found + 4096]):
                return at
            found = chunk.find(marker, found + 1)
        if len(chunk) <= _CHUNK:
            return None
        position += _CHUNK


def _opens_record(data: bytes) -> bool:
    try:
        head = zlib.decompressobj(wbits=31).decompress(data, 16)
    except zlib.error:
        return False
    return head.startswith(b"WARC/") or head[:1].isalpha()
