"""RSS 2.0 and Atom 1.0 documents from a list of entries, with no web framework in sight.

The documents are built as element trees (lxml), never by string formatting, so every
title, abstract and URL is escaped by the serializer. What the tree cannot escape, XML 1.0
forbids outright (control characters such as U+0000 or U+001B, lone surrogates, U+FFFE);
``xml_text`` drops those, since one of them in one arXiv title would otherwise make the
whole feed unreadable for every subscriber.

Choices that follow the W3C Feed Validation Service (https://validator.w3.org/feed/):

* RSS ``<author>`` must be an e-mail address, so paper authors go in ``dc:creator``.
* RSS dates are RFC 822 (``Fri, 26 Jun 2026 00:00:00 GMT``), Atom dates RFC 3339.
* Both formats carry a self link (``atom:link rel="self"`` in RSS).
* RSS ``<title>`` and ``<description>`` are read as HTML by most readers, so plain text is
  HTML-escaped before it goes in (a title about ``<b>`` tags stays text, not markup).
  Atom says what it carries (``type="text"``), so there the text goes in as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import cast

from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
GENERATOR = "paperboy"
# Atom as the default namespace; lxml-stubs types nsmap keys as str only, but lxml takes None.
ATOM_DEFAULT_NS = cast(dict[str, str], {None: ATOM_NS})
# Characters XML 1.0 does not allow anywhere in a document, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` without the characters XML 1.0 forbids."""
    return _NOT_XML.sub("", value)


def _one_line(value: str) -> str:
    return " ".join(xml_text(value).split())


def _utc(value: datetime) -> datetime:
    """Naive datetimes are UTC everywhere in paperboy."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def rfc822(value: datetime) -> str:
    return format_datetime(_utc(value), usegmt=True)


def rfc3339(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item. ``id`` is a stable absolute URI; ``link`` an absolute URL of its page."""

    id: str
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    summary: str | None = None  # plain text
    authors: Sequence[str] = ()
    categories: Sequence[str] = ()
    code_url: str | None = None  # the paper's official code: a "related" link


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """The feed itself. ``id`` is a stable absolute URI (or urn:uuid) for Atom;
    ``page_url`` is the HTML page the feed mirrors; ``rss_url``/``atom_url`` are the
    absolute URLs the two documents are served at (their self links)."""

    id: str
    title: str
    description: str
    page_url: str
    rss_url: str
    atom_url: str
    updated: datetime  # used when there are no entries
    language: str = "en"
    author_name: str = GENERATOR
    author_uri: str | None = None
    category_scheme: str = "https://arxiv.org/category_taxonomy"


def feed_updated(meta: FeedMeta, entries: Sequence[FeedEntry]) -> datetime:
    """The newest entry's update time, or the feed's own when it is empty."""
    return max((_utc(e.updated) for e in entries), default=_utc(meta.updated))


def _sub(
    parent: etree._Element, tag: str, text: str | None = None, **attrib: str
) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = xml_text(text)
    return element


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _authors_line(authors: Sequence[str]) -> str:
    names = [_one_line(a) for a in authors if _one_line(a)]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def rss_document(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    """An RSS 2.0 document (https://www.rssboard.org/rss-specification)."""
    nsmap = {"atom": ATOM_NS, "dc": DC_NS}
    rss = etree.Element("rss", {"version": "2.0"}, nsmap=nsmap)
    channel = _sub(rss, "channel")
    _sub(channel, "title", html.escape(_one_line(meta.title), quote=False))
    _sub(channel, "link", meta.page_url)
    _sub(channel, "description", html.escape(_one_line(meta.description), quote=False))
    _sub(channel, f"{{{ATOM_NS}}}link", href=meta.rss_url, rel="self", type=RSS_TYPE)
    _sub(channel, "language", meta.language)
    _sub(channel, "lastBuildDate", rfc822(feed_updated(meta, entries)))
    _sub(channel, "generator", GENERATOR)
    _sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    for entry in entries:
        item = _sub(channel, "item")
        _sub(item, "title", html.escape(_one_line(entry.title), quote=False))
        _sub(item, "link", entry.link)
        description = entry.summary
        if entry.code_url:  # RSS items have one link: the code goes in the text
            description = "\n\n".join(p for p in (description, f"Code: {entry.code_url}") if p)
        if description:
            _sub(item, "description", html.escape(xml_text(description).strip(), quote=False))
        authors = _authors_line(entry.authors)
        if authors:
            _sub(item, f"{{{DC_NS}}}creator", authors)
        for category in entry.categories:
            _sub(item, "category", _one_line(category), domain=meta.category_scheme)
        _sub(item, "guid", entry.id, isPermaLink="true" if entry.id == entry.link else "false")
        _sub(item, "pubDate", rfc822(entry.published or entry.updated))
    return _serialize(rss)


def atom_document(meta: FeedMeta, entries: Sequence[FeedEntry]) -> bytes:
    """An Atom 1.0 document (RFC 4287)."""
    feed = etree.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: meta.language}, nsmap=ATOM_DEFAULT_NS)

    def sub(parent: etree._Element, tag: str, text: str | None = None, **a: str) -> etree._Element:
        return _sub(parent, f"{{{ATOM_NS}}}{tag}", text, **a)

    sub(feed, "id", meta.id)
    sub(feed, "title", _one_line(meta.title), type="text")
    sub(feed, "subtitle", _one_line(meta.description), type="text")
    sub(feed, "updated", rfc3339(feed_updated(meta, entries)))
    author = sub(feed, "author")
    sub(author, "name", meta.author_name)
    if meta.author_uri:
        sub(author, "uri", meta.author_uri)
    sub(feed, "link", rel="self", type=ATOM_TYPE, href=meta.atom_url)
    sub(feed, "link", rel="alternate", type="text/html", href=meta.page_url)
    sub(feed, "generator", GENERATOR)
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", entry.id)
        sub(item, "title", _one_line(entry.title), type="text")
        sub(item, "updated", rfc3339(entry.updated))
        if entry.published is not None:
            sub(item, "published", rfc3339(entry.published))
        sub(item, "link", rel="alternate", type="text/html", href=entry.link)
        if entry.code_url:
            sub(item, "link", rel="related", type="text/html", href=entry.code_url, title="Code")
        for name in entry.authors:
            if _one_line(name):
                sub(sub(item, "author"), "name", _one_line(name))
        for category in entry.categories:
            sub(item, "category", term=_one_line(category), scheme=meta.category_scheme)
        if entry.summary:
            sub(item, "summary", xml_text(entry.summary).strip(), type="text")
    return _serialize(feed)
