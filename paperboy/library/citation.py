"""A paper as others consume it: its BibTeX, its share-preview texts, its JSON-LD
``ScholarlyArticle`` and the paper as one Markdown document (``/paper/{id}.md``).

Everything here is pure: it takes a stored paper, its code links and what Hugging Face
says about it, and returns text. The web layer only wraps the text in a response.

Safety: JSON-LD goes into an HTML ``<script>`` block, so ``<``, ``>`` and ``&`` are
written as ``\\u003c``-style escapes (a title with ``</script>`` cannot end the block).
Markdown escapes the characters that would turn a hostile title or author list into
links, emphasis, HTML or headings.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote

from paperboy.library.bibtex import BibItem, citation_key, entry
from paperboy.store import Store, StoredPaper
from paperboy.store.code import StoredCodeLink
from paperboy.store.hf import HfInfo

DESCRIPTION_CHARS = 200
_SPACE = re.compile(r"\s+")
# Characters that start inline Markdown constructs anywhere in a line (CommonMark allows
# a backslash before any ASCII punctuation, so escaping them is always safe).
_INLINE = re.compile(r"([\\`*_\[\]<>|~!{}])")
# Characters that start a block (heading, quote, list, rule) at the start of a line.
# (An ordered-list marker is escaped at its "." or ")": a backslash before a digit is
# no escape in CommonMark.)
_BLOCK_START = re.compile(r"^(\s*(?:\d+)?)([#>+\-=]|(?<=\d)[.)])", re.MULTILINE)
_KIND_LABEL = {
    "github": "GitHub",
    "gitlab": "GitLab",
    "bitbucket": "Bitbucket",
    "project": "Project page",
    "hf_model": "Model",
    "hf_dataset": "Dataset",
    "hf_space": "Space",
}


def bibtex_for(paper: StoredPaper) -> str:
    """The paper's BibTeX entry, as the library export writes it."""
    return entry(BibItem(paper), citation_key(paper))


def arxiv_html_url(paper: StoredPaper) -> str:
    """arXiv's HTML rendering (exists for most papers since Dec 2023, not for all)."""
    return f"https://arxiv.org/html/{paper.arxiv_id}"


def short_description(text: str | None, limit: int = DESCRIPTION_CHARS) -> str:
    """The abstract on one line, cut at a word boundary to about ``limit`` characters."""
    flat = _SPACE.sub(" ", text or "").strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _published(paper: StoredPaper) -> str | None:
    if paper.submitted is not None:
        return paper.submitted.date().isoformat()
    return paper.announced.isoformat() if paper.announced else None


