"""Comments in a Markdown subset, rendered to safe HTML.

markdown-it-py (CommonMark) with raw HTML off, so any HTML in a comment is shown as text
(escaped); headings, images, tables and rules are off too. Links (written ones,
``<autolinks>`` and bare http(s) URLs) must use http, https or mailto: anything else
(``javascript:``, ``data:``, relative paths) stays plain text. Every link gets
``rel="nofollow ugc noopener"``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

ALLOWED_SCHEMES = ("http://", "https://", "mailto:")
LINK_REL = "nofollow ugc noopener"
_BARE_URL = re.compile(r"https?://[^\s<>\"'`]+[^\s<>\"'`.,;:!?)\]}*_]")


def _allowed(url: str) -> bool:
    return url.strip().lower().startswith(ALLOWED_SCHEMES)


def _linkify_bare_urls(state: StateCore) -> None:
    """Turn bare http(s) URLs in text (outside links and code) into links."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        out: list[Token] = []
        in_link = 0
        for tok in block.children:
            if tok.type == "link_open":
                in_link += 1
            elif tok.type == "link_close":
                in_link -= 1
            if tok.type != "text" or in_link or "http" not in tok.content:
                out.append(tok)
                continue
            pos = 0
            for match in _BARE_URL.finditer(tok.content):
                url = match.group(0)
                href = state.md.normalizeLink(url)
                if not state.md.validateLink(href):
                    continue
                if match.start() > pos:
                    text = Token("text", "", 0)
                    text.content = tok.content[pos : match.start()]
                    out.append(text)
                opening = Token("link_open", "a", 1)
                opening.attrs = {"href": href}
                opening.markup = "linkify"
                opening.info = "auto"
                label = Token("text", "", 0)
                label.content = url
                closing = Token("link_close", "a", -1)
                closing.markup = "linkify"
                closing.info = "auto"
                out += [opening, label, closing]
                pos = match.end()
            if pos == 0:
                out.append(tok)
            elif pos < len(tok.content):
                rest = Token("text", "", 0)
                rest.content = tok.content[pos:]
                out.append(rest)
        block.children = out


def _render_link_open(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: OptionsDict,
    env: EnvType,
) -> str:
    tokens[idx].attrSet("rel", LINK_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["heading", "lheading", "hr", "image", "html_block", "html_inline"])
    md.validateLink = _allowed  # type: ignore[method-assign]
    md.core.ruler.push("bare_urls", _linkify_bare_urls)
    md.add_render_rule("link_open", _render_link_open)
    md.options["breaks"] = True
    return md


_MD = _make_parser()


def render_comment(text: str) -> Markup:
    """A comment's Markdown as sanitised HTML (safe to insert in a page as it is)."""
    env: dict[str, Any] = {}
    return Markup(_MD.render(text, env))  # noqa: S704 - html off, links allow-listed
