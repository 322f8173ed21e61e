"""Records every stage of the pipeline shares.

page files --read--> ``Page`` --split/fold--> ``Story`` --analyse--> Whoosh document.

All records are frozen: a stage makes new records, it never edits the ones it was handed.
Datetimes are naive and in UTC throughout (Whoosh's DATETIME wants naive values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["article", "teaser"]

Precision = Literal["time", "day", "approximate"]
"""How much of ``published`` is known.

``time``: to the minute or better (Reuters timestamps); ``day``: the date only (the glued
``Japan Times23-05-2025`` line); ``approximate``: resolved from a relative age such as
``2 hours ago`` against the time the page was crawled.
"""


@dataclass(frozen=True, slots=True)
class Caption:
    """A photo caption, kept apart from the body, with its credit line (``REUTERS``)."""

    text: str
    credit: str = ""


@dataclass(frozen=True, slots=True)
class RawStory:
    """One story as a reader found it on one page, before stories are folded together."""

    kind: Kind
    title: str
    source: str
    published: datetime | None
    precision: Precision | None
    body: str
    """The article body, or the teaser text; paragraphs separated by blank lines."""
    captions: tuple[Caption, ...] = ()
    topics: tuple[str, ...] = ()
    """Topics the input itself carries (JSON Lines, Reuters); never guessed by a reader."""
    id: str | None = None
    """An id the input gives (JSON Lines ``id``, Reuters ``NEWID``); kept as the story's id."""


@dataclass(frozen=True, slots=True)
class Page:
    """What one page of a crawl holds: at most one article and the teasers shown beside it."""

    path: str
    """The file the page came from, absolute."""
    location: str
    """Where a person finds the page: the file, or ``file:line`` / ``file#id`` inside one."""
    crawled_at: datetime
    article: RawStory | None
    teasers: tuple[RawStory, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    """What the index holds and a search returns: one story, however many pages showed it."""

    id: str
    kind: Kind
    title: str
    source: str
    published: datetime | None
    precision: Precision | None
    body: str
    """The article's body; empty for a story only ever seen as a teaser."""
    teaser: str
    """Teaser text: the longest one seen for this story."""
    captions: tuple[Caption, ...]
    topics: tuple[str, ...]
    pages: tuple[str, ...]
    """Every page the story was seen on, sorted."""
    related: tuple[str, ...] = ()
    """Ids of the stories shown beside this article, in page order."""
    given_topics: tuple[str, ...] = field(default=())
    """Topics the input carried; ``topics`` adds the taxonomy's to these."""
