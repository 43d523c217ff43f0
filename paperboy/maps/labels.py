"""Topic labels: the terms that set a topic apart, by class-based TF-IDF.

All titles and abstracts of a topic are one document (its class); a term's weight in a
topic is its frequency there (normalised by the topic's word count) times
``log(1 + A / f)``, where ``A`` is the average number of words per topic and ``f`` the
term's frequency over all topics (BERTopic's c-TF-IDF). A word every topic uses ("model",
"results") gets a low weight however often it appears, so labels name what is particular
to a topic rather than what is common. English stopwords and the boilerplate of
abstracts are removed first; terms are words and two-word phrases seen at least twice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Words of every abstract that say nothing about its topic (beyond English stopwords).
BOILERPLATE = frozenset(
    """
    paper propose proposed proposes present presents presented introduce introduces
    approach approaches method methods methodology result results show shows shown
    demonstrate demonstrates achieve achieves achieved using use used based novel new
    state art existing work works study studies framework frameworks experiment
    experiments experimental extensive outperform outperforms performance significantly
    significant problem problems task tasks recent recently furthermore moreover
    however code available github com https http et al address addresses including
    provide provides effective effectively efficient improve improves improved improving
    analysis various different key large set paradigm leverage leverages leveraging
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
TERMS_PER_LABEL = 3
# A term in more than this share of the period's papers ("language models" in 2025)
# cannot tell its topics apart (unless one topic is that large); c-TF-IDF alone still
# lets such a term win on sheer frequency.
MAX_DOCUMENT_SHARE = 0.15
WORDS = r"(?u)\b[^\W\d_][\w-]*[^\W_]\b"  # words of 2+ characters, not starting with a digit


def stopwords() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | BOILERPLATE


def topic_terms(
    texts: Sequence[str], labels: np.ndarray, k: int, *, terms: int = TERMS_PER_LABEL
) -> list[list[str]]:
    """The ``terms`` most distinctive terms of each topic 0..k-1 (fewer when a topic has
    no distinctive term)."""
    if k == 0 or not texts:
        return [[] for _ in range(k)]
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(
        stop_words=sorted(stopwords()),
        ngram_range=(1, 2),
        min_df=min(2, len(texts)),
        max_df=_max_document_share(labels, k) if len(texts) >= 50 else 1.0,
        token_pattern=WORDS,
        lowercase=True,
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # no term at all (every text empty or stopwords only)
        return [[] for _ in range(k)]
    vocabulary = vectorizer.get_feature_names_out()
    per_topic = np.zeros((k, counts.shape[1]), dtype=np.float64)
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        if len(rows):
            per_topic[c] = np.asarray(counts[rows].sum(axis=0)).ravel()
    weights = ctfidf(per_topic)
    return [_best_terms(weights[c], per_topic[c], vocabulary, terms) for c in range(k)]


def _max_document_share(labels: np.ndarray, k: int) -> float:
    """Terms in more papers than this share are dropped: ``MAX_DOCUMENT_SHARE``, or more
    when one topic alone is bigger (its own words must survive)."""
    largest = np.bincount(labels, minlength=k).max() / max(1, len(labels))
    return float(min(1.0, max(MAX_DOCUMENT_SHARE, 1.5 * largest)))


def ctfidf(per_topic: np.ndarray) -> np.ndarray:
    """Class-based TF-IDF of a (topics x terms) count matrix."""
    words = per_topic.sum(axis=1, keepdims=True)
    tf = np.divide(per_topic, words, out=np.zeros_like(per_topic), where=words > 0)
    tf = np.sqrt(tf)  # damp the most frequent words (BERTopic's reduce_frequent_words)
    frequency = per_topic.sum(axis=0)
    average = words.mean() if len(words) else 0.0
    idf = np.log1p(np.divide(average, frequency, out=np.zeros_like(frequency), where=frequency > 0))
    return np.asarray(tf * idf)


def _best_terms(
    weights: np.ndarray, counts: np.ndarray, vocabulary: np.ndarray, wanted: int
) -> list[str]:
    chosen: list[str] = []
    # Highest weight first; ties by term, so labels never depend on sort stability.
    for index in sorted(np.flatnonzero(counts > 0), key=lambda i: (-weights[i], vocabulary[i])):
        term = str(vocabulary[index])
        if _overlaps(term, chosen):
            continue
        chosen.append(term)
        if len(chosen) == wanted:
            break
    return chosen


def _overlaps(term: str, chosen: list[str]) -> bool:
    """A word already inside a chosen phrase, or a phrase all of whose words are chosen
    (or that contains a chosen word): "diffusion" after "diffusion models" adds nothing."""
    words = set(term.split())
    for other in chosen:
        other_words = set(other.split())
        if words <= other_words or other_words <= words:
            return True
    return False
