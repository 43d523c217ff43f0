"""Safe XML parsing and namespace-agnostic element lookup for source responses.

Recorded arXiv responses are not consistent about namespaces (the ``arXiv`` metadata
element turns up in its own namespace, in the OAI namespace or in none), so lookups go
by local name only.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

Element = etree._Element


def parse_xml(data: bytes) -> Element:
    """Parse a document strictly; no DTDs, entities or network access.

    Raises ``etree.XMLSyntaxError`` when the document is not well-formed.
    """
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(data, parser)


def local_name(element: Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments and processing instructions
        return ""
    return tag.rsplit("}", 1)[-1]


def children(element: Element | None, name: str) -> list[Element]:
    """Direct children called ``name`` (in any namespace)."""
    if element is None:
        return []
    return [child for child in element if local_name(child) == name]


def child(element: Element | None, name: str) -> Element | None:
    found = children(element, name)
    return found[0] if found else None


def descendants(element: Element | None, name: str) -> Iterator[Element]:
    """Elements called ``name`` anywhere below ``element`` (in document order)."""
    if element is None:
        return
    for node in element.iterdescendants():
        if local_name(node) == name:
            yield node


def text_of(element: Element | None) -> str | None:
    """All text inside ``element``; None when absent or blank."""
    if element is None:
        return None
    text = "".join(t if isinstance(t, str) else t.decode() for t in element.itertext())
    return text if text.strip() else None


def child_text(element: Element | None, name: str) -> str | None:
    return text_of(child(element, name))