def json_ld(paper: StoredPaper, url: str) -> str:
    """A schema.org ``ScholarlyArticle`` as JSON safe to put inside ``<script>``."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title[:110],
        "author": [{"@type": "Person", "name": name} for name in paper.authors],
        "url": url,
        "identifier": f"arXiv:{paper.arxiv_id}",
        "sameAs": paper.abs_url,
    }
    published = _published(paper)
    if published:
        data["datePublished"] = published
    if paper.updated is not None:
        data["dateModified"] = paper.updated.date().isoformat()
    if paper.abstract:
        data["abstract"] = _SPACE.sub(" ", paper.abstract).strip()
    if paper.categories:
        data["keywords"] = paper.categories
    text = json.dumps(data, ensure_ascii=False, indent=1)
    # No "<", ">" or "&" left: "</script>" or "<!--" inside a title cannot end the block.
    # U+2028/2029 are valid JSON but were line breaks in old JavaScript parsers.
    for char, escaped in (
        ("&", "\\u0026"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


@dataclass(frozen=True, slots=True)
class PaperShare:
    """What the paper page puts in its head and its "Cite" block."""

    url: str
    description: str
    json_ld: str
    bibtex: str
    html_url: str


def paper_share(paper: StoredPaper, url: str) -> PaperShare:
    return PaperShare(
        url=url,
        description=short_description(paper.abstract),
        json_ld=json_ld(paper, url),
        bibtex=bibtex_for(paper),
        html_url=arxiv_html_url(paper),
    )


# -- Markdown --------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """``text`` as literal Markdown text: no links, emphasis, HTML, code or headings."""
    flat = _INLINE.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


def _md_line(text: str) -> str:
    """One line of literal text (newlines in a title would start new blocks)."""
    return md_escape(_SPACE.sub(" ", text).strip())


def _md_url(url: str) -> str:
    """A URL safe inside ``(...)``: spaces, parentheses and angle brackets encoded."""
    return quote(url, safe=":/?#@!$&'*+,;=%-._~")


def _link(label: str, url: str) -> str:
    return f"[{_md_line(label)}]({_md_url(url)})"


def _code_line(link: StoredCodeLink) -> str:
    label = _KIND_LABEL.get(link.kind, link.kind)
    name = link.name or link.url.split("://")[-1]
    line = f"- {label}: {_link(name, link.url)}"
    if link.official:
        line += " (official code)"
    repo = link.repo
    if repo is not None and repo.synced and repo.stars is not None:
        facts = [f"{repo.stars:,} stars"]
        gain = link.gain
        if gain is not None and gain.gain:
            since = "this week" if gain.full_window else f"since {gain.since.isoformat()}"
            facts.append(f"{gain.gain:+,} {since}")
        if repo.license:
            facts.append(f"licence {_md_line(repo.license)}")
        if repo.archived:
            facts.append("archived")
        line += " · " + " · ".join(facts)
    return line


def paper_markdown(
    paper: StoredPaper,
    url: str,
    code: list[StoredCodeLink],
    hf: HfInfo | None,
) -> str:
    """The paper as a Markdown document: what a reader or a language model needs."""
    out = [f"# {_md_line(paper.title)}", ""]
    if paper.authors:
        out += [f"**Authors:** {_md_line(', '.join(paper.authors))}", ""]
    version = f"v{paper.version}" if paper.version else ""
    out.append(f"- arXiv: {_link(f'arXiv:{paper.arxiv_id}{version}', paper.abs_url)}")
    out.append(f"- PDF: {_md_url(paper.pdf_url)}")
    out.append(f"- HTML (when arXiv has rendered it): {_md_url(arxiv_html_url(paper))}")
    out.append(f"- On paperboy: {_md_url(url)}")
    if hf is not None:
        out.append(f"- Hugging Face daily papers: {_md_url(hf.hf_url)}")
    if paper.doi:
        out.append(f"- DOI: {_link(paper.doi, 'https://doi.org/' + quote(paper.doi))}")
    published = _published(paper)
    if published:
        out.append(f"- Submitted: {published}")
    if paper.announced:
        out.append(f"- Announced: {paper.announced.isoformat()}")
    if paper.updated:
        out.append(f"- Last revised: {paper.updated.date().isoformat()}")
    if paper.categories:
        out.append(f"- Categories: {_md_line(', '.join(paper.categories))}")
    if paper.comment:
        out.append(f"- Comment: {_md_line(paper.comment)}")
    if paper.journal_ref:
        out.append(f"- Journal reference: {_md_line(paper.journal_ref)}")
    out.append("")
    out += ["## Abstract", ""]
    paragraphs = [p for p in (paper.abstract or "").split("\n\n") if p.strip()]
    for para in paragraphs or ["No abstract."]:
        out += [_md_line(para), ""]
    if code:
        out += ["## Code", ""]
        out += [_code_line(link) for link in code]
        out.append("")
    if hf is not None:
        counts = f"{hf.upvotes} upvotes on Hugging Face"
        if hf.comments:
            counts += f", {hf.comments} comments"
        featured = f", featured on {hf.featured_on.isoformat()}" if hf.featured_on else ""
        out += ["## Hugging Face", "", f"{counts}{featured}.", ""]
        if hf.ai_summary:
            out += [
                "Summary by Hugging Face (written by its AI, not by the authors):",
                "",
                f"> {_md_line(hf.ai_summary)}",
                "",
            ]
        if hf.ai_keywords:
            out += [f"Keywords: {_md_line(', '.join(hf.ai_keywords))}", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def markdown_document(store: Store, paper: StoredPaper, url: str) -> str:
    """``paper_markdown`` with the paper's stored code links and Hugging Face data."""
    return paper_markdown(paper, url, store.code.links_for(paper.id), store.hf.get(paper.id))


def official_code_urls(store: Store, papers: list[StoredPaper]) -> dict[int, str]:
    """Paper id -> the address of its official code repository, for the papers that
    have one (a followed GitHub rename gives the repository's current address)."""
    found: dict[int, str] = {}
    for paper_id, links in store.code.links_for_papers(p.id for p in papers).items():
        for link in links:
            if link.official and link.is_repo:
                found[paper_id] = link.repo.url if link.repo and link.repo.synced else link.url
                break
    return found
