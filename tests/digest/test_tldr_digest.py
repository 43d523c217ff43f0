"""Digest entries carry the paper's TL;DR in both parts of the email, HF's summary
labelled as theirs."""

from __future__ import annotations

from lxml import html as lxml_html

from paperboy.config import Settings
from paperboy.digest import render_digest
from paperboy.store import Store
from paperboy.tldr import choose_tldr
from tests.digest.conftest import subscribe
from tests.digest.test_content import _compose
from tests.web.test_tldr_web import HF_SUMMARY, give_hf_summary


def test_digest_text_and_html_contain_the_tldr(settings: Settings, loaded_store: Store) -> None:
    store = loaded_store
    sub = subscribe(store, "reader@example.org", max_papers=4)
    first = _compose(store, settings, sub.id).trending[0]
    give_hf_summary(store, first.arxiv_id)
    digest = _compose(store, settings, sub.id)
    assert len(digest.trending) == 4
    message = render_digest(digest, settings)
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    flat_text = " ".join(text.split())
    tree = lxml_html.fromstring(message.get_body(("html",)).get_content())  # type: ignore[union-attr]
    lines = [" ".join(p.text_content().split()) for p in tree.xpath("//p[strong]")]
    for entry in digest.trending:
        paper = store.papers.get_paper(entry.arxiv_id)
        assert paper is not None
        if entry.arxiv_id == first.arxiv_id:
            assert entry.tldr_by_hf and entry.tldr == HF_SUMMARY
            line = f"Summary by Hugging Face: {HF_SUMMARY}"
            html_line = f"Summary by Hugging Face {HF_SUMMARY}"
        else:
            expected = choose_tldr(paper.title, paper.abstract)
            assert entry.tldr == expected and not entry.tldr_by_hf
            line = f"TL;DR: {expected}"
            html_line = f"TL;DR {expected}"
        assert line in flat_text  # wrapped at 69 columns in the text part
        assert html_line in lines
