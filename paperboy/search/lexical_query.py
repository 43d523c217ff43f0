"""The tantivy queries of a parsed search: the ranked part (each word over the weighted
fields, acronym plurals, phrases, a proximity bonus) and the filters. Split from
lexical.py, which owns the index itself (schema, sync, searching)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass

import tantivy

from paperboy.search.query import ParsedQuery, day_number

_VOWEL = re.compile(r"[aeiouy]")


@dataclass(frozen=True, slots=True)
class LexicalParams:
    """BM25 field weights and the proximity bonus, tuned on the known-item tune half and
    SciFact train (benchmarks/known_item.py --tune-lexical; docs/search.md)."""

    title: float = 0.5
    abstract: float = 1.0
    authors: float = 1.0
    proximity: float = 0.1  # weight of a sloppy-phrase match of two adjacent query words
    slop: int = 3


def _forms(term: str) -> list[str]:
    """The term and, for acronyms, its plural or singular: English stemming turns "gans"
    into "gan" but leaves "llms", "cnns" or "vlms" (no vowel) as they are."""
    stem = term.rstrip("s")
    if len(term) < 2 or not stem or _VOWEL.search(stem) or term.isdigit():
        return [term]
    return [term, term[:-1]] if term.endswith("s") and len(term) > 2 else [term, term + "s"]


def text_query(
    index: tantivy.Index,
    p: LexicalParams,
    pq: ParsedQuery,
    fields: tuple[str, ...] | None = None,
    *,
    proximity: bool = True,
) -> tantivy.Query | None:
    """The ranked part: words may match, phrases must. None without text.

    Each word is matched in each field (with its BM25 weight) by a clause of its own: one
    flat union, which tantivy scores faster than a union of per-word unions (the same
    sums, so the same scores). An acronym's plural is matched as the same word (the
    English stemmer keeps "llms" apart from "llm"). Adjacent words found close together
    (a sloppy phrase) add a bonus unless ``proximity`` is off (see proximity_query).
    ``fields`` restricts the query to some fields (the reranker's per-field scores).
    """
    if not pq.has_text:
        return None
    weights = _weights(p, fields)
    if not weights:
        return None
    chosen = list(weights)
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for term in dict.fromkeys(pq.terms):
        forms = _forms(term)
        if len(forms) == 1:
            clauses += [
                (tantivy.Occur.Should, index.parse_query(term, [f], field_boosts={f: w}))
                for f, w in weights.items()
            ]
            continue
        variants = [index.parse_query(v, chosen, field_boosts=weights) for v in forms]
        clauses.append((tantivy.Occur.Should, tantivy.Query.disjunction_max_query(variants)))
    for phrase in pq.phrases:
        text = '"' + " ".join(phrase) + '"'
        clauses.append((tantivy.Occur.Must, index.parse_query(text, chosen, field_boosts=weights)))
    near = proximity_query(index, p, pq, fields) if proximity else None
    if near is not None:
        clauses.append((tantivy.Occur.Should, near))
    return tantivy.Query.boolean_query(clauses)


def _weights(p: LexicalParams, fields: tuple[str, ...] | None) -> dict[str, float]:
    boosts = {"title": p.title, "abstract": p.abstract, "authors": p.authors}
    return {f: boosts[f] for f in fields or boosts if boosts.get(f, 0) > 0}


def proximity_query(
    index: tantivy.Index,
    p: LexicalParams,
    pq: ParsedQuery,
    fields: tuple[str, ...] | None = None,
) -> tantivy.Query | None:
    """The proximity bonus alone: each pair of adjacent query words found within
    ``p.slop`` words of each other in the title or abstract, weighted ``p.proximity``.
    None when it does not apply (one word, or the bonus is off)."""
    weights = _weights(p, fields)
    near = [f for f in weights if f in ("title", "abstract")]
    if p.proximity <= 0 or not near or len(pq.terms) < 2:
        return None
    pairs = []
    for a, b in itertools.pairwise(pq.terms):
        pair = index.parse_query(
            f'"{a} {b}"~{p.slop}', near, field_boosts={f: weights[f] for f in near}
        )
        pairs.append((tantivy.Occur.Should, tantivy.Query.boost_query(pair, p.proximity)))
    return tantivy.Query.boolean_query(pairs)


def restricted_to(
    schema: tantivy.Schema, query: tantivy.Query, arxiv_ids: Collection[str]
) -> tantivy.Query:
    """``query`` over these papers only, with its own scores: the set adds nothing to a
    score, and tantivy walks the small set, looking each paper up in the query's postings,
    instead of the postings themselves."""
    only = tantivy.Query.term_set_query(schema, "arxiv_id", sorted(arxiv_ids))
    return tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, tantivy.Query.const_score_query(only, 0.0)),
            (tantivy.Occur.Must, query),
        ]
    )


def filter_query(schema: tantivy.Schema, pq: ParsedQuery) -> list[tantivy.Query]:
    """The filters of ``pq`` (categories, authors, ids, dates): they must all match."""
    must: list[tantivy.Query] = []
    if pq.categories:
        cats = [
            (
                tantivy.Occur.Should,
                tantivy.Query.term_query(schema, "categories", c.lower()),
            )
            for c in pq.categories
        ]
        must.append(tantivy.Query.boolean_query(cats))
    if pq.author_papers is not None:
        # Resolved by the store, as the author pages resolve names (one rule).
        for ids in pq.author_papers:
            must.append(
                tantivy.Query.term_set_query(schema, "arxiv_id", sorted(ids))
                if ids
                else tantivy.Query.empty_query()
            )
    for name in pq.authors if pq.author_papers is None else []:
        if len(name) == 1:
            must.append(tantivy.Query.term_query(schema, "authors", name[0]))
        else:
            must.append(
                tantivy.Query.phrase_query(schema, "authors", list[str | tuple[int, str]](name))
            )
    if pq.within is not None:
        must.append(tantivy.Query.term_set_query(schema, "arxiv_id", sorted(pq.within)))
    if pq.date_from or pq.date_to:
        must.append(
            tantivy.Query.range_query(
                schema,
                "announced",
                tantivy.FieldType.Integer,
                day_number(pq.date_from) or 1,
                day_number(pq.date_to) or 99991231,
            )
        )
    return must
