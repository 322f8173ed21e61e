"""The date terms of the query language: ``after:``, ``before:``, ``date:``, ``when:7d``.

``take_dates`` takes them out of the query text before the rest is parsed, and returns the
bounds they set; a term that holds no date is ignored, with a notice saying so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

_DAY = r"\d{4}(?:-\d{1,2}){0,2}"
_DATE_TERMS = re.compile(
    rf"(?<!\S)(?:(?P<op>after|since|before|until|date|published):"
    rf"(?:(?P<value>{_DAY})|\[(?P<lo>[^\]]*?)\s+to\s+(?P<hi>[^\]]*?)\])"
    rf"|when:(?P<n>\d{{1,4}})(?P<unit>[hdwmy]))(?=\s|$|\))",
    re.IGNORECASE,
)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def take_dates(
    text: str, now: datetime, notices: list[str]
) -> tuple[str, datetime | None, datetime | None]:
    """Remove the date terms from ``text``; return what is left and the bounds they set."""
    lows: list[datetime] = []
    highs: list[datetime] = []

    def take(m: re.Match[str]) -> str:
        if m.group("unit"):
            n, unit = int(m.group("n")), m.group("unit").lower()
            span = timedelta(hours=n) if unit == "h" else timedelta(days=n * _UNIT_DAYS[unit])
            # A span longer than the calendar reaches back (``when:9999y``) is all of time.
            lows.append(now - span if span < now - datetime.min else datetime.min)
            return " "
        op = m.group("op").lower()
        if m.group("value"):
            period = _period(m.group("value"))
            if period is None:
                notices.append(f"{m.group(0)!r} is not a date; ignored it.")
            elif op in ("after", "since"):
                lows.append(period[0])
            elif op in ("before", "until"):
                highs.append(period[0])
            else:
                lows.append(period[0])
                highs.append(period[1])
            return " "
        lo, hi = m.group("lo").strip(), m.group("hi").strip()
        lo_period = _period(lo) if lo not in ("", "*") else None
        hi_period = _period(hi) if hi not in ("", "*") else None
        if (lo not in ("", "*") and lo_period is None) or (hi not in ("", "*") and not hi_period):
            notices.append(f"{m.group(0)!r} holds something that is not a date; ignored it.")
            return " "
        if lo_period:
            lows.append(lo_period[0])
        if hi_period:
            highs.append(hi_period[1])
        return " "

    rest = _DATE_TERMS.sub(take, text)
    return rest, max(lows, default=None), min(highs, default=None)


def _period(value: str) -> tuple[datetime, datetime] | None:
    """A ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as its first instant and the one after it
    (``datetime.max`` after the calendar's last day)."""
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 1:
            start = datetime(parts[0], 1, 1)
            return start, _after(start, lambda: datetime(parts[0] + 1, 1, 1))
        if len(parts) == 2:
            start = datetime(parts[0], parts[1], 1)
            year, month = parts[0] + parts[1] // 12, parts[1] % 12 + 1
            return start, _after(start, lambda: datetime(year, month, 1))
        start = datetime(parts[0], parts[1], parts[2])
        return start, _after(start, lambda: start + timedelta(days=1))
    except (ValueError, OverflowError):
        return None


def _after(start: datetime, end: Callable[[], datetime]) -> datetime:
    try:
        return end()
    except (ValueError, OverflowError):
        return datetime.max
