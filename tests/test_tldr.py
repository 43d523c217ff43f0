"""The TL;DR leaf: the sentence splitter on hard cases and the chooser on real abstracts
(fixtures taken from the hand-labelled set, benchmarks/data/tldr_labels.jsonl)."""

from __future__ import annotations

import json

import pytest

from paperboy.tldr import (
    MAX_TLDR_CHARS,
    choose_cue_only,
    choose_index,
    choose_tldr,
    cue_strength,
    split_sentences,
    trim_lead_in,
)
from tests.support import ROOT

LABELS = ROOT / "benchmarks" / "data" / "tldr_labels.jsonl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We study transformers, e.g. BERT and GPT. They scale well.",
            ["We study transformers, e.g. BERT and GPT.", "They scale well."],
        ),
        (
            "As shown by Smith et al. (2023), it works. We confirm it.",
            ["As shown by Smith et al. (2023), it works.", "We confirm it."],
        ),
        (
            "Results are in Fig. 3 and Eq. 2 of Sec. 4. Accuracy rises to 93.5% on v2.1. "
            "Done here.",
            [
                "Results are in Fig. 3 and Eq. 2 of Sec. 4.",
                "Accuracy rises to 93.5% on v2.1.",
                "Done here.",
            ],
        ),
        (
            "We bound the error by $O(n^{1.5}). Then$ it holds. Next we test it.",
            ["We bound the error by $O(n^{1.5}). Then$ it holds.", "Next we test it."],
        ),
        (
            "The rate is $\\mu(1-2\\eta)\\Delta$. It is tight i.e. optimal. We prove it.",
            ["The rate is $\\mu(1-2\\eta)\\Delta$.", "It is tight i.e. optimal.", "We prove it."],
        ),
        (
            "Work by J. Smith and A. B. Jones in the U.S. Army shows this. We extend it.",
            ["Work by J. Smith and A. B. Jones in the U.S. Army shows this.", "We extend it."],
        ),
        (
            "Models fail (see Tab. 2. Also App. A.) on long inputs. We fix that.",
            ["Models fail (see Tab. 2. Also App. A.) on long inputs.", "We fix that."],
        ),
        (
            "Data is scarce.To address this, we introduce X. It helps.",
            ["Data is scarce.", "To address this, we introduce X.", "It helps."],
        ),
        (
            "Is it useful? We answer \u201cyes.\u201d Our code is public.",
            ["Is it useful?", "We answer \u201cyes.\u201d", "Our code is public."],
        ),
        (
            "Prior methods stall. iPhone users and mHC models benefit. Try it.",
            ["Prior methods stall.", "iPhone users and mHC models benefit.", "Try it."],
        ),
        (
            "{We propose X.} {Experiments show gains.}",
            ["{We propose X.}", "{Experiments show gains.}"],
        ),
        (
            "Line one\nwraps here.  Two\tspaces.",  # arXiv's hard line breaks
            ["Line one wraps here.", "Two spaces."],
        ),
        ("", []),
        (None, []),
        ("No full stop at the end", ["No full stop at the end"]),
    ],
)
def test_split_sentences_on_hard_cases(text: str | None, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_short_fragments_join_the_next_sentence() -> None:
    # "(i)." alone is not a sentence: it is glued to what follows it.
    assert split_sentences("We list steps. 1. First we map it. Then we test it.") == [
        "We list steps.",
        "1. First we map it.",
        "Then we test it.",
    ]


def test_lost_spaces_can_be_kept_whole_for_the_drawn_sample() -> None:
    text = "Data is scarce.To address this, we introduce X. It helps."
    assert split_sentences(text, lost_spaces=False) == [
        "Data is scarce.To address this, we introduce X.",
        "It helps.",
    ]


def test_cue_strength() -> None:
    assert cue_strength("In this work, we propose FooNet, a model.") == 2
    assert cue_strength("This paper introduces a benchmark.") == 2
    assert cue_strength("To address these issues, we design a loss.") == 2
    assert cue_strength("We show that it scales.") == 1
    assert cue_strength("Transformers are popular.") == 0


def test_the_contribution_sentence_is_chosen() -> None:
    title = "GenOM: Ontology Matching with Description Generation and Large Language Model"
    abstract = (
        "Ontology matching (OM) plays an essential role in enabling semantic "
        "interoperability, e.g. in the biomedical domain. This paper introduces GenOM, a "
        "large language model (LLM)-based ontology alignment framework. Extensive "
        "experiments on the OAEI Bio-ML track demonstrate that GenOM can often achieve "
        "competitive performance. Further ablation studies confirm the effectiveness of "
        "semantic enrichment."
    )
    assert choose_tldr(title, abstract) == (
        "This paper introduces GenOM, a large language model (LLM)-based ontology "
        "alignment framework."
    )


def test_without_a_cue_the_title_overlap_decides() -> None:
    title = "Sparse attention for long documents"
    sentences = [
        "Long inputs are costly.",
        "Sparse attention over long documents cuts the cost to linear.",
        "Results improve on three benchmarks.",
    ]
    assert choose_cue_only(sentences) == 0  # no cue: the first sentence
    assert choose_index(title, sentences) == 1


@pytest.mark.parametrize(
    ("sentence", "line"),
    [
        ("To address these challenges, we propose X, a tracker.", "We propose X, a tracker."),
        ("In this work, we introduce Y.", "We introduce Y."),
        ("To this end, our method uses Z.", "Our method uses Z."),
        ("Motivated by this gap, this paper presents W.", "This paper presents W."),
        ("In this paper, the method is new.", "In this paper, the method is new."),  # no "we"
        ("To our knowledge, we are first.", "To our knowledge, we are first."),
        ("We propose V.", "We propose V."),
    ],
)
def test_lead_ins_are_trimmed(sentence: str, line: str) -> None:
    assert trim_lead_in(sentence) == line


def test_no_abstract_no_tldr_and_long_sentences_are_cut() -> None:
    assert choose_tldr("A title", None) is None
    assert choose_tldr("A title", "   ") is None
    long = "We propose " + "a very long clause, " * 80 + "and more."
    chosen = choose_tldr("A title", long)
    assert chosen is not None and len(chosen) <= MAX_TLDR_CHARS and chosen.endswith("\u2026")


def test_labelled_papers_are_mostly_right() -> None:
    """The shipped chooser on the 100 hand-labelled papers: at least 85% right (the
    benchmark measured 94% on the tune half and 88% on the test half); the first-sentence
    baseline stays far below."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 100
    right = first = 0
    for row in rows:
        sentences = split_sentences(row["abstract"])
        assert sentences[row["label"]] == row["sentence"]
        right += choose_tldr(row["title"], row["abstract"]) == trim_lead_in(row["sentence"])
        first += sentences[0] == row["sentence"]
    assert right >= 85
    assert first <= 20
