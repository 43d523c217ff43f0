"""The paper page's context for readers and for machines: arXiv HTML and HF discussion
links, the "Cite" block, OpenGraph/Twitter meta, JSON-LD that a hostile title cannot
break out of, and ``/paper/{id}.md``."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from paperboy.library.bibtex import parse_bibtex
from paperboy.library.citation import md_escape, short_description
from paperboy.store import Store
from paperboy.store.hf import HfEntry
from tests.store.test_papers import rec

PAPER = "2403.05530"
HOSTILE = "Breaking </script><script>alert(1)</script> & <!-- [x](javascript:alert(1)) *em* # h"
ABSTRACT = "We study things. " * 30


class Head(HTMLParser):
    """The page's meta tags, JSON-LD blocks and scripts, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("property") or a.get("name")):
            self.meta[str(a.get("property") or a.get("name"))] = str(a.get("content"))
        if tag == "script":
            self._in = a
            self.scripts.append((a, ""))

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = None


def seed(store: Store, *, title: str = "Gemini 1.5", with_hf: bool = True) -> None:
    record = rec(
        PAPER,
        title=title,
        abstract=ABSTRACT,
        authors=["Ada Lovelace", "Alan <b>Turing</b>"],
        announced=date(2024, 3, 12),
        submitted=datetime(2024, 3, 8, 12, 0),
        comment="Code: https://github.com/example/repo",
    )
    entries = []
    if with_hf:
        entries.append(
            HfEntry(
                PAPER,
                upvotes=55,
                comments=4,
                submitter="akhaliq",
                submitter_name="AK",
                featured_on=date(2024, 3, 12),
                github_repo="https://github.com/example/repo",
                project_page=None,
                ai_summary="A *summary* by HF.",
                ai_keywords=["agents"],
            )
        )
    store.hf.save([record], entries, synced_at=datetime(2024, 3, 13, 8, 0))


def head_of(html: str) -> Head:
    parser = Head()
    parser.feed(html)
    return parser


def test_page_links_cite_and_share_meta(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store)
    html = empty_client.get(f"/paper/{PAPER}").text
    assert f'href="https://arxiv.org/html/{PAPER}"' in html
    assert "not every paper has one" in html
    assert f'href="https://huggingface.co/papers/{PAPER}#community"' in html
    assert f'href="/paper/{PAPER}.md"' in html
    # The BibTeX is plain visible text in a <details> block (works without JavaScript)
    cite = re.search(
        r'<details class="cite">.*?<pre class="bibtex" id="bibtex">(.*?)</pre>', html, re.S
    )
    assert cite is not None
    (entry,) = parse_bibtex(cite.group(1).replace("&#34;", '"').replace("&amp;", "&"))
    assert entry.fields["eprint"] == PAPER
    assert 'src="/static/cite.js' in html and 'data-copy="bibtex"' in html

    head = head_of(html)
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == "Gemini 1.5"
    assert head.meta["og:url"] == f"http://testserver/paper/{PAPER}"
    assert head.meta["twitter:card"] == "summary"
    description = head.meta["og:description"]
    assert 150 <= len(description) <= 201 and description.endswith("…")
    assert ABSTRACT.startswith(description[:-1])

    (ld,) = [text for attrs, text in head.scripts if attrs.get("type") == "application/ld+json"]
    data = json.loads(ld)
    assert data["@type"] == "ScholarlyArticle"
    assert data["name"] == "Gemini 1.5"
    assert [a["name"] for a in data["author"]] == ["Ada Lovelace", "Alan <b>Turing</b>"]
    assert data["datePublished"] == "2024-03-08"
    assert data["identifier"] == f"arXiv:{PAPER}"
    assert data["sameAs"] == f"https://arxiv.org/abs/{PAPER}"
    assert data["url"] == f"http://testserver/paper/{PAPER}"
    assert data["abstract"] == ABSTRACT.strip()


def test_hostile_title_cannot_break_out_of_json_ld(
    empty_client: TestClient, sqlite_store: Store
) -> None:
    seed(sqlite_store, title=HOSTILE)
    html = empty_client.get(f"/paper/{PAPER}").text
    head = head_of(html)
    # Exactly one JSON-LD block, and only our own (external) scripts otherwise
    ld_blocks = [t for a, t in head.scripts if a.get("type") == "application/ld+json"]
    assert len(ld_blocks) == 1
    assert json.loads(ld_blocks[0])["name"] == HOSTILE
    assert "<" not in ld_blocks[0] and ">" not in ld_blocks[0] and "&" not in ld_blocks[0]
    for attrs, text in head.scripts:
        if attrs.get("type") != "application/ld+json":
            assert attrs.get("src", "").startswith("/static/") and text == ""  # type: ignore[union-attr]
    assert head.meta["og:title"] == HOSTILE  # attribute-escaped, intact


def test_no_hf_data_no_discussion_link(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store, with_hf=False)
    html = empty_client.get(f"/paper/{PAPER}").text
    assert "huggingface.co/papers" not in html
    assert "https://arxiv.org/html/" in html


def test_markdown_document(empty_client: TestClient, sqlite_store: Store) -> None:
    seed(sqlite_store)
    response = empty_client.get(f"/paper/{PAPER}.md")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/markdown; charset=utf-8"
    text = response.text
    assert text.startswith("# Gemini 1.5\n")
    assert "**Authors:** Ada Lovelace, Alan \\<b\\>Turing\\</b\\>" in text
    assert f"https://arxiv.org/abs/{PAPER}" in text and f"https://arxiv.org/html/{PAPER}" in text
    assert f"https://huggingface.co/papers/{PAPER}" in text
    assert "- Submitted: 2024-03-08" in text and "- Announced: 2024-03-12" in text
    assert "- Categories: cs.LG, stat.ML" in text
    assert "## Abstract" in text and "We study things." in text
    assert "## Code" in text and "[example/repo](https://github.com/example/repo)" in text
    assert "55 upvotes on Hugging Face, 4 comments" in text
    assert "> A \\*summary\\* by HF." in text
    # the versioned id and an unknown id behave like the page
    assert empty_client.get(f"/paper/{PAPER}v2.md").status_code == 200
    missing = empty_client.get("/paper/2403.99999.md")
    assert missing.status_code == 404
    assert empty_client.get("/paper/2403.99999").status_code == 404


def test_hostile_markdown_in_title_stays_text(
    empty_client: TestClient, sqlite_store: Store
) -> None:
    seed(sqlite_store, title=HOSTILE)
    text = empty_client.get(f"/paper/{PAPER}.md").text
    html = MarkdownIt("commonmark").render(text)
    first = html.split("\n", 1)[0]
    # The title is one heading of plain text: no link, no emphasis, no raw HTML
    assert first.startswith("<h1>") and first.endswith("</h1>")
    assert "<script" not in html and '<a href="javascript' not in html and "<em>" not in first
    assert "&lt;/script&gt;" in first and "[x](javascript:alert(1))" in first


def test_escape_and_description_helpers() -> None:
    assert md_escape("# not a heading") == "\\# not a heading"
    assert md_escape("1. not a list") == "1\\. not a list"
    assert md_escape("a_b*c") == "a\\_b\\*c"
    html = MarkdownIt("commonmark").render(md_escape("- [a](b) <i>x</i> `c`"))
    assert html == "<p>- [a](b) &lt;i&gt;x&lt;/i&gt; `c`</p>\n"
    assert short_description("short  text\n") == "short text"
    long = short_description("word " * 100)
    assert len(long) <= 200 and long.endswith("word…")
