"""The answers as a reader (or a language model) reads them: short Markdown-like text.

The structured answer carries every field; the text says the same in a few lines per
paper, with each count's source and the notes that limit the answer first.
"""

from __future__ import annotations

from paperboy.mcp.models import (
    DailyAnswer,
    PaperDetails,
    PaperRow,
    SearchAnswer,
    SimilarAnswer,
    TrendingAnswer,
)

MAX_AUTHORS = 3


def _authors(authors: list[str]) -> str:
    if len(authors) <= MAX_AUTHORS:
        return ", ".join(authors)
    return ", ".join(authors[:MAX_AUTHORS]) + " et al."


def _upvotes(total: int, hf: int, here: int) -> str:
    parts = [f"HF {hf}"] if hf else []
    if here:
        parts.append(f"here {here}")
    return f"▲ {total}" + (f" ({' · '.join(parts)})" if parts else "")


def _row(n: int, row: PaperRow, extra: str = "") -> list[str]:
    facts = [f"{n}. [{row.id}] {row.title}"]
    line = [_authors(row.authors)] if row.authors else []
    if row.announced:
        line.append(row.announced.isoformat())
    if row.primary_category:
        line.append(row.primary_category)
    line.append(_upvotes(row.upvotes, row.upvotes_hf, row.upvotes_here))
    if extra:
        line.append(extra)
    facts.append("   " + " · ".join(line))
    if row.code_url:
        facts.append(f"   code: {row.code_url}")
    facts.append(f"   {row.url}")
    return facts


def _notes(notes: list[str]) -> list[str]:
    return [f"Note: {n}" for n in notes]


def search_text(answer: SearchAnswer) -> str:
    mode = (
        answer.mode_used
        if answer.mode_used == answer.mode
        else (f"{answer.mode_used}, asked for {answer.mode}")
    )
    count = f"{answer.total:,} result{'' if answer.total == 1 else 's'}"
    if answer.matches:
        count = f"about {answer.matches:,} matches, the best {answer.total:,} ranked"
    out = [f"Search {answer.query!r} ({mode}): {count}; showing {len(answer.results)}."]
    out += _notes(answer.notes)
    for n, r in enumerate(answer.results, start=1):
        out += _row(n, r, f"score {r.score:.4f}")
        if r.snippet:
            out.append(f"   {r.snippet}")
    if not answer.results:
        out.append("No papers match.")
    return "\n".join(out)


def paper_text(p: PaperDetails) -> str:
    version = f"v{p.version}" if p.version else ""
    out = [f"# {p.title}", f"arXiv:{p.id}{version}"]
    if p.authors:
        out.append(f"Authors: {', '.join(p.authors)}")
    dates = []
    if p.submitted:
        dates.append(f"submitted {p.submitted.date().isoformat()}")
    if p.updated and p.updated != p.submitted:
        dates.append(f"revised {p.updated.date().isoformat()}")
    if p.announced:
        dates.append(f"announced {p.announced.isoformat()}")
    if dates:
        out.append("Dates: " + ", ".join(dates))
    if p.categories:
        out.append(f"Categories: {', '.join(p.categories)}")
    out.append("Upvotes: " + _upvotes(p.upvotes.total, p.upvotes.hf, p.upvotes.here))
    if p.comment:
        out.append(f"Comment: {p.comment}")
    if p.journal_ref:
        out.append(f"Journal reference: {p.journal_ref}")
    out += ["", "Abstract:", p.abstract or "(no abstract)"]
    if p.code:
        out += ["", "Code and project links:"]
        for c in p.code:
            facts = [c.url]
            if c.official:
                facts.append("official code")
            if c.stars is not None:
                facts.append(f"{c.stars:,} stars")
            if c.stars_gained_7d:
                facts.append(f"{c.stars_gained_7d:+,} this week")
            if c.license:
                facts.append(f"licence {c.license}")
            if c.archived:
                facts.append("archived")
            out.append("- " + " · ".join(facts))
    if p.hf is not None:
        featured = f", featured on {p.hf.featured_on.isoformat()}" if p.hf.featured_on else ""
        out += ["", f"Hugging Face daily papers: {p.hf.upvotes} upvotes{featured}: {p.hf.url}"]
        if p.hf.ai_summary:
            out.append(f"Summary by Hugging Face's AI (not the authors'): {p.hf.ai_summary}")
    links = p.links
    out += ["", f"Links: {links.page} · {links.abs} · {links.pdf} · {links.html}"]
    if links.doi:
        out.append(f"DOI: {links.doi}")
    return "\n".join(out)


def trending_text(answer: TrendingAnswer) -> str:
    head = f"Trending over {answer.window} day(s)"
    if answer.as_of:
        head += f", as of {answer.as_of.isoformat()}"
    out = [f"{head}: {len(answer.papers)} papers."]
    if answer.note:
        out.append(f"Note: {answer.note}")
    for t in answer.papers:
        out += _row(t.rank, t, f"why: {t.why}" if t.why else "")
    if not answer.papers:
        out.append("No upvoted papers in this window.")
    return "\n".join(out)


def daily_text(answer: DailyAnswer) -> str:
    if answer.day is None:
        return (
            "No papers are stored yet: `paperboy serve` loads the demo papers into an empty "
            "database, `paperboy ingest ...` adds papers."
        )
    scope = f" in {answer.category}" if answer.category else ""
    out = [
        f"Papers announced on {answer.day.isoformat()}{scope}: {answer.total:,} "
        f"(page {answer.page} of {answer.pages}, {answer.sort} first)."
    ]
    near = []
    if answer.previous_day:
        near.append(f"previous day with papers {answer.previous_day.isoformat()}")
    if answer.next_day:
        near.append(f"next {answer.next_day.isoformat()}")
    if near:
        out.append("(" + ", ".join(near) + ")")
    if answer.picks:
        out.append("Editors' picks:")
        for n, row in enumerate(answer.picks, start=1):
            out += _row(n, row)
        out.append("All papers of the day:")
    first = (answer.page - 1) * answer.per_page + 1
    for n, row in enumerate(answer.papers, start=first):
        out += _row(n, row)
    if not answer.papers:
        out.append("No papers on this page.")
    return "\n".join(out)


def similar_text(answer: SimilarAnswer) -> str:
    out = [f"Papers similar to [{answer.id}] {answer.title}", f"Found by {answer.basis}"]
    for n, row in enumerate(answer.papers, start=1):
        out += _row(n, row, f"score {row.score:.4f}")
    if not answer.papers:
        out.append("No similar papers found.")
    return "\n".join(out)
