"""Topics learned from the corpus they label: the word lists seed a classifier, which labels all.

Pipeline place: after folding, before writing (``indexer``). The taxonomy's hand-written word
lists (``topics.Taxonomy.scores``) decide the stories they are sure of; a Complement Naive
Bayes classifier (Rennie et al., 2003) is trained on those decisions over the corpus's own
vocabulary, relabels the corpus, is trained again on its own confident decisions
(``ROUNDS`` times), and then labels every story, short teasers included. It learns words no
list names (a BBC technology story says *broadband*, *gadget*, *users*), from nothing but the
corpus: no user labels, no weights shipped or downloaded.

The indicator words also enter the model as pseudo-counts (``PRIOR``), so on a small corpus
the model is close to the word lists, and on a large one the corpus speaks. A word-list topic
that never gets a seed is left out of the model (it cannot be learned). Beats are not learned:
they are queries, and ``Taxonomy`` matches them as written.

Everything is deterministic: the vocabulary is sorted, seeds are ranked with ties broken by
story order, and the arithmetic is numpy's over arrays in that order, so the same corpus gives
the same topics under any ``PYTHONHASHSEED``, and an update equals a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np

from search.ingest.topic_features import Corpus
from search.models import TopicReason

TITLE_WEIGHT = 1
"""A title term counts as this many body terms: a short item's headline is most of its text."""
ALPHA = 0.3
"""Smoothing of the complement counts."""
PRIOR = 2.0
"""Pseudo-counts an indicator word adds to its topic, per unit of its weight."""
SEED_SHARE = 0.5
"""Per topic, the most confident share of the stories it was given that train the next round."""
ROUNDS = 6
"""Rounds of self-training after the word-list seeds."""
MIN_STORIES = 100
"""Fewer stories than this teach a classifier nothing the word lists do not know."""
MAX_LEARN = 4000
"""A larger corpus trains on this many of its stories (chosen by a hash of their ids, so the
same stories whatever else changed); all of them are labelled."""
MIN_DF = 3
"""A term must be in this many stories to be a feature: one-off words cannot generalise."""
CONFIDENT = 0.15
"""A story whose best topic has less confidence than this gets no learned topic."""
EXTRA = 0.25
"""A second or third topic needs at least this confidence."""
MAX_TOPICS = 3
WHY_WORDS = 4
"""How many of its words explain a topic."""
SCALE = 0.5
"""Confidence is a softmax over the classifier's scores times this."""
CLASS_PRIOR = 1.0
"""How much the share of the corpus a topic holds counts: weak evidence leans to common topics."""
MODEL_VERSION = 2
"""Bump when the method changes, so stories' fingerprints (and the update) follow."""


def settings() -> str:
    """The method's constants, for fingerprints: a change relabels the corpus."""
    values = [MODEL_VERSION, TITLE_WEIGHT, ALPHA, PRIOR, SEED_SHARE, ROUNDS, MIN_STORIES]
    values += [MAX_LEARN, MIN_DF, CLASS_PRIOR]
    values += [CONFIDENT, EXTRA, MAX_TOPICS, WHY_WORDS, SCALE]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:12]


class Features:
    """The classifier's view of a ``Corpus``: the terms in ``MIN_DF`` stories or more,
    counted sub-linearly, as CSR arrays (``crow``, ``cols``, ``data``; ``indptr``)."""

    def __init__(self, corpus: Corpus) -> None:
        self.size = len(corpus)
        vocab = corpus.vocab
        df = np.bincount(corpus.terms, minlength=len(vocab))
        wanted = df >= MIN_DF
        keep = wanted[corpus.terms]
        self.columns = [vocab[i] for i in np.flatnonzero(wanted)]
        """The classifier's vocabulary, sorted."""
        self.column_of = {term: n for n, term in enumerate(self.columns)}
        self.cols = (np.cumsum(wanted) - 1)[corpus.terms[keep]]
        self.crow = corpus.rows[keep]
        self.data = np.log1p((corpus.text + TITLE_WEIGHT * corpus.title)[keep])
        """Sub-linear counts: a word said ten times is not ten times the evidence."""
        self.indptr = np.searchsorted(self.crow, np.arange(self.size + 1))

    def __len__(self) -> int:
        return self.size

    def subset(self, rows: np.ndarray) -> Features:
        """The same columns for the stories at ``rows`` (sorted), numbered from 0."""
        part = object.__new__(Features)
        part.size, part.columns, part.column_of = len(rows), self.columns, self.column_of
        renumber = np.full(self.size, -1)
        renumber[rows] = np.arange(len(rows))
        keep = renumber[self.crow] >= 0
        part.crow, part.cols, part.data = (
            renumber[self.crow[keep]],
            self.cols[keep],
            self.data[keep],
        )
        part.indptr = np.searchsorted(part.crow, np.arange(part.size + 1))
        return part

    def class_counts(self, labels: np.ndarray, classes: int) -> np.ndarray:
        """Feature totals per class over the stories with a label (``-1``: none)."""
        width = len(self.columns)
        per_nonzero = labels[self.crow]
        keep = per_nonzero >= 0
        flat = per_nonzero[keep] * width + self.cols[keep]
        totals = np.bincount(flat, weights=self.data[keep], minlength=classes * width)
        return totals.reshape(classes, width)

    def scores(self, weights: np.ndarray) -> np.ndarray:
        """``X @ weights.T``: each story's score for each class."""
        out = np.empty((len(self), weights.shape[0]))
        for c in range(weights.shape[0]):
            out[:, c] = np.bincount(
                self.crow, weights=weights[c, self.cols] * self.data, minlength=len(self)
            )
        return out


