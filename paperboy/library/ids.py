"""What a library import names: arXiv ids from a pasted list or from a BibTeX file.

Both give the ids in the order they appear, each paper once (versions dropped: the
library keeps papers, not versions), and what could not be read as an arXiv id, so the
result page can say exactly what was skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperboy.arxiv import parse_arxiv_id
from paperboy.errors import InvalidInput
from paperboy.library.bibtex import arxiv_id_of, parse_bibtex

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(slots=True)
class NamedIds:
    ids: list[str] = field(default_factory=list)  # unique, in order, without versions
    unreadable: list[str] = field(default_factory=list)  # token or entry key, and why
    _seen: set[str] = field(default_factory=set, repr=False)

    def add(self, arxiv_id: str) -> None:
        if arxiv_id not in self._seen:  # a set: a long paste stays linear
            self._seen.add(arxiv_id)
            self.ids.append(arxiv_id)


def ids_from_text(text: str) -> NamedIds:
    """Ids or arXiv URLs separated by whitespace, commas or semicolons."""
    named = NamedIds()
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        try:
            named.add(parse_arxiv_id(token)[0])
        except InvalidInput:
            named.unreadable.append(f"{token[:100]} (not an arXiv id)")
    return named


def ids_from_bibtex(text: str) -> NamedIds:
    """The arXiv ids of a .bib file's entries; entries without one are listed by key."""
    named = NamedIds()
    for entry in parse_bibtex(text):
        found = arxiv_id_of(entry)
        if found is None:
            title = entry.fields.get("title", "")
            label = entry.key or title[:60] or f"@{entry.kind}"
            named.unreadable.append(f"{label[:100]} (no arXiv id)")
        else:
            named.add(found)
    return named
