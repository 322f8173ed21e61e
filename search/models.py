"""Records every stage of the pipeline shares.

page files --read--> ``Page`` --split/fold--> ``Story`` --analyse--> Whoosh document.

All records are frozen: a stage makes new records, it never edits the ones it was handed.
Datetimes are naive and in UTC throughout (Whoosh's DATETIME wants naive values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
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
    url: str | None = None
    """Where the story lives on the web: an article's canonical URL, a teaser's link."""


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
class TopicReason:
    """Why a story has a topic: how sure the assignment is and the words that decided it."""

    topic: str
    confidence: float
    """0..1: the topic's share of the classifier's belief for this story (1.0 for a topic
    the input carried or a beat's query matched: those are facts, not guesses)."""
    words: tuple[str, ...]
    """Analysed terms of the story that weighed most for the topic (``Story``), or the
    story's own words for them (``StoryDetail``); empty for a carried topic."""
    origin: Literal["learned", "words", "beat", "input"] = "learned"
    """What decided it: the classifier learned from the corpus, the word lists alone (a
    corpus too small to learn from), a beat's query, or the input itself."""
    label: str = ""
    """The topic's name in the index's taxonomy (filled in when a story is read back)."""


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
    url: str | None = None
    """Where the story lives on the web, as the input spelled it: the article's canonical URL,
    else a teaser's link. Not checked: only http(s) URLs may become links."""
    versions: tuple[tuple[str, datetime], ...] = ()
    """Each version the source sent of this story, ``(id, published)`` in time order; empty
    for a story sent once (``search.ingest.versions``)."""
    topic_reasons: tuple[TopicReason, ...] = ()
    """One per topic the taxonomy found (not for given topics): confidence and deciding
    words. Empty with no found topics means no topic was confident enough."""
    cluster: str | None = None
    """The id of the event this story is part of, as told by other sources too; ``None`` for
    a story no other source ran (``search.ingest.clusters``)."""
    wire: str = ""
    """The id of the first story of its cluster that carried the same wire copy as this one
    (its own id when it is that first); empty when the story is in its source's own words."""


# --- search: what goes into ``engine.search`` and what comes out ----------------------------

Sort = Literal["relevance", "newest", "oldest"]
Match = Literal["all", "any"]
SORTS: tuple[Sort, ...] = ("relevance", "newest", "oldest")
MATCHES: tuple[Match, ...] = ("all", "any")
Group = Literal["none", "cluster"]
GROUPS: tuple[Group, ...] = ("none", "cluster")
KINDS: tuple[Kind, ...] = ("article", "teaser")
MAX_PER_PAGE = 100
FACETS = ("source", "topic", "kind")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search: query text, filters, sort and page. Values are already validated
    (``search.interface.params`` checks them); the engine never rejects query *text*."""

    q: str = ""
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    date_from: date | None = None
    """First day included (UTC)."""
    date_to: date | None = None
    """Last day included (UTC)."""
    sort: Sort = "relevance"
    match: Match = "all"
    group: Group = "none"
    """``cluster``: one hit per cluster (its best story), the rest counted under it."""
    page: int = 1
    per_page: int = 10

    def selected(self, facet: str) -> tuple[str, ...]:
        """The ticked values of one facet (``source``, ``topic`` or ``kind``)."""
        return {"source": self.sources, "topic": self.topics, "kind": self.kinds}[facet]


@dataclass(frozen=True, slots=True)
class QueryFilter:
    """A filter written in the query text (``source:harbour``, ``date:2024``) that narrows
    every match, as a ticked box or a date box does."""

    facet: Literal["source", "topic", "kind", "date"]
    values: tuple[str, ...]
    """The facet values it stands for (``Harbour Herald``); none for a date."""
    typed: str
    """The clause in the query language (``source:harbour``)."""
    without: str
    """The query text without this clause: what dropping the filter searches for."""


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """How the engine read the query text, echoed back so a person can see it."""

    text: str
    """The query as given."""
    interpreted: str
    """The query as the engine ran it, in query-language form."""
    terms: tuple[str, ...] = ()
    """The words searched for, as typed (for marking them on the story page)."""
    notices: tuple[str, ...] = ()
    """What the engine changed and why (syntax it could not parse, a capped prefix, ...)."""
    date_from: datetime | None = None
    """Dates the query text itself asked for (``after:``, ``when:7d``), already resolved."""
    date_to: datetime | None = None
    filters: tuple[QueryFilter, ...] = ()
    """Filters the text holds at its top level: applied like the request's own (a source
    in the text and a ticked one are either-or; facet counts leave both out alike)."""
    unfiltered: str | None = None
    """The query text without any of ``filters`` (None when it holds none)."""


@dataclass(frozen=True, slots=True)
class Marked:
    """Text with the words a query matched marked, as data: each front end renders it its own
    way (``<mark>`` on a page and in the API, bold on a terminal)."""

    runs: tuple[tuple[str, bool], ...] = ()
    """``(text, matched)`` pieces in order; together they are the whole text shown."""

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.runs)


@dataclass(frozen=True, slots=True)
class StoryCard:
    """What names a story wherever one is listed: a hit, a related or similar story, the
    story's own page. ``StoryHit`` and ``StoryDetail`` are cards with more."""

    id: str
    title: str
    source: str
    published: datetime | None
    precision: Precision | None
    kind: Kind