def complement_weights(counts: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """Complement Naive Bayes: a class's weight for a term is minus the log of the term's
    smoothed share in every other class, higher meaning more typical of the class; each
    class's weights are then scaled to the same mean."""
    counts = counts + prior
    complement = counts.sum(axis=0, keepdims=True) - counts + ALPHA
    weights = -np.log(complement / complement.sum(axis=1, keepdims=True))
    # Weight normalisation (Rennie et al.'s WCNB): every class's weights on one scale, so a
    # topic with many training stories does not win a short story on its common words.
    size = weights.mean(axis=1, keepdims=True)
    return weights / size * size.mean()


def confident_seeds(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Per class, keep the ``SEED_SHARE`` of its stories with the widest margin over the
    runner-up; the rest get ``-1``. Ties go to the earlier story."""
    ranked = np.sort(scores, axis=1)
    margin = ranked[:, -1] - ranked[:, -2] if scores.shape[1] > 1 else ranked[:, -1]
    seeds = np.full(len(labels), -1)
    for c in np.unique(labels[labels >= 0]):
        members = np.flatnonzero(labels == c)
        order = members[np.lexsort((members, -margin[members]))]
        keep = order[: max(1, int(np.ceil(len(order) * SEED_SHARE)))]
        seeds[keep] = c
    return seeds


def class_log_prior(labels: np.ndarray, classes: int) -> np.ndarray:
    """The log of each class's share of ``labels``, smoothed by one story each."""
    counts = np.bincount(labels, minlength=classes) + 1.0
    return np.log(counts / counts.sum())


class TopicModel:
    """A classifier over one corpus's vocabulary, trained from the word lists' decisions."""

    def __init__(
        self, features: Features, topics: Sequence[str], weights: np.ndarray, scores: np.ndarray
    ) -> None:
        self.features = features
        self.topics = tuple(topics)
        self.weights = weights
        self.scores = scores
        """Story x topic: the final scores, the class prior included."""

    @classmethod
    def train(
        cls,
        features: Features,
        topics: Sequence[str],
        list_scores: np.ndarray,
        indicators: dict[str, list[tuple[int, float]]],
        learn_from: np.ndarray | None = None,
    ) -> TopicModel | None:
        """Train on ``features`` from the word lists' ``list_scores`` (story x topic);
        ``None`` when there is nothing to learn from (fewer than two seeded topics, or
        fewer than ``MIN_STORIES`` stories). ``learn_from``: the rows of the stories to
        train on (default: all); every story is labelled."""
        has = list_scores.max(axis=1) > 0 if list_scores.size else np.zeros(0, bool)
        labels = np.where(has, np.argmax(list_scores, axis=1), -1)
        used = [c for c in range(len(topics)) if (labels == c).any()]
        if len(used) < 2 or len(features) < MIN_STORIES or not features.columns:
            return None
        remap = np.full(len(topics) + 1, -1)
        remap[used] = np.arange(len(used))
        labels = remap[labels]
        scores = list_scores[:, used]
        prior = np.zeros((len(used), len(features.columns)))
        for term, hits in indicators.items():
            column = features.column_of.get(term)
            for topic, weight in hits if column is not None else ():
                if remap[topic] >= 0:
                    prior[remap[topic], column] += PRIOR * weight
        everything = features
        if learn_from is not None:
            features, labels, scores = (
                features.subset(learn_from),
                labels[learn_from],
                scores[learn_from],
            )
        seeds = confident_seeds(scores, labels)
        log_prior = class_log_prior(labels[labels >= 0], len(used))
        for round_ in range(ROUNDS + 1):
            weights = complement_weights(features.class_counts(seeds, len(used)), prior)
            if round_ == ROUNDS:
                scores = everything.scores(weights) + CLASS_PRIOR * log_prior
            else:
                scores = features.scores(weights) + CLASS_PRIOR * log_prior
                # The model's own confident decisions, where the word lists disagree too: a
                # headline's word-list hit (a tech story's "firm", "sales") is often wrong.
                predicted = np.argmax(scores, axis=1)
                log_prior = class_log_prior(predicted, len(used))
                seeds = confident_seeds(scores, predicted)
        return cls(everything, [topics[c] for c in used], weights, scores)

    def confidences(self) -> np.ndarray:
        """Story x topic: a softmax over the scores (each row sums to 1)."""
        scores = self.scores
        exp = np.exp(SCALE * (scores - scores.max(axis=1, keepdims=True)))
        return exp / exp.sum(axis=1, keepdims=True)

    def reasons(self) -> list[tuple[TopicReason, ...]]:
        """Each story's topics, best first, with their confidence and deciding terms; none
        for a story whose best topic is below ``CONFIDENT`` or that no term of its own
        favours (it would be the topics' shares of the corpus speaking, not the story)."""
        confidence = self.confidences()
        f = self.features
        order = np.argsort(-confidence, axis=1, kind="stable")  # ties: the earlier topic
        best = order[:, 0]
        runner_up = order[:, 1] if len(self.topics) > 1 else best
        sure = confidence[np.arange(len(f)), best]
        assigned = ((np.diff(f.indptr) > 0) & (sure >= CONFIDENT)).tolist()
        why = self._why_all(best, runner_up)
        out: list[tuple[TopicReason, ...]] = []
        ranked = order[:, 1:MAX_TOPICS]
        shares = np.take_along_axis(confidence, ranked, axis=1)
        rows = zip(assigned, best.tolist(), sure.tolist(), why, strict=True)
        for row, (chosen, topic, value, words) in enumerate(rows):
            if not chosen or not words:  # no word of its own decided it: only the prior
                out.append(())
                continue
            found = [TopicReason(self.topics[topic], round(value, 3), words)]
            if shares[row, 0] >= EXTRA:
                for other, share in zip(ranked[row].tolist(), shares[row].tolist(), strict=True):
                    if share >= EXTRA:
                        words = self._why(row, other, topic)
                        found.append(TopicReason(self.topics[other], round(share, 3), words))
            out.append(tuple(found))
        return out

    def _gains(self, top: np.ndarray, other: np.ndarray, at: slice) -> np.ndarray:
        """How much each (story, term) pair in ``at`` favours ``top`` over ``other``."""
        f = self.features
        cols = f.cols[at]
        return (self.weights[top, cols] - self.weights[other, cols]) * f.data[at]

    def _why_all(self, top: np.ndarray, other: np.ndarray) -> list[tuple[str, ...]]:
        """Per story, its ``WHY_WORDS`` terms that favour ``top`` over ``other`` the most:
        ``WHY_WORDS`` passes, each taking every story's best remaining term (on equal gains
        the earlier term, which is the terms' order)."""
        f = self.features
        gain = self._gains(top[f.crow], other[f.crow], slice(None))
        lengths = np.diff(f.indptr)
        rows = np.flatnonzero(lengths > 0)
        why: list[list[str]] = [[] for _ in range(len(f))]
        for _ in range(WHY_WORDS):
            best = np.maximum.reduceat(gain, f.indptr[rows]) if len(rows) else gain[:0]
            at = np.flatnonzero((gain == np.repeat(best, lengths[rows])) & (gain > 0))
            if not len(at):
                break
            at = at[np.r_[True, f.crow[at][1:] != f.crow[at][:-1]]]
            for row, col in zip(f.crow[at].tolist(), f.cols[at].tolist(), strict=True):
                why[row].append(f.columns[col])
            gain[at] = -np.inf
        return [tuple(words) for words in why]

    def _why(self, row: int, topic: int, other: int) -> tuple[str, ...]:
        f = self.features
        at = slice(f.indptr[row], f.indptr[row + 1])
        gain = self._gains(np.asarray(topic), np.asarray(other), at)
        best = np.lexsort((f.cols[at], -gain))[:WHY_WORDS]
        return tuple(f.columns[f.cols[at][i]] for i in best if gain[i] > 0)
