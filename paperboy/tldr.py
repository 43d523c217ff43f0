"""A paper's TL;DR: the abstract sentence that states its contribution.

Extractive and offline: the abstract is split into sentences (``split_sentences``, which
survives "e.g.", "et al.", "Fig. 3", decimals, initials and LaTeX) and one of them is
chosen (``choose_tldr``) by a score measured on 100 hand-labelled papers of the shared
corpus (``benchmarks/tldr.py``, docs/tldr.md):

- a cue phrase that announces a contribution ("we propose", "this paper introduces",
  "in this work, we", ...), strong or weak;
- a penalty for sentences that report results ("outperforms", "experiments", a URL);
- the sentence's position (the contribution is rarely the first or the last sentence);
- its word overlap with the title (lexical cosine; MiniLM embedding similarity to the
  title and the abstract's centroid measured no better and costs ~300 ms a paper).

A leaf module (no paperboy imports) because the store runs it inside the upsert, as it
runs ``codelinks``.
"""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from dataclasses import dataclass

METHOD = "cue+position+title-v2"  # v2: lead-ins ("To address this, ") trimmed
MAX_TLDR_CHARS = 600  # a run-on "sentence" longer than this is cut at a word boundary

# Words after which a period does not end a sentence (compared lower-cased, without it).
_ABBREVIATIONS = frozenset(
    """e.g eg i.e ie al cf vs v fig figs eq eqs sec secs tab ref refs no nos vol
    approx resp dr prof mr mrs ms st jr sr inc ltd co corp dept univ eqn thm lem def
    prop cor alg app ch pp p viz ca est incl max min avg std var
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()  # noqa: SIM905 - a word list
)
_SENTINEL = "\x00"  # stands for a protected period in the masked copy
_MATH = re.compile(r"\$\$.+?\$\$|\$[^$]{1,300}\$|\\\(.{1,300}?\\\)|\\\[.{1,300}?\\\]", re.S)
_BRACKETED = re.compile(r"\([^()]{0,300}\)|\[[^\[\]]{0,300}\]")
# What protects a period that is followed by a space and a capital, checked only at such
# candidate ends: a dotted abbreviation (U.S., e.g.), a word of _ABBREVIATIONS, or an
# initial ("J. Smith") unless the next word is one that starts sentences ("X. We").
_DOTTED_END = re.compile(r"\b(?:[A-Za-z]\.){2,}$")
_WORD_END = re.compile(r"\b([A-Za-z][A-Za-z.]{0,12})\.$")
_INITIAL_END = re.compile(r"(?<![\w.])[A-Z]\.$")
_SENTENCE_STARTERS = re.compile(
    r"(?:We|Our|The|This|These|It|Its|In|To|An?|However|Experiments?|Results?|Finally|"
    r"Moreover|Furthermore|Additionally|Code|Here|Unlike|While|Although|Thus|Therefore|"
    r"Specifically|Extensive)\b"
)
_BOUNDARY = re.compile(
    r"[.?!]+[\"'\u201d\u2019)\]}]*\s+"
    r"(?=[\"'\u201c\u2018(\[{]?(?:[A-Z0-9$\\]|[a-z]+[A-Z0-9]))"
)
# A lost space after a full stop ("resources.To address"): a lower-case word of three or
# more letters, the stop, then a capitalised word followed by a space.
# The stop comes first so the engine can skip to candidate characters (a pattern starting
# with the look-behind was tried at every position); the match ends where the space was.
_LOST_SPACE = re.compile(r"[.?!](?<=[a-z]{3}[.?!])(?=[A-Z][a-z]+\s)")
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

_STOPWORDS = frozenset(
    """a an the of for and or in on to with by from as at is are be was were this that
    these those it its we our via using use based into than then their can also not
    new towards toward how what when which while between under over through""".split()  # noqa: SIM905
)

# Phrases that announce what a paper contributes, and weaker ones that announce findings.
_STRONG_CUES = re.compile(
    r"\b(?:we|here,? we|this (?:paper|work|study|article|letter|report)|"
    r"in this (?:paper|work|study|article|letter),? we|our (?:work|paper|method|approach))"
    r"\s+(?:also\s+|further\s+|then\s+|first\s+|therefore\s+|thus\s+)?"
    r"(?:propose|proposes|introduce|introduces|present|presents|develop|develops|"
    r"design|designs|formulate|formulates|put forward|establish|establishes|"
    r"contribute|contributes|offer|offers|release|releases|build|builds|construct|"
    r"constructs|curate|curates|devise|devises|create|creates|tackle|tackles|"
    r"address|addresses|study|studies|investigate|investigates|explore|explores|"
    r"describe|describes|provide|provides|frame|frames|reframe|leverage|leverages|"
    r"consider|considers|focus|focuses|examine|examines|analy[sz]e|analy[sz]es)\b"
    r"|\bto (?:address|tackle|bridge|fill|overcome|solve|close|remedy|mitigate|"
    r"alleviate|resolve) (?:this|these|that|the|such)\b"
    r"|\bwe (?:call|term|dub|name)\b|\bour contributions?\b|\bin this (?:paper|work)\b",
)
_WEAK_CUES = re.compile(
    r"\b(?:we|this paper|this work|our)\s+(?:show|shows|find|finds|demonstrate|"
    r"demonstrates|reveal|reveals|argue|argues|report|reports|evaluate|evaluates|"
    r"prove|proves|identify|identifies|benchmark|benchmarks)\b"
    r"|\b(?:proposed|novel|framework|approach|method)\b",
)
# Sentences that report results or set the scene rather than state the contribution.
_RESULT_CUES = re.compile(
    r"\b(?:experiments?|results?|outperforms?|achieves?|state-of-the-art|sota|"
    r"code (?:is|and)|available at|https?://|github)\b",
)


FEATURES = ("strong_cue", "weak_cue", "result_cue", "first", "last", "early", "title", "centroid")


@dataclass(frozen=True, slots=True)
class Weights:
    """The chooser's weight per feature (``FEATURES``): the grid point of
    ``benchmarks/tldr.py`` with the best accuracy on the tune half of the labels (ties to
    the point nearest the hand-set prior, which had ``early=0.5``)."""

    strong_cue: float = 3.0
    weak_cue: float = 1.0
    result_cue: float = -1.0
    first: float = -0.5
    last: float = -1.0
    early: float = 0.0
    title: float = 2.0
    centroid: float = 0.0

    def as_tuple(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in FEATURES)


DEFAULT_WEIGHTS = Weights()


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: m.group(0).replace(".", _SENTINEL).replace("?", _SENTINEL), text)


def _masked(text: str) -> str:
    """``text`` with the periods inside LaTeX math and brackets replaced by a sentinel
    (same length, so offsets in the masked copy are offsets in the text)."""
    out = _mask(text, _MATH) if "$" in text or "\\" in text else text
    if "(" in out or "[" in out:
        # Innermost brackets only (a bracket holding another is never matched). This ran
        # three times; a repeat finds the same spans (the sentinel is no bracket) and
        # changes nothing, so once is the same output for a third of the cost.
        out = _mask(out, _BRACKETED)
    return out


def _protected(masked: str, stop: int, after: int) -> bool:
    """Whether the full stop at ``stop`` (the next word starting at ``after``) belongs to
    an abbreviation or an initial rather than ending a sentence."""
    if masked[stop] != ".":
        return False
    token = masked[masked.rfind(" ", 0, stop) + 1 : stop + 1]
    if _DOTTED_END.search(token):
        return True
    word = _WORD_END.search(token)
    if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
        return True
    return bool(
        _INITIAL_END.search(token)
        and masked[after : after + 1].isupper()
        and not _SENTENCE_STARTERS.match(masked, after)
    )


def split_sentences(abstract: str | None, *, lost_spaces: bool = True) -> list[str]:
    """The sentences of an abstract, whitespace collapsed, empty ones dropped.

    ``lost_spaces=False`` keeps "word.Word" whole: the labelled sample of
    ``benchmarks/tldr_sample.py`` was drawn before that rule existed."""
    text = " ".join((abstract or "").split())
    if not text:
        return []
    masked = _masked(text)
    ends = {
        m.end() for m in _BOUNDARY.finditer(masked) if not _protected(masked, m.start(), m.end())
    }
    if lost_spaces:
        ends.update(m.end() for m in _LOST_SPACE.finditer(masked))
    sentences: list[str] = []
    start = 0
    for end in sorted(ends):
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return _merge_fragments(sentences)


def _merge_fragments(sentences: list[str]) -> list[str]:
    """Glue a one-word piece or one without letters (an enumeration marker, a stray
    "1.") onto the next sentence: it was never a sentence of its own."""
    merged: list[str] = []
    carry = ""
    for sentence in sentences:
        # One word <=> no space: the text's whitespace is single spaces by now.
        fragment = " " not in sentence or not any(c.isalpha() for c in sentence)
        if fragment and len(sentences) > 1:
            carry = f"{carry} {sentence}".strip()
            continue
        merged.append(f"{carry} {sentence}".strip() if carry else sentence)
        carry = ""
    if carry:
        if merged:
            merged[-1] = f"{merged[-1]} {carry}"
        else:
            merged.append(carry)
    return merged


def tokens(text: str) -> list[str]:
    """Lower-cased content words (hyphenated terms kept whole and split)."""
    return _lower_tokens(text.lower())


def _lower_tokens(lower: str) -> list[str]:
    """``tokens`` of text already lower-cased (the chooser lowers each sentence once)."""
    words = _TOKEN.findall(lower)
    if "-" not in lower:  # nothing to split: one pass (ingest runs this per sentence)
        return [t for t in words if t not in _STOPWORDS and len(t) > 1]
    found: list[str] = []
    for token in words:
        if token not in _STOPWORDS and len(token) > 1:
            found.append(token)
            if "-" in token:
                found.extend(p for p in token.split("-") if p not in _STOPWORDS and len(p) > 1)
    return found


def _norm(bag: Counter[str]) -> float:
    counts = bag.values()
    return math.sqrt(sum(map(operator.mul, counts, counts)))  # integers: order-free


def lexical_cosine(
    a: Counter[str], b: Counter[str], norms: tuple[float, float] | None = None
) -> float:
    """Cosine of two bags of words (0 when either is empty); ``norms`` when known."""
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
        norms = (norms[1], norms[0]) if norms else None
    dot = sum(a[word] * b[word] for word in a.keys() & b.keys())  # integers: order-free
    norm_a, norm_b = norms or (_norm(a), _norm(b))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def cue_strength(sentence: str) -> int:
    """2 for a strong contribution cue, 1 for a weak one, 0 for none."""
    return _cue_strength(sentence.lower())  # the patterns are lower case: faster than re.I


def _cue_strength(lower: str) -> int:
    if _STRONG_CUES.search(lower):
        return 2
    if _WEAK_CUES.search(lower):
        return 1
    return 0


def choose_cue_only(sentences: list[str]) -> int:
    """The first sentence with the strongest cue; the first sentence when none has one."""
    if not sentences:
        return -1
    strengths = [cue_strength(s) for s in sentences]
    best = max(strengths)
    return strengths.index(best) if best else 0


def sentence_features(
    title: str,
    sentences: list[str],
    similarities: tuple[list[float], list[float]] | None = None,
    *,
    centroid: bool = True,
) -> list[tuple[float, ...]]:
    """One row of ``FEATURES`` per sentence.

    ``similarities`` (to the title, to the abstract's centroid) default to lexical
    cosines; the benchmark passes MiniLM embedding cosines through it instead.
    ``centroid=False`` leaves the centroid feature 0 (cheaper, for a zero weight)."""
    lowers = [s.lower() for s in sentences]
    if similarities is None:
        bags = [Counter(_lower_tokens(lower)) for lower in lowers]
        norms = [_norm(bag) for bag in bags]
        title_bag = Counter(tokens(title))
        title_norm = _norm(title_bag)
        to_title = [
            lexical_cosine(title_bag, bag, (title_norm, n))
            for bag, n in zip(bags, norms, strict=True)
        ]
        to_centroid = [0.0] * len(bags)
        if centroid:
            whole: Counter[str] = Counter()
            for bag in bags:
                whole.update(bag)
            whole_norm = _norm(whole)
            to_centroid = [
                lexical_cosine(whole, bag, (whole_norm, n))
                for bag, n in zip(bags, norms, strict=True)
            ]
        similarities = (to_title, to_centroid)
    title_sim, centroid_sim = similarities
    count = len(sentences)
    middle = max(1.0, (count - 1) / 2)
    rows: list[tuple[float, ...]] = []
    for index, lower in enumerate(lowers):
        strength = _cue_strength(lower)
        rows.append(
            (
                1.0 if strength == 2 else 0.0,
                1.0 if strength == 1 else 0.0,
                1.0 if _RESULT_CUES.search(lower) else 0.0,
                1.0 if count > 1 and index == 0 else 0.0,
                1.0 if count > 1 and index == count - 1 else 0.0,
                max(0.0, 1.0 - index / middle) if count > 1 else 0.0,
                title_sim[index],
                centroid_sim[index],
            )
        )
    return rows


def best_index(rows: list[tuple[float, ...]], weights: tuple[float, ...]) -> int:
    """The highest scoring row (ties go to the earlier sentence); -1 for none."""
    best, best_score = -1, float("-inf")
    for index, row in enumerate(rows):
        score = sum(map(operator.mul, weights, row))  # the same sum, in the same order
        if score > best_score:
            best, best_score = index, score
    return best


def choose_index(title: str, sentences: list[str], weights: Weights = DEFAULT_WEIGHTS) -> int:
    """The index of the contribution sentence (-1 for no sentences)."""
    rows = sentence_features(title, sentences, centroid=weights.centroid != 0)
    return best_index(rows, weights.as_tuple())


# A lead-in that delays the contribution ("To address these challenges, we propose X"):
# dropped from the line so a phone's few words show the claim ("We propose X").
_LEAD_IN = re.compile(
    r"^(?:(?:in|through) this (?:paper|work|study|article|letter|report)|here|to this end|"
    r"therefore|thus|hence|accordingly|consequently|specifically|concretely|in response|"
    r"motivated by (?:this|these)[^,]{0,60}|building on (?:this|these)[^,]{0,60}|"
    r"to (?:address|tackle|bridge|fill|overcome|solve|close|remedy|mitigate|alleviate|"
    r"resolve|counteract|circumvent)[^,]{0,80})\s*,\s+(?=we\b|our\b|this\b)",
    re.I,
)


def trim_lead_in(sentence: str) -> str:
    """``sentence`` without a lead-in before "we/our/this ...", capitalised."""
    trimmed = _LEAD_IN.sub("", sentence, count=1)
    return trimmed[:1].upper() + trimmed[1:] if trimmed != sentence else sentence


def _clip(sentence: str) -> str:
    if len(sentence) <= MAX_TLDR_CHARS:
        return sentence
    cut = sentence[: MAX_TLDR_CHARS - 1].rsplit(" ", 1)[0]
    return f"{cut}\u2026"


def choose_tldr(title: str, abstract: str | None) -> str | None:
    """The TL;DR of a paper (the chosen sentence, its lead-in trimmed), or None when it
    has no abstract."""
    sentences = split_sentences(abstract)
    index = choose_index(title, sentences)
    return _clip(trim_lead_in(sentences[index])) if index >= 0 else None
