"""The dates of the query language: what ``after:``, ``before:``, ``date:`` and ``when:`` mean.

``date_span(op, value, now)`` is the span of publication time ``[start, end)`` that one date
clause asks for, or ``None`` when its value holds no date (the reader then drops it whole,
with a notice). Values: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``YYYY/MM/DD``, an ISO date and
time, ``A..B`` (either side may be empty or ``*``), and ``>``, ``>=``, ``<``, ``<=`` before a
date; ``when:`` takes a count and a unit (``7d``, ``12h``, ``2w``, ``3m``, ``1y``, ``10 days``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

DATE_FIELDS = ("after", "since", "before", "until", "date", "published", "when")
Span = tuple[datetime | None, datetime | None]

_UNITS = {"h": 1 / 24, "d": 1, "w": 7, "m": 30, "y": 365}
_WHEN = re.compile(r"(\d{1,6})\s*(h|hours?|d|days?|w|weeks?|m|months?|y|years?)", re.IGNORECASE)
_DAY = re.compile(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_COMPARE = (">=", "<=", ">", "<")


def date_span(op: str, value: str, now: datetime) -> Span | None:
    """``[start, end)`` that ``op:value`` asks for (``None`` leaves a side open), or ``None``
    when ``value`` is not a date."""
    value = value.strip()
    if op == "when":
        m = _WHEN.fullmatch(value)
        if not m:
            return None
        span = timedelta(days=int(m.group(1)) * _UNITS[m.group(2)[0].lower()])
        # A span longer than the calendar reaches back (``when:9999y``) is all of time.
        return (now - span if span < now - datetime.min else datetime.min), None
    if ".." in value:
        lo, _, hi = value.partition("..")
        low = period(lo) if lo.strip() not in ("", "*") else (None, None)
        high = period(hi) if hi.strip() not in ("", "*") else (None, None)
        if low is None or high is None or (low == (None, None) and high == (None, None)):
            return None
        return low[0], high[1]
    for sign in _COMPARE:
        if value.startswith(sign):
            found = period(value[len(sign) :])
            if found is None:
                return None
            return {
                ">=": (found[0], None),
                ">": (found[1], None),
                "<=": (None, found[1]),
                "<": (None, found[0]),
            }[sign]
    found = period(value)
    if found is None:
        return None
    if op in ("after", "since"):
        return found[0], None
    if op in ("before", "until"):
        return None, found[0]
    return found


def period(value: str) -> tuple[datetime, datetime] | None:
    """A year, month or day (or an instant) as its first moment and the one after it
    (``datetime.max`` after the calendar's last day)."""
    value = value.strip()
    if "T" in value or " " in value or ":" in value:
        try:
            instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        offset = instant.utcoffset()
        if offset is not None:
            try:
                instant = instant - offset
            except OverflowError:
                return None
            instant = instant.replace(tzinfo=None)
        return instant, _after(lambda: instant + timedelta(microseconds=1))
    m = _DAY.fullmatch(value)
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if month is None:
            start = datetime(year, 1, 1)  # type: ignore[arg-type]
            return start, _after(lambda: datetime(start.year + 1, 1, 1))
        if day is None:
            start = datetime(year, month, 1)  # type: ignore[arg-type]
            nxt = (start.year + month // 12, month % 12 + 1)
            return start, _after(lambda: datetime(nxt[0], nxt[1], 1))
        start = datetime(year, month, day)  # type: ignore[arg-type]
        return start, _after(lambda: start + timedelta(days=1))
    except (ValueError, OverflowError):
        return None


def _after(end: Callable[[], datetime]) -> datetime:
    try:
        return end()
    except (ValueError, OverflowError):
        return datetime.max
