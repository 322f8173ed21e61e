"""Pages to stories: give every story a stable id and fold the copies of one story into one.

A teaser shown on forty pages is one story seen on forty pages; a teaser whose full article is
also in the corpus folds into that article. Two copies are the same story when they have the
same id. A story's own id is the input's where it gives one, else a hash of the source and the
headline (teasers carry no date that would survive a second crawl). A teaser with a link
(compared by ``urls.url_key``) takes the id of the article at that link; else its own if an
article has it (same headline and source); else the smallest id of the teasers with that link.
The fold is a pure function of the set of pages, whatever their order, so an incremental
update lands on the same stories as a fresh build. Then re-sent versions fold (``versions``),
and the stories that several sources ran about one event are clustered (``clusters``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from search.ingest.clusters import cluster_stories
from search.ingest.urls import url_key
from search.ingest.versions import fold_versions
from search.models import Page, RawStory, Story

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _identity_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return _SPACE.sub(" ", text).strip().casefold()


def story_id(raw: RawStory) -> str:
    """The input's own id, or 16 hex digits of a hash of source and headline (or text)."""
    if raw.id:
        return raw.id
    key = raw.title or raw.body[:500]
    digest = hashlib.blake2b(
        f"{_identity_text(raw.source)}\n{_identity_text(key)}".encode(), digest_size=8
    )
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Sighting:
    """One copy of a story, on one page."""

    raw: RawStory
    location: str
    related: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FoldResult:
    stories: list[Story]
    """Sorted by id."""
    sightings: int
    """Copies read from the pages."""
    versions_folded: int = 0
    """Stories folded into another as one of its versions (``versions.fold_versions``)."""
    version_groups: int = 0
    """Stories made of more than one version."""
    clusters: int = 0
    """Events that more than one source ran (``clusters.cluster_stories``)."""
    clustered: int = 0
    """Stories in those clusters."""

    @property
    def duplicates(self) -> int:
        """Copies folded into another copy of the same story (versions not counted)."""
        return self.sightings - len(self.stories) - self.versions_folded


@dataclass(slots=True)
class Links:
    """What teasers fold into by their links: the stories at each URL key of the pages."""

    articles: dict[str, str] = field(default_factory=dict)
    """The id of the article at each URL key (the smallest when articles of two ids share
    one, so the choice never depends on the order of the pages)."""
    teasers: dict[str, str] = field(default_factory=dict)
    """The smallest id of the teasers linking to each URL key: a rail's and a feed's teaser of
    one story fold together even while its article is not in the corpus."""
    article_ids: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, pages: Iterable[Page]) -> Links:
        links = cls()
        for page in pages:
            if page.article is not None:
                sid = story_id(page.article)
                links.article_ids.add(sid)
                if (key := url_key(page.article.url)) is not None:
                    links.articles[key] = min(sid, links.articles.get(key, sid))
            for teaser in page.teasers:
                if (key := url_key(teaser.url)) is not None:
                    sid = story_id(teaser)
                    links.teasers[key] = min(sid, links.teasers.get(key, sid))
        return links

    def teaser_id(self, raw: RawStory) -> str:
        """The article the teaser links to; else the article of its headline and source; else
        the teaser of its link with the smallest id; else its own id."""
        own = story_id(raw)
        key = url_key(raw.url)
        if key is None:
            return own
        if key in self.articles:
            return self.articles[key]
        return own if own in self.article_ids else self.teasers.get(key, own)


def sightings(pages: Iterable[Page], links: Links | None = None) -> Iterable[tuple[str, Sighting]]:
    """Every story copy on the pages, with its id; an article lists its teasers as related.

    ``links``: ``Links.of`` every page, for teasers to fold by their links."""
    links = links or Links()
    for page in pages:
        teaser_ids = [links.teaser_id(t) for t in page.teasers]
        if page.article is not None:
            own = story_id(page.article)
            related = tuple(dict.fromkeys(i for i in teaser_ids if i != own))
            yield own, Sighting(page.article, page.location, related)
        for tid, teaser in zip(teaser_ids, page.teasers, strict=True):
            yield tid, Sighting(teaser, page.location, ())


def fold(pages: Iterable[Page]) -> FoldResult:
    """Fold every copy of a story into one ``Story`` (topics are assigned later)."""
    pages = list(pages)
    groups: dict[str, list[Sighting]] = defaultdict(list)
    count = 0
    for sid, sighting in sightings(pages, Links.of(pages)):
        groups[sid].append(sighting)
        count += 1
    versions = fold_versions([merge(sid, groups[sid]) for sid in sorted(groups)])
    clusters = cluster_stories(versions.stories)
    return FoldResult(
        clusters.stories,
        count,
        versions.folded,
        versions.groups,
        clusters.clusters,
        clusters.clustered,
    )


def _fullest(copies: list[Sighting]) -> Sighting:
    # Longest text wins; ties go to the first page by name, so the choice never depends on
    # the order files were read in.
    return min(copies, key=lambda s: (-len(s.raw.body), s.location, s.raw.title))


def merge(sid: str, copies: list[Sighting]) -> Story:
    """One story from all its copies: the article's text if there is one, every page."""
    articles = [c for c in copies if c.raw.kind == "article"]
    teasers = [c for c in copies if c.raw.kind == "teaser"]
    primary = _fullest(articles or teasers)
    raw = primary.raw
    published, precision = raw.published, raw.precision
    if not articles:
        # A teaser's date is resolved from "2 hours ago" on each page: the earliest is when
        # the story was first seen.
        dated = [c.raw for c in teasers if c.raw.published is not None]
        if dated:
            first = min(dated, key=lambda r: r.published)
            published, precision = first.published, first.precision
    related = list(primary.related)
    for other in sorted(articles, key=lambda c: c.location):
        related.extend(r for r in other.related if r not in related)
    given = list(raw.topics)
    for copy in sorted(copies, key=lambda c: c.location):
        given.extend(t for t in copy.raw.topics if t not in given)
    return Story(
        id=sid,
        kind="article" if articles else "teaser",
        title=raw.title,
        source=raw.source,
        published=published,
        precision=precision,
        body=raw.body if articles else "",
        teaser=_fullest(teasers).raw.body if teasers else "",
        captions=raw.captions if articles else _fullest(teasers).raw.captions,
        topics=(),
        pages=tuple(sorted({c.location for c in copies})),
        related=tuple(related),
        given_topics=tuple(given),
        url=raw.url or _first_url(articles) or _first_url(teasers),
    )


def _first_url(copies: list[Sighting]) -> str | None:
    """A URL one of the copies gives, the same whatever order they came in."""
    return min((c.raw.url for c in copies if c.raw.url), default=None)
