"""Photo captions and their credits, on lines of their own or inline in a paragraph.

An aggregator page shows a caption as a line ending in `` |`` followed by a credit line in
capitals (``REUTERS``), and inside teaser text the same inline
(``... on June 24 | POOL / VIA REUTERS EU foreign ministers ...``). ``body_and_captions`` and
``split_inline_captions`` take them out of the text as ``Caption`` records, so that the body
reads on and a caption can be searched (and shown) apart.
"""

from __future__ import annotations

import re

from search.models import Caption

AGENCIES: tuple[str, ...] = (
    "AAP", "ABACA", "AFP", "ALAMY", "ANADOLU", "ANADOLU AGENCY", "ANI", "ANSA", "AP",
    "ASSOCIATED PRESS", "BERNAMA", "BLOOMBERG", "CNA", "DPA", "EFE", "EPA", "GETTY",
    "GETTY IMAGES", "IMAGO", "JIJI", "JIJI PRESS", "KYODO", "KYODO NEWS", "NURPHOTO", "PA",
    "PA MEDIA", "PA WIRE", "PTI", "REUTERS", "SHUTTERSTOCK", "SIPA", "SIPA USA", "SPUTNIK",
    "STR", "TASS", "UPI", "XINHUA", "YONHAP", "ZUMA PRESS",
)  # fmt: skip
"""Words that end a photo credit: after them, capitals belong to the next sentence."""

CREDIT_TAIL: frozenset[str] = frozenset({"/", "FILE", "PHOTO", "PHOTOS"})
"""Words that may still follow an agency inside a credit (``REUTERS / FILE PHOTO``)."""

ABBREVIATIONS: frozenset[str] = frozenset(
    "mr mrs ms dr st jr sr gen lt col capt sgt gov sen rep prof rev no vs inc corp co ltd mt ft "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
"""Words whose full stop does not end a sentence (initials and ``U.S.`` are caught anyway)."""

_AGENCY_PHRASES = tuple(tuple(agency.split()) for agency in AGENCIES)
_AGENCY_WORDS = frozenset(agency for agency in AGENCIES if " " not in agency)
_INLINE_PIPE = re.compile(r"\s+\|(?:\s+|$)")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+")
_TOKEN = re.compile(r"\S+")
_CREDIT_CHARS = frozenset("'’.-/&()")
_MAX_CREDIT_WORDS = 15
_MAX_CREDIT_LINE = 80


def body_and_captions(texts: list[str]) -> tuple[str, tuple[Caption, ...]]:
    """Paragraphs joined by blank lines, with photo captions and their credits taken out.

    A caption is a line ending in ``|``; the next line is its credit when it is in capitals.
    Captions glued inside a paragraph are split out by ``split_inline_captions``.
    """
    paragraphs: list[str] = []
    captions: list[Caption] = []
    index = 0
    while index < len(texts):
        line = texts[index]
        index += 1
        if line.endswith("|"):
            credit = ""
            if index < len(texts) and is_credit_line(texts[index]):
                credit = texts[index]
                index += 1
            caption = line[:-1].rstrip()
            if caption:
                captions.append(Caption(text=caption, credit=credit))
            continue
        paragraph, inline = split_inline_captions(line)
        captions.extend(inline)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs), tuple(captions)


def is_credit_line(line: str) -> bool:
    """True for a short line in capitals, the way photo credits are printed."""
    words = line.split()
    return (
        0 < len(words) <= _MAX_CREDIT_WORDS
        and len(line) <= _MAX_CREDIT_LINE
        and all(is_caps_word(word.rstrip(",")) for word in words)
    )


def split_inline_captions(text: str) -> tuple[str, tuple[Caption, ...]]:
    """Take captions glued into running text out of it.

    ``… pressure is needed." French President … on June 24 | POOL / VIA REUTERS EU foreign
    ministers …`` gives the text ``… pressure is needed." EU foreign ministers …`` and the
    caption ``French President … on June 24`` credited ``POOL / VIA REUTERS``. The caption
    begins after the last sentence end before the `` | ``; the credit is the run of capitals
    after it, cut after the last agency word (``AGENCIES``) so that a next sentence opening with
    capitals (``EU``) is kept. A `` | `` followed by no credit is left alone, except at the very
    end of the text, where it marks a caption with no credit.
    """
    captions: list[Caption] = []
    kept: list[str] = []
    resume = 0
    for pipe in _INLINE_PIPE.finditer(text):
        if pipe.start() < resume:
            continue
        at_end = pipe.end() == len(text)
        credit, credit_end = read_credit(text, pipe.end())
        if not credit and not at_end:
            continue
        start = caption_start(text, resume, pipe.start())
        caption = text[start : pipe.start()].strip()
        if not caption:
            continue
        captions.append(Caption(text=caption, credit=credit))
        kept.append(text[resume:start])
        resume = credit_end if credit else pipe.end()
    kept.append(text[resume:])
    body = " ".join(part.strip() for part in kept if part.strip())
    return body, tuple(captions)


def caption_start(text: str, lower: int, pipe: int) -> int:
    """Where a caption ending at ``pipe`` begins: after the last sentence end since ``lower``."""
    end = lower + len(text[lower:pipe].rstrip())
    start = lower
    for stop in _SENTENCE_END.finditer(text, lower, end):
        if stop.end() < end and not is_abbreviation(text, lower, stop.start()):
            start = stop.end()
    return start


def is_abbreviation(text: str, lower: int, stop: int) -> bool:
    """True when the full stop at ``stop`` closes an abbreviation, not a sentence."""
    if text[stop] != ".":
        return False
    word_start = max(text.rfind(" ", lower, stop), lower - 1) + 1
    word = text[word_start:stop].lstrip("\"'“‘(")
    return (
        "." in word  # U.S., a.m.
        or (len(word) == 1 and word.isalpha())  # initials: Phillips P. O'Brien
        or word.casefold() in ABBREVIATIONS
    )


def read_credit(text: str, start: int) -> tuple[str, int]:
    """The photo credit starting at ``start``, and where it ends; ``("", start)`` if none."""
    run: list[re.Match[str]] = []
    for token in _TOKEN.finditer(text, start):
        if not is_caps_word(token.group()) or len(run) == _MAX_CREDIT_WORDS:
            break
        run.append(token)
    words = [token.group() for token in run]
    length = agency_end(words)
    if length:
        while length < len(words) and words[length] in CREDIT_TAIL:
            length += 1
    else:
        length = len(words)
        # No agency to stop at: a lone "A" or "I" at the end opens the next sentence.
        if length > 1 and words[-1] in {"A", "I"}:
            length -= 1
    while length and words[length - 1] in {"/", "&", "-"}:
        length -= 1
    if not length:
        return "", start
    return text[run[0].start() : run[length - 1].end()], run[length - 1].end()


def agency_end(words: list[str]) -> int:
    """Number of words up to and including the last agency name among them; 0 if none."""
    end = 0
    for index, word in enumerate(words):
        if _AGENCY_WORDS.intersection(re.split(r"[-/]", word.strip(".,;:()"))):
            end = index + 1
        for phrase in _AGENCY_PHRASES:
            if tuple(words[index : index + len(phrase)]) == phrase:
                end = max(end, index + len(phrase))
    return end


def is_caps_word(word: str) -> bool:
    """True for a word written in capitals (``REUTERS``, ``AFP-JIJI``, ``U.S.``) or a slash."""
    if word in {"/", "&", "-"}:
        return True
    return (
        any(char.isalpha() for char in word)
        and not any(char.islower() for char in word)
        and all(char.isalnum() or char in _CREDIT_CHARS for char in word)
    )
