"""Computing a map from vectors and texts: deterministic layout, topics that follow the
data, labels by c-TF-IDF, and the rising rule on constructed examples."""

from __future__ import annotations

import numpy as np

from paperboy.maps.build import (
    RISING_MIN_PREVIOUS,
    MapInputs,
    compute_map,
    fingerprint,
    rising_topics,
)
from paperboy.maps.labels import ctfidf, topic_terms
from paperboy.maps.layout import cluster_count

TOPICS = {
    "protein": "protein folding structure prediction residues",
    "galaxy": "galaxy cluster redshift telescope survey",
    "speech": "speech recognition acoustic audio transcription",
    "robot": "robot grasping manipulation gripper control",
    "graph": "graph neural network message passing nodes",
}


def synthetic(per_topic: int = 12, seed: int = 0) -> MapInputs:
    """Five well-separated groups of unit vectors, each with its own vocabulary (and a
    word all of them share, which must not become a label)."""
    rng = np.random.default_rng(seed)
    dim = 32
    vectors, titles, abstracts, ids = [], [], [], []
    for t, (name, words) in enumerate(TOPICS.items()):
        centre = np.zeros(dim)
        centre[t * 5] = 1.0
        for i in range(per_topic):
            v = centre + rng.normal(0, 0.08, dim)
            vectors.append(v / np.linalg.norm(v))
            ids.append(f"2606.{t:02d}{i:03d}")
            titles.append(f"Learning {name} models number {i}")
            abstracts.append(f"We study {words}. Learning models matter.")
    return MapInputs(ids, titles, abstracts, np.array(vectors), np.zeros((0, dim)))


def test_the_same_input_gives_the_same_map() -> None:
    first, second = compute_map(synthetic()), compute_map(synthetic())
    assert first == second
    xs = [p["x"] for p in first["papers"]]
    ys = [p["y"] for p in first["papers"]]
    assert min(xs) >= 0 and max(xs) <= 1000 and min(ys) >= 0 and max(ys) <= 1000


def test_topics_follow_the_groups_and_are_labelled_by_their_own_words() -> None:
    result = compute_map(synthetic())
    assert len(result["clusters"]) == 5
    by_topic: dict[int, set[str]] = {}
    for p in result["papers"]:
        by_topic.setdefault(p["cluster"], set()).add(p["id"][5:7])
    assert sorted(len(groups) for groups in by_topic.values()) == [1] * 5  # no mixing
    labels = " ".join(c["label"] for c in result["clusters"])
    for name in TOPICS:
        assert name in labels
    assert "learning" not in labels  # in every topic: not distinctive
    assert all(c["size"] == 12 and c["rising"] is False for c in result["clusters"])


def test_ctfidf_prefers_a_distinctive_word_to_a_frequent_common_one() -> None:
    # Topic 0 uses "model" 10 times and "qubit" 3 times; topic 1 uses "model" 10 times.
    counts = np.array([[10.0, 3.0, 0.0], [10.0, 0.0, 4.0]])
    weights = ctfidf(counts)
    assert weights[0, 1] > weights[0, 0] and weights[1, 2] > weights[1, 0]


def test_labels_drop_stopwords_and_words_inside_a_chosen_phrase() -> None:
    texts = ["the video generation of the motion"] * 3 + ["the protein folding is here"] * 3
    terms = topic_terms(texts, np.array([0, 0, 0, 1, 1, 1]), 2)
    assert all("the" not in t.split() for group in terms for t in group)
    words = [w for t in terms[0] for w in t.split()]
    assert len(words) == len(set(words))  # "video" not again after "video generation"


def test_rising_rule() -> None:
    k = 3
    now = np.array([0] * 50 + [1] * 30 + [2] * 20)  # shares 0.5, 0.3, 0.2
    # Previous period: 0.5, 0.45, 0.05 -> topic 2 quadrupled: rising; 1 shrank.
    before = np.array([0] * 20 + [1] * 18 + [2] * 2)
    shares = rising_topics(now, before, k)
    assert [r for _, _, r in shares] == [False, False, True]
    assert shares[2][:2] == (0.2, 0.05)
    # Grown 1.5 times but by less than one point: not rising.
    tiny_now = np.array([0] * 991 + [1] * 9)
    tiny_before = np.array([0] * 995 + [1] * 5)
    assert [r for _, _, r in rising_topics(tiny_now, tiny_before, 2)] == [False, False]
    # A previous period too small to compare: nothing rises, no previous share.
    few = np.array([0] * (RISING_MIN_PREVIOUS - 1))
    expected = [(0.5, None, False), (0.3, None, False), (0.2, None, False)]
    assert rising_topics(now, few, k) == expected


def test_rising_topics_in_a_map_use_the_nearest_centroid() -> None:
    inputs = synthetic()
    # The previous period: 40 papers near the "protein" group, 2 near each other one.
    groups = [inputs.vectors[i * 12] for i in range(5)]
    previous = np.array([groups[0]] * 40 + [g for g in groups[1:] for _ in range(2)])
    result = compute_map(MapInputs(*vars_of(inputs)[:4], previous))
    rising = {c["label"].split(" · ")[0]: c["rising"] for c in result["clusters"]}
    protein = next(c for c in result["clusters"] if "protein" in c["label"])
    assert protein["rising"] is False and protein["previous_share"] == round(40 / 48, 4)
    assert sum(rising.values()) == 4  # every other topic grew from 4% to 20%


def vars_of(inputs: MapInputs) -> tuple[object, ...]:
    return (inputs.arxiv_ids, inputs.titles, inputs.abstracts, inputs.vectors)


def test_cluster_count_scales_with_size() -> None:
    assert [cluster_count(n) for n in (0, 4, 25, 400, 2000, 8000, 100_000)] == [
        0,
        2,
        5,
        8,
        18,
        30,
        30,
    ]


def test_fingerprint_changes_with_any_input() -> None:
    base = fingerprint("m", ["1:a", "2:b"], ["3:c"])
    assert base == fingerprint("m", ["1:a", "2:b"], ["3:c"])
    assert base != fingerprint("m", ["1:a", "2:x"], ["3:c"])  # a vector changed
    assert base != fingerprint("m", ["1:a"], ["3:c"])  # a paper left
    assert base != fingerprint("m", ["1:a", "2:b"], [])  # the previous period changed
    assert base != fingerprint("other", ["1:a", "2:b"], ["3:c"])
