"""Highlighting: which words are marked, what is escaped, and which sentences make snippets."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from search.indexing.analysis import normalise
from search.interface.marks import to_html
from search.searching import highlight
from search.searching.highlight import matches

MARK_TAGS = re.compile(r"</?mark>")


def mark(text: str, terms: set[str]) -> str:
    """``highlight.mark`` as the API and the pages show it."""
    return to_html(highlight.mark(text, terms))


def snippets(text: str, terms: set[str], **options: int) -> tuple[str, ...]:
    return tuple(to_html(s) for s in highlight.snippets(text, terms, **options))


def lead(text: str, chars: int = 220) -> str:
    return to_html(highlight.lead(text, chars))


def query(*words: str) -> set[str]:
    """The indexed terms of the query words, as the engine hands them over."""
    return {term for word in words if (term := normalise(word))}


def marked(fragment: str) -> list[str]:
    return [m.get_text() for m in BeautifulSoup(fragment, "html.parser").select("mark")]


def plain(fragment: str) -> str:
    """The text a fragment shows: our marks taken out, entities resolved."""
    return html.unescape(MARK_TAGS.sub("", fragment))


def test_every_form_of_a_stemmed_term_is_marked():
    text = "Elections were called; she was elected, and the electorate cheered."
    assert marked(mark(text, query("election"))) == ["Elections", "elected"]


def test_stop_words_are_never_marked_even_when_the_terms_hold_them():
    # A phrase query can carry a stopped word's folded form among its terms.
    text = "The president of the council spoke."
    assert marked(mark(text, {"the", "of", *query("president")})) == ["president"]


def test_accented_words_match_their_folded_terms():
    text = "Talks moved from Zürich to São Paulo."
    assert marked(mark(text, query("zurich", "Sao", "paulo"))) == ["Zürich", "São", "Paulo"]


def test_initialisms_match_with_or_without_dots():
    assert marked(mark("U.S. and US officials met.", query("US"))) == ["U.S.", "US"]


def test_each_word_of_a_phrase_gets_its_own_mark():
    assert mark("higher interest rates", query("interest", "rates")) == (
        "higher <mark>interest</mark> <mark>rates</mark>"
    )


def test_a_text_without_matches_is_only_escaped():
    assert mark('Fish & "chips"', query("election")) == "Fish &amp; &quot;chips&quot;"
    assert mark("Fish and chips", set()) == "Fish and chips"


HOSTILE = (
    "Reporter's note: <script>alert(1)</script> election & "
    "<img src=x onerror=alert(1)> \"elected\" 'quoted' <mark>fake</mark> election."
)


def test_markup_in_the_text_comes_out_escaped():
    out = mark(HOSTILE, query("election"))
    assert marked(out) == ["election", "elected", "election"]
    assert "<" not in MARK_TAGS.sub("", out)
    assert '"' not in out and "'" not in out  # safe inside an attribute value too
    assert plain(out) == HOSTILE


def test_snippets_are_escaped_and_show_the_original_text():
    text = f"Nothing here. {HOSTILE} Nothing else."
    (fragment,) = snippets(text, query("election"))
    assert "<" not in MARK_TAGS.sub("", fragment)
    assert plain(fragment) == HOSTILE


@given(st.text(alphabet="ab <>&\"'\n.éZ", max_size=60))
def test_marking_any_text_gives_it_back_unchanged(text: str):
    out = mark(text, query("ab", "Zé"))
    assert "<" not in MARK_TAGS.sub("", out)
    assert plain(out) == text


def test_a_match_at_the_end_of_a_long_text_is_found():
    text = "Nothing of note happened in the harbour today. " * 4300
    text += "The zanzibari treaty was signed at dusk."
    assert len(text) > 200_000
    assert matches(text, query("treaty"))
    assert snippets(text, query("treaty")) == (
        "The zanzibari <mark>treaty</mark> was signed at dusk.",
    )


STORM = (
    "Rain fell on the harbour. "  # 1 term
    "The mayor opened a bridge. "  # 1 term
    "Rain and wind closed the bridge. "  # 3 terms
    "Wind, wind, more wind and yet more wind. "  # 1 term, 4 times
    "Officials said rain, wind and snow would return. "  # 3 terms
    "Snow is rare here."  # 1 term
)


def test_snippets_are_the_best_sentences_in_document_order():
    found = snippets(STORM, query("rain", "wind", "bridge", "snow"))
    assert [plain(f) for f in found] == [
        "Rain and wind closed the bridge.",
        "Wind, wind, more wind and yet more wind.",
        "Officials said rain, wind and snow would return.",
    ]
    assert marked(found[0]) == ["Rain", "wind", "bridge"]


def test_distinct_terms_count_before_repeats_and_the_earlier_wins_a_tie():
    found = snippets(STORM, query("rain", "wind", "bridge", "snow"), max_fragments=1)
    assert [plain(f) for f in found] == ["Rain and wind closed the bridge."]


def test_sentences_do_not_end_after_abbreviations_or_initials():
    text = (
        "Mr. Ode said the U.S. economy grew at Acme Inc. and J. Ode Ltd. last year. "
        "The economy of Ruritania shrank."
    )
    found = snippets(text, query("grew"))
    assert [plain(f) for f in found] == [
        "Mr. Ode said the U.S. economy grew at Acme Inc. and J. Ode Ltd. last year."
    ]


def test_sentences_end_at_quotes_figures_and_new_lines():
    text = (
        'He said: "We are done." "The vote is over," she said. '
        "Turnout fell! 40 percent voted\n\nA vote is due in May"
    )
    found = snippets(text, query("vote"), max_fragments=5)
    assert [plain(f) for f in found] == [
        '"The vote is over," she said.',
        "40 percent voted",
        "A vote is due in May",
    ]


def test_a_long_sentence_is_cut_at_words_around_its_matches():
    before = " ".join(f"word{n}" for n in range(60))
    after = " ".join(f"more{n}" for n in range(60))
    sentence = f"{before} the budget vote failed {after}."
    (fragment,) = snippets(sentence, query("budget", "vote"), fragment_chars=100)
    assert fragment.startswith("…") and fragment.endswith("…")
    shown = plain(fragment).strip("…")
    assert len(shown) <= 100
    assert marked(fragment) == ["budget", "vote"]
    at = sentence.index(shown)
    assert sentence[at - 1] == " " and sentence[at + len(shown)] == " "  # whole words only


def test_the_window_of_a_long_sentence_holds_the_most_terms():
    filler = " ".join(f"filler{n}" for n in range(40))
    sentence = f"The budget was late {filler} as the budget vote on taxes failed {filler}."
    (fragment,) = snippets(sentence, query("budget", "vote", "taxes"), fragment_chars=120)
    assert marked(fragment) == ["budget", "vote", "taxes"]


def test_no_match_gives_no_snippets():
    assert snippets(STORM, query("election")) == ()
    assert snippets(STORM, set()) == ()
    assert not matches(STORM, query("election"))


def test_lead_cuts_at_a_word_and_says_so():
    assert lead("The quick brown fox jumps over the lazy dog", 18) == "The quick brown…"
    assert lead("The quick brown fox", 19) == "The quick brown fox"


def test_lead_escapes_and_joins_paragraphs_with_a_space():
    assert lead("Tom & <Jerry>\n\n  Second   paragraph", 220) == (
        "Tom &amp; &lt;Jerry&gt; Second paragraph"
    )


def test_a_compound_is_marked_whole_when_it_matched():
    text = "AT&T and the U.S.-Japan talks; at the table, don't."
    assert marked(mark(text, {"at", "t"})) == ["AT&T"]
    assert marked(mark(text, query("Japan"))) == ["U.S.-Japan"]
