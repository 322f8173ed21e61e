"""Every match of a search, one story at a time: what the CSV and JSON Lines exports and
``newsdex search --all`` write.

The matches are found as for a page of results (``results.matches``) and put in the
request's order as one array of positions; stories are then read and made into hits one by
one as the caller asks for them, so memory stays flat however many stories match: nothing
but that array grows with the number of matches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from search.models import ParsedQuery, SearchRequest, StoryHit
from search.searching import results
from search.searching.budget import Budget
from search.searching.generation import Generation
from search.searching.query import positive_terms


@dataclass(frozen=True, slots=True)
class Export:
    """How many stories an export holds, and the stories, made one at a time."""

    total: int
    query: ParsedQuery
    hits: Iterator[StoryHit]


def export(gen: Generation, request: SearchRequest, now: datetime, budget: Budget) -> Export:
    """Every story ``request`` finds, in its order (``page`` and ``per_page`` ignored), each
    with its best snippet. The stories are read from ``gen`` while ``hits`` is consumed, so
    ``gen`` must stay open until then."""
    found = results.matches(gen, request, now, budget)
    order = results.ordered(gen, request, found)
    terms = positive_terms(found.compiled.query)
    scored = request.sort == "relevance" and found.by_relevance
    if (cut := budget.notice()) is not None:
        found.compiled.notices.append(cut)

    def hits() -> Iterator[StoryHit]:
        for position in order:
            score = float(found.scores[position]) if scored else None
            yield results.make_hit(gen, int(found.ids[position]), score, terms, keep=False)

    return Export(len(order), results.parsed_query(request, found.compiled), hits())