@dataclass(frozen=True, slots=True)
class StoryHit(StoryCard):
    """One story in a result list, with the query's words marked in its title and snippets."""

    marked_title: Marked
    topics: tuple[str, ...]
    topic_labels: tuple[str, ...]
    """The name of each of ``topics`` in the index's taxonomy (the id when it has none)."""
    pages: tuple[str, ...]
    snippets: tuple[Marked, ...]
    """The sentences that match best (``…`` where one was cut), or the start of the story."""
    matched_in: tuple[str, ...]
    """Which parts matched: ``headline``, ``teaser``, ``body``, ``caption``."""
    score: float | None = None
    link: str | None = None
    """The story's URL on the web as the input gave it (``Story.url``); not checked."""
    versions: int = 1
    """How many versions of the story its source sent (``Story.versions``)."""
    cluster: str | None = None
    """``Story.cluster``: the event's id, when other sources ran it too."""
    cluster_size: int = 0
    """How many stories the cluster holds (0 without one)."""
    more: tuple[StoryCard, ...] = ()
    """With ``group=cluster``: the other matching stories of its cluster, in time order."""


@dataclass(frozen=True, slots=True)
class FacetCount:
    value: str
    count: int
    selected: bool
    label: str = ""
    """A longer name for display (a topic's label); empty when the value says it all."""


@dataclass(frozen=True, slots=True)
class Bucket:
    start: date
    end: date
    """First day after the bucket (exclusive)."""
    count: int


@dataclass(frozen=True, slots=True)
class Histogram:
    interval: Literal["day", "week", "month", "year"]
    buckets: tuple[Bucket, ...]
    undated: int = 0
    """Matching stories with no date; ``sum(bucket counts) + undated == total``."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    request: SearchRequest
    query: ParsedQuery
    total: int
    hits: tuple[StoryHit, ...]
    facets: dict[str, tuple[FacetCount, ...]]
    """``source``, ``topic`` and ``kind``: counts under every filter but the facet's own."""
    histogram: Histogram
    took_ms: float
    suggestion: str | None = None
    """A corrected query that finds hits under the same filters ("did you mean")."""
    any_total: int | None = None
    """With ``match=all`` and no hits: how many stories ``match=any`` would find."""
    generation: str = ""
    span: tuple[date, date] | None = None
    """The first and last day of the index's dated stories: the bounds of any date filter."""
    groups: int | None = None
    """With ``group=cluster``: how many hits the grouped list has (a cluster counts once);
    ``total`` still counts stories."""

    @property
    def listed(self) -> int:
        """How many hits the list has over all its pages."""
        return self.total if self.groups is None else self.groups

    @property
    def pages(self) -> int:
        """How many result pages there are (at least 1)."""
        return max(1, -(-self.listed // self.request.per_page))


@dataclass(frozen=True, slots=True)
class StoryDetail(StoryCard):
    """One story in full, for its own page, with the query's terms marked."""

    marked_title: Marked
    body: str
    marked_body: tuple[Marked, ...]
    """One per paragraph of the body, or of the teaser text when only a teaser of the story
    was seen."""
    teaser: str
    captions: tuple[Caption, ...]
    marked_captions: tuple[Marked, ...]
    """Each caption's text (``captions`` holds the credits)."""
    topics: tuple[str, ...]
    topic_labels: tuple[str, ...]
    """The name of each of ``topics`` in the index's taxonomy (the id when it has none)."""
    pages: tuple[str, ...]
    related: tuple[StoryCard, ...]
    similar: tuple[StoryCard, ...]
    link: str | None = None
    """The story's URL on the web as the input gave it (``Story.url``); not checked."""
    versions: tuple[tuple[str, datetime], ...] = ()
    """``Story.versions``: each version's id and time; empty for a story sent once."""
    topic_reasons: tuple[TopicReason, ...] = ()
    """Per topic, why the story has it, with the story's own words; empty for an index
    built before topics were explained."""
    cluster: str | None = None
    """``Story.cluster``."""
    cluster_size: int = 0

    @property
    def confident_topic(self) -> bool:
        """Whether newsdex found a topic for the story (beyond those its input carried)."""
        return any(r.origin != "input" for r in self.topic_reasons)


@dataclass(frozen=True, slots=True)
class ClusterMember(StoryCard):
    """One story of a cluster, as its coverage page lists it."""

    first: bool = False
    """The first story of the cluster (the earliest published)."""
    wire: str = ""
    """``Story.wire``: the id of the first member that carried this story's wire copy."""


@dataclass(frozen=True, slots=True)
class ClusterDetail:
    """One event and all its coverage, in time order."""

    id: str
    members: tuple[ClusterMember, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources that ran it, in the order they first did."""
        return tuple(dict.fromkeys(m.source for m in self.members))
