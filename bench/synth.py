"""Generate a synthetic crawl of news-aggregator text pages, for benchmarks and tests.

    python bench/synth.py OUT_DIR --stories 210000 [--seed 0] [--pages-per-story-ratio 0.4]

Each page has the layout of the founding example (``../shared/corpus/daily8/``, see ``DESIGN.md``,
"The input: what a page looks like"): ``logo``, the headline twice, the glued
``Source DD-MM-YYYY`` line, body paragraphs one a line with photo captions, the page furniture,
``Related Articles`` with 0-5 teaser blocks, and the app advert.

Size. ``--stories N`` asks for about N stories' worth of text, a story being the mean size of a
Reuters-21578 story (``STORY_BYTES``), so ``--stories 210000`` is ten times Reuters, ~170 MB.
How many *distinct* stories that makes depends on the ratio of pages to distinct stories: every
page holds one article, and the other stories exist only as teasers; the summary reports both.

Shape of the crawl. Pages are spread evenly over two years (2024-2025) in file order, and each
file's mtime is the time it was "crawled", so the relative ages of teasers (``time2 hours ago``)
resolve to the right time. Teasers come from a sliding window of recent stories:

- fresh stories: each page brings a few new teaser-only stories (1/ratio - 1 per page), shown
  first on that page;
- popular stories: the rest of a page's teaser slots are drawn from the stories of the last
  ``WINDOW_PAGES`` pages, weighted by a Pareto (Zipf-like) popularity, so a few teasers appear
  on dozens or hundreds of pages and most on one or two;
- folding: one article in ``FEATURED`` joins that pool with its headline, its source and its
  opening paragraphs as the teaser text, so its teasers fold into the article page.

Text. Sentences come from a word-bigram chain built at run time from the Reuters-21578 bodies in
``../shared/corpus/reuters21578`` (a real news word distribution; nothing is copied into the
repository), mixed with templates that use invented people, places, organisations and topic
words. Without ``../shared`` a small built-in text stands in, so tests never need it.

Standard library only; deterministic for a seed (same bytes, same file names, same mtimes).
Memory stays small: pages are written as they are made, only the teasers of the sliding window
are kept, plus one key per headline to keep headlines unique (~80 MB peak for 170 MB of text,
most of it the bigram chain).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import os
import random
import re
import sys
import time
from bisect import bisect
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"
REUTERS = SHARED / "corpus" / "reuters21578"

STORY_BYTES = 810
"""Mean bytes of text per Reuters-21578 story: ~17 MB of titles and bodies over 20,841 stories."""
PAGE_BYTES = 5600
"""Mean bytes per generated page, measured; turns the text budget into a number of pages."""
FOLDER_SIZE = 1000
START = datetime(2024, 1, 1)
SPAN = timedelta(days=731)
"""Pages are crawled from 2024-01-01 to 2025-12-31."""
WINDOW_PAGES = 300
"""A teaser stays in the pool for about this many pages after it first appears."""
FEATURED = 0.2
"""Share of articles that also circulate as teasers (and so fold)."""
TEASER_SLOTS = (5, 10, 20, 25, 22, 18)
"""Relative weights of 0, 1, ... 5 teasers on a page."""
POPULARITY = 1.2
"""Pareto shape of teaser popularity: smaller gives a heavier head."""

# --- invented names ------------------------------------------------------------------------

SOURCES = (
    "Harbour Herald", "Northgate Times", "Valley Courier", "Eastfield Gazette", "Coastline Post",
    "Riverside Chronicle", "Meridian Daily", "Summit Ledger", "Lakeshore Observer",
    "Crown Street Journal", "Pinewood Tribune", "Granite City Press", "Westmarch Standard",
    "Bayview Sentinel", "Highland Dispatch", "Southport Mirror", "Ironbridge Mail",
    "Cedar Falls Register", "Bellmont Examiner", "Union Square Bulletin", "The Atlas Review",
    "Morning Compass", "Evening Lantern", "Global Wire Service", "Continental Press Agency",
    "Metro24", "Newsline 7", "Channel 9", "Radio Kestrel 2", "Wire365", "Capital FM 101",
    "Tide & Timber Weekly", "O'Connell Street News", "Planet Business", "Sportsdesk 360",
    "Techwatch", "Health Matters Today", "Green Horizon", "Market Pulse", "Diário do Porto Novo",
)  # fmt: skip

AGENCIES = (
    "KESTREL PHOTO", "GLOBAL WIRE", "POOL / VIA GLOBAL WIRE", "CONTINENTAL PRESS",
    "FILE PHOTO", "SUPPLIED", "HARBOUR HERALD", "NORTHGATE TIMES / FILE",
)  # fmt: skip

FIRST_NAMES = """Amara Bogdan Carmen Dmitri Elif Farida Gustavo Hana Idris Jonas Kaito Leila Mateo
Nadia Oskar Priya Quentin Rosa Sven Tamsin Umar Valeria Wendell Ximena Yusuf Zofia Anton Beatriz
Callum Dalia Emeka Fiona Goran Helga Ines Jarrah Kamala Lars Marisol Nikolai Odette Pavel Rania
Silas Teodora Ulrich Vesna Wilhelmina Yara Zeno Aisha Bruno Chiara Desmond Esther Felix Greta
Hamid Isla Joaquim Katya Luca Mirela Noor Orla Piotr Renata Saoirse Tomasz Uzma Viktor Wanjiru
Yannick Zainab Adebayo Brigitte Cosmin Dervla Eamon Freya Gideon Halima Ilse Jovan Kerstin
Lorcan Magnus Nia Ottilie Perpetua Ravi Sunniva Thiago Una Vikram Wren Xavier Yelena""".split()

SURNAMES = """Okafor Brennard Castellane Dunmore Eskildsen Farrow Galvani Halloran Iversen
Jablonski Kettering Lindqvist Marchetti Novak Ostrowski Pemberton Quaresma Rasmussen Szabo
Thorne Ugarte Vasquez Whitlock Yilmaz Zielinski Achebe Bergstrom Cavanagh Delacroix Engstrom
Ferreira Gallagher Haddad Ishikawa Jovanovic Kowalczyk Lavigne Moreau Nakamura Oyelaran
Petrovic Quinlan Rahimi Sorensen Tanaka Uchenna Varga Wojcik Xiong Yamamoto Zamora Abernathy
Blackwood Corrigan Drummond Ellery Fairbairn Greaves Holloway Ingram Jessup Kilbride Lockhart
Mulvaney Northcott Ormsby Prendergast Radcliffe Stanhope Tolliver Underhill Vickery Wainwright
Yardley Achterberg Bianchi Christakis Dragomir Esposito Fonseca Grimaldi Horvath Idowu
Jankowski Karimi Lombardi Mbeki Nieminen Oduya Pellegrini Rinaldi Salazar Takahashi
Valdivia""".split()

_SYLLABLES = """var ess kel mor ash bren cal dor fen gal hal ist jor kar lun mar nor ost pel
quin ros sel tor ul ven wes yar zel ard bel cor dun el far gren hol ker lor mil nev orn pra
rin sav tal val wick""".split()
_ENDINGS = """ford mouth by stad holm port ville wick den ora esh ania field bridge haven gate
moor vale mere dale ton burg""".split()


def _places(count: int) -> tuple[str, ...]:
    """Invented place names, the same on every run (``Kelmouth``, ``Port Dorvale``...)."""
    rng = random.Random("places")
    names: dict[str, None] = {}
    while len(names) < count:
        name = (rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) * (rng.random() < 0.3)).title()
        name += rng.choice(_ENDINGS)
        roll = rng.random()
        if roll < 0.08:
            name = "Port " + name
        elif roll < 0.14:
            name = "North " + name
        elif roll < 0.18:
            name = "San " + name
        names[name] = None
    return tuple(names)


PLACES = _places(900)
WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = "January February March April May June July August September October November December"
MONTHS = MONTHS.split()
ORG_KINDS = (
    "City Council", "Port Authority", "Regional Assembly", "Chamber of Commerce", "University",
    "General Hospital", "Water Board", "Transport Authority", "Police Service", "District Court",
    "Arts Trust", "Farmers' Union", "Teachers' Federation", "Energy Cooperative",
    "Housing Association",
)  # fmt: skip
INDUSTRIES = (
    "Logistics", "Mining Group", "Holdings", "Pharmaceuticals", "Software", "Shipping", "Foods",
    "Motors", "Energy", "Telecom", "Textiles", "Robotics", "Insurance", "Airways", "Steelworks",
)  # fmt: skip


@dataclass(frozen=True)
class Topic:
    """Words for one news topic (roughly the IPTC top-level ones), for headlines and templates."""

    nouns: tuple[str, ...]
    verbs: tuple[str, ...]
    roles: tuple[str, ...]
    lines: tuple[str, ...]
    """Topic sentence templates; slots as in ``Writer.fill``."""


def _topic(nouns: str, verbs: str, roles: str, *lines: str) -> Topic:
    return Topic(tuple(nouns.split()), tuple(verbs.split()), tuple(roles.split("|")), lines)


TOPICS: dict[str, Topic] = {
    "politics": _topic(
        "budget coalition referendum election cabinet ballot reform bill senate mandate",
        "approve reject delay unveil defend question block scrap back",
        "prime minister|finance minister|opposition leader|mayor|senator|council leader",
        "The governing coalition in {PL} holds {N2} seats in the assembly.",
        "Voters in {PL} go to the polls on {WD}, {S} confirmed.",
    ),
    "economy": _topic(
        "inflation tariff merger exports growth deficit interest bond pension wage",
        "lift cut freeze forecast boost squeeze widen revise",
        "chief executive|central bank governor|chief economist|trade minister|analyst",
        "Shares in {CO} rose {PCT} percent in early trading in {PL}.",
        "The deal values {CO} at about {MONEY}, according to people familiar with the talks.",
    ),
    "conflict": _topic(
        "ceasefire border offensive truce militia blockade shelling convoy peace",
        "break agree extend violate monitor halt accept",
        "defence minister|army spokesman|peace envoy|militia commander|monitor",
        "Monitors said {N} people had fled the fighting around {PL} since {WD}.",
        "A convoy carrying food and medicine reached {PL} after a delay of {M} days.",
    ),
    "sport": _topic(
        "final derby championship title season transfer league cup tournament",
        "win clinch lose reach sign secure extend",
        "coach|captain|striker|goalkeeper|team manager|sporting director",
        "{PL} Rovers beat {PL2} United {SC} in front of {N} fans on {WD}.",
        "{S} scored twice in the second half to keep {PL} top of the table.",
    ),
    "science": _topic(
        "satellite telescope chip vaccine genome battery robot algorithm reactor",
        "launch test unveil patent design discover publish",
        "lead researcher|professor of physics|chief engineer|lab director|astronomer",
        "The team at {PL} University published its findings in a peer-reviewed journal on {WD}.",
        "The prototype ran for {N} hours without a fault, {S} said.",
    ),
    "health": _topic(
        "hospital clinic outbreak vaccine waiting-list nurses screening measles",
        "expand close warn fund trial treat",
        "health minister|chief medical officer|hospital director|epidemiologist|nurse",
        "{PL} General Hospital reported {N} new cases in the week to {WD}.",
        "Waiting times at clinics in {PL} have risen by {PCT} percent since last year.",
    ),
    "environment": _topic(
        "wetland emissions forest river pollution recycling wildlife coastline solar",
        "protect restore clean pledge ban monitor",
        "environment minister|conservation officer|ecologist|campaigner|park ranger",
        "Volunteers collected {N} tonnes of plastic along the coast near {PL}.",
        "The reserve outside {PL} is home to {N} species of birds, {S} said.",
    ),
    "weather": _topic(
        "storm heatwave flooding drought frost snowfall gale rainfall",
        "hit batter disrupt ease sweep threaten",
        "forecaster|meteorologist|emergency coordinator|harbour master",
        "Temperatures reached {T}C in {PL} on {WD}, the highest this year.",
        "Forecasters expect up to {N} millimetres of rain over {PL} by {WD}.",
    ),
    "crime": _topic(
        "trial verdict fraud smuggling arrest appeal inquiry sentence court",
        "charge convict acquit jail probe raid",
        "prosecutor|defence lawyer|judge|police chief|detective inspector",
        "The court in {PL} heard that the scheme ran for {M} months.",
        "Police in {PL} arrested {N} people after raids on {WD}.",
    ),
    "arts": _topic(
        "festival exhibition novel orchestra premiere museum theatre gallery film",
        "open close honour stage restore celebrate",
        "curator|director|novelist|conductor|festival organiser|critic",
        "The exhibition at the {PL} Museum runs until the end of {MO}.",
        "More than {N} people saw the premiere in {PL} on {WD}.",
    ),
    "education": _topic(
        "school curriculum exams tuition scholarship teachers campus literacy",
        "overhaul fund expand cut review reopen",
        "education minister|head teacher|vice-chancellor|union organiser|student leader",
        "Pupils in {PL} sat their exams a week later than planned.",
        "The university in {PL} will admit {N} more students next year.",
    ),
    "disaster": _topic(
        "earthquake landslide wildfire flood evacuation rescue aftershock",
        "strike force destroy damage displace trap",
        "rescue coordinator|civil defence chief|fire chief|relief official",
        "Rescue teams searched through the night for survivors near {PL}.",
        "About {N} homes were damaged, the civil defence office in {PL} said.",
    ),
    "labour": _topic(
        "strike walkout union pay-deal shifts layoffs pensions overtime",
        "call end approve reject threaten stage",
        "union leader|shop steward|labour minister|company negotiator|mediator",
        "Workers at the {CO} plant in {PL} voted {PCT} percent in favour of the deal.",
        "The union says {N} jobs are at risk across the region.",
    ),
    "religion": _topic(
        "cathedral pilgrimage synod mosque temple festival parish monastery",
        "restore welcome mark host reopen",
        "bishop|imam|abbess|rabbi|parish priest|temple elder",
        "Pilgrims walked {N} kilometres to reach {PL} by {WD}.",
        "The restoration of the chapel in {PL} took {M} years.",
    ),
    "lifestyle": _topic(
        "restaurant recipe fashion travel garden wellness cafe market",
        "open launch revive celebrate reinvent",
        "chef|designer|travel writer|gardener|shop owner",
        "The market in {PL} draws about {N} visitors every {WD}.",
        "A table for two at the new restaurant in {PL} costs about {MONEY}.",
    ),
    "society": _topic(
        "housing migrants volunteers charity census pensioners youth neighbourhood",
        "support welcome house shelter count",
        "social worker|charity director|community leader|housing officer",
        "The charity in {PL} served {N} meals in {MO}.",
        "A census found that {PCT} percent of households in {PL} rent their homes.",
    ),
}
TOPIC_NAMES = tuple(TOPICS)
TOPIC_WEIGHTS = (16, 15, 7, 12, 7, 7, 6, 4, 7, 5, 4, 3, 4, 2, 4, 4)

HEADLINES = (
    "{PL} {n} {v} {n2} plan",
    "{P} {v} {n} in {PL}",
    "{ORG} {v} {n} amid {n2} concerns",
    "{PL} {n} {v} {n2}, {S} says",
    "{PL} to {vb} {n} by {YEAR}",
    "{S}: 'We will {vb} the {n}'",
    "{N} facing {n} after {n2} in {PL}",
    "{CO} {v} {n} after {M}-hour talks",
    "{P}, {role}, {v} {n} decision",
    "Why {PL}'s {n} could {vb} the {n2}",
    "{n_} in {PL}: {S} {v} {n2}",
    "{PL} and {PL2} {vb} {n} deal",
)
BODY_LINES = (
    "{P}, {role} at {ORG}, said the {n} would {vb} the {n2} by {MO}.",
    "'We will not {vb} the {n} without a proper debate,' {S} said on {WD}.",
    "The {n} follows {M} months of talks in {PL}, according to {ORG}.",
    "Officials in {PL} estimated the cost of the {n} at {MONEY}.",
    "{S} told the {SRC} that the {n} was “difficult but necessary”.",
    "More than {N} people attended a meeting in {PL} on {WD} — the first since the {n2} began.",
    "{ORG} declined to comment on the {n}.",
    "Critics say the {n} will {vb} the {n2} rather than settle it.",
)
CAPTIONS = (
    "{P} speaks to reporters in {PL} on {WD}",
    "{P} (left) and {P2} at the {n} talks in {PL} on {MO} {DAY}",
    "Residents look on as the {n} gets under way in {PL}",
    "A view of the {n} site in {PL} earlier this month",
    "{P}, the {role}, arrives for a meeting at {ORG} in {PL}",
)

FALLBACK_TEXT = """The council said it would review the plan before the end of the year.
Officials expect the new rules to take effect in the spring, a spokesman said.
The company reported a rise in quarterly profit and said demand remained strong.
Analysts said the decision could weigh on growth in the coming months.
Residents have complained about delays to the project for more than two years.
The minister said the government was ready to talk but would not change its position.
Prices rose faster than expected last month, driven by food and energy costs.
The report found that most of the money had not been spent as planned.
Police said they were still looking for witnesses to the incident.
The union said its members would decide next week whether to accept the offer.
The team won its third match in a row and moved to the top of the table.
Scientists said the results were promising but needed to be confirmed.
The storm brought heavy rain and strong winds to the coast overnight.
Local businesses said the closure of the road had cut their sales.
The museum will reopen in the summer after a long restoration.
Hospital staff said the number of patients had fallen since the start of the month.
The court will hear the appeal later this year, lawyers for both sides said.
Voters will be asked to approve the measure in a referendum in the autumn.
The agreement still needs the approval of the regional assembly.
It was not clear how many people had been affected by the changes."""


# --- the text model --------------------------------------------------------------------------

_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_SENTENCE = re.compile(r"(?<=[a-z0-9%][.!?])\s+(?=[A-Z])")
_ABBREVIATED = {
    "mln": "million", "bln": "billion", "dlrs": "dollars", "dlr": "dollar", "pct": "percent",
    "cts": "cents", "qtr": "quarter", "qtrs": "quarters", "avg": "average", "yr": "year",
}  # fmt: skip
_ABBREVIATION = re.compile(r"\b(" + "|".join(_ABBREVIATED) + r")\b")
_DROP = str.maketrans("", "", '"()<>+*|\x03')
_SIGN_OFF = re.compile(r"\b(?:REUTER|Reuter)\b")
_DIGITS = str.maketrans("", "", "0123456789")


@dataclass
class TextModel:
    """A word-bigram chain: ``chain[word]`` lists the words seen after it (``None`` ends one)."""

    starts: list[str]
    chain: dict[str, list[str | None]]
    source: str


def reuters_files(stories: int) -> list[Path]:
    """The Reuters files the vocabulary is built from: more for bigger corpora (as in a real
    crawl, the vocabulary grows with the text), and none when ``../shared`` is absent."""
    files = sorted(REUTERS.glob("reut2-*.sgm")) if REUTERS.is_dir() else []
    return files[: 1 + stories // 10_000]


@lru_cache(maxsize=4)
def text_model(files: tuple[Path, ...]) -> TextModel:
    """Build the bigram chain from Reuters bodies, or from ``FALLBACK_TEXT`` without them."""
    starts: list[str] = []
    chain: defaultdict[str, list[str | None]] = defaultdict(list)
    texts = [_reuters_text(path) for path in files] or [FALLBACK_TEXT]
    for text in texts:
        for paragraph in text.split("\n"):
            for sentence in _SENTENCE.split(" ".join(paragraph.split())):
                words = _usable(sentence)
                if words:
                    starts.append(words[0])
                    for word, after in zip(words, words[1:] + [None], strict=True):
                        chain[word].append(after)
    source = f"{len(files)} Reuters-21578 files" if files else "the built-in fallback text"
    return TextModel(starts, dict(chain), source)


def _reuters_text(path: Path) -> str:
    """The bodies of one Reuters SGML file as plain text, one paragraph a line."""
    raw = path.read_text(encoding="latin-1")
    bodies = [m.group(1).replace("\n     ", "\x00") for m in _BODY.finditer(raw)]
    text = html.unescape("\n".join(bodies)).translate(_DROP)
    text = _SIGN_OFF.sub("", text).replace("Reuters", "Global Wire Service")
    text = text.replace("\n", " ").replace("\x00", "\n")
    return _ABBREVIATION.sub(lambda m: _ABBREVIATED[m.group(1)], text)


def _usable(sentence: str) -> list[str] | None:
    """The words of a prose sentence, without its full stop; ``None`` for tables and scraps."""
    if not sentence.endswith(".") or len(sentence) < 30:
        return None
    if (len(sentence) - len(sentence.translate(_DIGITS))) * 10 > len(sentence):
        return None
    words = sentence[:-1].removesuffix(" Reuter").split()
    if not 5 <= len(words) <= 60 or sum(w.isupper() for w in words) * 4 > len(words):
        return None
    return [sys.intern(word) for word in words]


# --- writing pages ---------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Teaser:
    """A story circulating as a teaser: what every page shows of it, and how popular it is."""

    title: str
    source: str
    text: str
    published: datetime
    weight: float
    article: bool
    seen: int = 0


@dataclass
class Summary:
    """What ``generate`` made."""

    pages: int = 0
    articles_folded: int = 0
    """Articles that also appear as teasers on other pages (their stories fold)."""
    teaser_only: int = 0
    """Stories seen only as teasers."""
    teaser_blocks: int = 0
    seen_once: int = 0
    seen_10_plus: int = 0
    most_seen: int = 0
    bytes: int = 0
    seconds: float = 0.0
    vocabulary: str = ""
    folders: int = 0
    out_dir: str = ""

    @property
    def stories(self) -> int:
        """Distinct stories (headline + source) in the corpus: articles and teaser-only."""
        return self.pages + self.teaser_only

    def __str__(self) -> str:
        return (
            f"{self.pages:,} pages in {self.folders:,} folders under {self.out_dir}\n"
            f"{self.stories:,} distinct stories: {self.pages:,} articles "
            f"({self.articles_folded:,} also seen as teasers) + {self.teaser_only:,} teaser-only\n"
            f"{self.teaser_blocks:,} teaser blocks; of the stories shown as teasers "
            f"{self.seen_once:,} on one page, {self.seen_10_plus:,} on 10 or more, "
            f"at most {self.most_seen:,}\n"
            f"{self.bytes / 1e6:,.1f} MB of text in {self.seconds:,.1f} s "
            f"(vocabulary from {self.vocabulary})"
        )


class Writer:
    """Makes the text of stories and pages from one random stream."""

    def __init__(self, rng: random.Random, model: TextModel) -> None:
        self.rng = rng
        self.random = rng.random
        self.model = model
        self.titles: set[str] = set()
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(SOURCES))]
        self.source_cum = list(accumulate(weights))
        self.topic_cum = list(accumulate(TOPIC_WEIGHTS))

    def pick(self, items: tuple[str, ...] | list[str]) -> str:
        return items[int(self.random() * len(items))]

    def source(self) -> str:
        return SOURCES[bisect(self.source_cum, self.random() * self.source_cum[-1])]

    def topic(self) -> Topic:
        name = TOPIC_NAMES[bisect(self.topic_cum, self.random() * self.topic_cum[-1])]
        return TOPICS[name]

    def person(self) -> str:
        return f"{self.pick(FIRST_NAMES)} {self.pick(SURNAMES)}"

    def fill(self, template: str, topic: Topic) -> str:
        """Fill a template's ``{SLOT}``s with invented names, numbers and the topic's words."""
        return template.format_map(_Slots(self, topic))

    def slot(self, name: str, topic: Topic) -> str:
        pick, rnd = self.pick, self.random
        match name:
            case "P" | "P2":
                return self.person()
            case "S":
                return pick(SURNAMES)
            case "PL" | "PL2":
                return pick(PLACES)
            case "ORG":
                return f"{pick(PLACES)} {pick(ORG_KINDS)}"
            case "CO":
                return f"{pick(SURNAMES)} {pick(INDUSTRIES)}"
            case "SRC":
                return pick(SOURCES)
            case "role":
                return pick(topic.roles)
            case "n" | "n2":
                return pick(topic.nouns)
            case "n_":
                return pick(topic.nouns).capitalize()
            case "v":
                return _third_person(pick(topic.verbs))
            case "vb":
                return pick(topic.verbs)
            case "N":
                return str(int(2 + rnd() * rnd() * 4000))
            case "M":
                return str(int(2 + rnd() * 28))
            case "N2":
                return str(int(60 + rnd() * 300))
            case "PCT":
                return f"{rnd() * 30:.1f}"
            case "MONEY":
                return f"${int(1 + rnd() * 900)} million"
            case "T":
                return str(int(28 + rnd() * 16))
            case "SC":
                return f"{int(rnd() * 5)}-{int(rnd() * 3)}"
            case "WD":
                return pick(WEEKDAYS)
            case "MO":
                return pick(MONTHS)
            case "DAY":
                return str(int(1 + rnd() * 28))
            case "YEAR":
                return str(int(2026 + rnd() * 10))
        raise KeyError(name)

    def headline(self, topic: Topic, source: str) -> str:
        """A headline no other story from ``source`` has (stories fold on headline + source)."""
        while True:
            title = self.fill(self.pick(HEADLINES), topic)
            title = title[0].upper() + title[1:]
            key = f"{title.casefold()}\x00{source}"
            if key not in self.titles:
                self.titles.add(key)
                return title

    def chain_sentence(self, capital_start: bool = False) -> str:
        """One sentence walked along the bigram chain, with its full stop."""
        model, rnd = self.model, self.random
        starts, chain = model.starts, model.chain
        for _ in range(5):
            word: str | None = starts[int(rnd() * len(starts))]
            words: list[str] = []
            while word is not None and len(words) < 40:
                words.append(word)
                after = chain[word]
                word = after[int(rnd() * len(after))]
            if len(words) >= 6 and not (capital_start and not _has_lower(words[0])):
                break
        return " ".join(words).rstrip(",;:-") + "."

    def sentence(self, topic: Topic) -> str:
        roll = self.random()
        if roll < 0.6:
            return self.chain_sentence()
        if roll < 0.75:
            return self.fill(self.pick(topic.lines), topic)
        if roll < 0.85:
            inner = self.chain_sentence().rstrip(".")
            return f"'{inner},' {self.person()}, {self.pick(topic.roles)}, said."
        return self.fill(self.pick(BODY_LINES), topic)

    def paragraph(self, topic: Topic, words: int) -> str:
        """Sentences up to about ``words`` words, on one line."""
        sentences: list[str] = []
        count = 0
        while count < words:
            sentence = self.sentence(topic)
            sentences.append(sentence)
            count += sentence.count(" ") + 1
        return " ".join(sentences)

    def caption(self, topic: Topic) -> tuple[str, str]:
        """Caption text (no full stop) and its credit in capitals."""
        text = self.fill(self.pick(CAPTIONS), topic)
        if self.random() < 0.5:
            credit = self.pick(AGENCIES)
        else:
            credit = self.person().upper()
        return text, credit

    def article(self, topic: Topic) -> list[str]:
        """Body lines: 5-25 paragraphs, 150-1,200 words, with 0-3 captions and their credits."""
        rnd = self.random
        words = int(min(1200, 150 + self.rng.expovariate(1 / 240)))
        paragraphs = max(5, min(25, round(words / (25 + rnd() * 35))))
        captions = [1 + int(rnd() * (paragraphs - 1)) for _ in range(int(rnd() * rnd() * 4))]
        lines: list[str] = []
        per_paragraph = words / paragraphs
        for index in range(paragraphs):
            for _ in range(captions.count(index)):  # a caption and its credit, between paragraphs
                text, credit = self.caption(topic)
                lines += [f"{text}. |", credit]
            lines.append(self.paragraph(topic, int(per_paragraph * (0.5 + rnd()))))
        return lines

    def teaser_text(self, topic: Topic) -> str:
        """1-5 sentences on one line; one in ten carries an inline caption."""
        rnd = self.random
        sentences = [self.sentence(topic) for _ in range(1 + int(rnd() * 5))]
        if rnd() < 0.1:
            text, credit = self.caption(topic)
            at = 1 + int(rnd() * (len(sentences) - 1))
            sentences[at:at] = [f"{text} | {credit}", self.chain_sentence(capital_start=True)]
        return " ".join(sentences)


class _Slots(dict[str, str]):
    """Template slots made on first use, so a template only spends the randomness it needs."""

    def __init__(self, writer: Writer, topic: Topic) -> None:
        super().__init__()
        self.writer = writer
        self.topic = topic

    def __missing__(self, name: str) -> str:
        value = self.writer.slot(name, self.topic)
        for _ in range(3):  # "the vaccine could fund the vaccine": tries for a second noun
            if name != "n2" or value != self.get("n"):
                break
            value = self.writer.slot(name, self.topic)
        self[name] = value
        return value


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _has_lower(word: str) -> bool:
    return any(char.islower() for char in word)


def lead(lines: list[str], words: int) -> str:
    """An article's opening as teaser text: whole paragraphs up to ``words`` words, with any
    caption inline (``… on Monday. | KESTREL PHOTO Next sentence…``), as the founding page has."""
    parts: list[str] = []
    count = 0
    for line in lines:
        parts.append(line)
        count += line.count(" ") + 1
        if count >= words and not line.endswith("|"):
            break
    return " ".join(parts)


def age_text(age: timedelta) -> str:
    """``45 minutes ago``, ``an hour ago``, ``3 hours ago``, ``a day ago``, ``5 days ago`` …"""
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return "a minute ago" if minutes <= 1 else f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 24:
        return "an hour ago" if hours == 1 else f"{hours} hours ago"
    days = hours // 24
    if days < 14:
        return "a day ago" if days == 1 else f"{days} days ago"
    if days < 60:
        return f"{days // 7} weeks ago"
    if days < 365:
        return f"{days // 30} months ago"
    return "a year ago" if days < 730 else f"{days // 365} years ago"


FURNITURE = (
    "Orange background\n\nTry Our AI Features\n\nExplore what Daily8 AI can do for you:\n\n"
    "Comments\n\nNo comments yet...\n\n"
)
APP_TAIL = (
    "DOWNLOAD THE APP\n\nGet Started Now: Download the App\n\n"
    "Ready to dive into a world of global content with local flavor? Download Daily8 app today "
    "from your preferred app store and start exploring.\napp-storeplay-store"
)


def page_text(
    title: str, source: str, published: datetime, body: list[str], related: list[tuple[Teaser, str]]
) -> str:
    """One page in the aggregator layout; ``related`` holds each teaser with its age text."""
    parts = [f"logo\n{title}\n\n{title}\n\n{source}{published:%d-%m-%Y}\n", "\n".join(body)]
    parts.append("\n" + FURNITURE)
    if related:
        parts.append("Related Articles\n\n")
        for teaser, age in related:
            head = teaser.title
            parts.append(
                f"{head}\n{head}\n\n{teaser.source}\n\ntime{age}\n\n  • {teaser.source}\n\n"
                f"{head}\n\n{teaser.text}\n\n"
            )
    parts.append(APP_TAIL)
    return "".join(parts)


def generate(
    out_dir: str | os.PathLike[str],
    stories: int,
    seed: int = 0,
    pages_per_story_ratio: float = 0.4,
) -> Summary:
    """Write about ``stories`` stories' worth of pages into ``out_dir``; see the module notes.

    :param pages_per_story_ratio: pages / distinct stories, between 0.3 and 1: each page brings
        ``1/ratio - 1`` teaser-only stories on average.
    """
    if not 0.3 <= pages_per_story_ratio <= 1:
        raise ValueError("pages_per_story_ratio must be between 0.3 and 1")
    began = time.perf_counter()
    out = Path(out_dir)
    if out.is_dir() and any(out.iterdir()):  # old pages would mix with the new corpus
        raise ValueError(f"{out} is not empty")
    rng = random.Random(f"newsdex-synth:{seed}")
    model = text_model(tuple(reuters_files(stories)))
    writer = Writer(rng, model)
    rnd = rng.random
    pages = max(1, round(stories * STORY_BYTES / PAGE_BYTES))
    gap = SPAN / pages
    block = max(1, min(50, pages // 100))
    blocks_kept = max(1, WINDOW_PAGES // block)
    fresh_per_page = 1 / pages_per_story_ratio - 1
    slot_cum = list(accumulate(TEASER_SLOTS))

    window: deque[list[Teaser]] = deque()  # teasers by the block they joined the pool in
    joining: list[Teaser] = []
    pool: list[Teaser] = []
    pool_cum: list[float] = []
    pending = 0.0
    summary = Summary(pages=pages, vocabulary=model.source, out_dir=str(out))

    def retire(teasers: list[Teaser]) -> None:
        for teaser in teasers:
            if teaser.seen:
                summary.seen_once += teaser.seen == 1
                summary.seen_10_plus += teaser.seen >= 10
                summary.most_seen = max(summary.most_seen, teaser.seen)
                summary.articles_folded += teaser.article

    for index in range(pages):
        if index % block == 0:  # a new block: the pool is the last blocks_kept blocks
            window.append(joining)
            joining = []
            if len(window) > blocks_kept:
                retire(window.popleft())
            pool = [teaser for teasers in window for teaser in teasers]
            pool_cum = list(accumulate(teaser.weight for teaser in pool))
        crawled = START + gap * (index + rnd())
        topic = writer.topic()
        source = writer.source()
        published = max(START, crawled - timedelta(hours=min(72.0, rng.expovariate(1 / 6))))
        title = writer.headline(topic, source)
        body = writer.article(topic)

        slots = bisect(slot_cum, rnd() * slot_cum[-1])
        pending += fresh_per_page
        fresh = min(int(pending), slots)
        pending -= fresh
        shown: list[Teaser] = []
        for _ in range(fresh):
            t_topic = writer.topic()
            t_source = writer.source()
            teaser = Teaser(
                title=writer.headline(t_topic, t_source),
                source=t_source,
                text=writer.teaser_text(t_topic),
                published=crawled - timedelta(minutes=10 + rng.expovariate(1 / 300)),
                weight=min(500.0, rng.paretovariate(POPULARITY)),
                article=False,
            )
            summary.teaser_only += 1
            joining.append(teaser)
            shown.append(teaser)
        for _ in range(3 * (slots - fresh)):  # popular draws; repeats on the page are skipped
            if len(shown) == slots or not pool:
                break
            teaser = pool[bisect(pool_cum, rnd() * pool_cum[-1])]
            if teaser not in shown:
                shown.append(teaser)
        if rnd() < FEATURED:
            joining.append(
                Teaser(
                    title=title,
                    source=source,
                    text=lead(body, 40 + int(rnd() * 100)),
                    published=published,
                    weight=2 * min(500.0, rng.paretovariate(POPULARITY)),
                    article=True,
                )
            )
        related = []
        for teaser in shown:
            teaser.seen += 1
            related.append((crawled - teaser.published, teaser))
        related.sort(key=lambda pair: pair[0])
        text = page_text(title, source, published, body, [(t, age_text(age)) for age, t in related])
        data = text.encode("utf-8")
        folder = out / f"{index // FOLDER_SIZE:03d}"
        if index % FOLDER_SIZE == 0:
            folder.mkdir(parents=True, exist_ok=True)
            summary.folders += 1
        name = f"{index:06d}_{hashlib.blake2b(data, digest_size=8).hexdigest()}.txt"
        path = folder / name
        path.write_bytes(data)
        stamp = crawled.replace(tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
        summary.teaser_blocks += len(shown)
        summary.bytes += len(data)

    window.append(joining)
    for teasers in window:
        retire(teasers)
    summary.seconds = time.perf_counter() - began
    return summary


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a corpus and print its summary."""
    parser = argparse.ArgumentParser(
        description="Generate synthetic news-aggregator pages (see the module docstring)."
    )
    parser.add_argument("out_dir", help="folder to write into (created if missing)")
    parser.add_argument(
        "--stories",
        type=int,
        required=True,
        help=f"text budget in stories of {STORY_BYTES} bytes (210000 = ten times Reuters)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pages-per-story-ratio",
        type=float,
        default=0.4,
        help="pages / distinct stories, 0.3-1 (default 0.4: 1.5 teaser-only stories a page)",
    )
    args = parser.parse_args(argv)
    if args.stories < 1:
        parser.error("--stories must be at least 1")
    try:
        summary = generate(args.out_dir, args.stories, args.seed, args.pages_per_story_ratio)
    except ValueError as err:
        parser.error(str(err))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
