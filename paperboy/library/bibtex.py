"""BibTeX out (a reader's saved papers) and in (a tolerant reader for .bib files).

Writing: one ``@misc`` per preprint (``@article`` with ``journal`` when arXiv carries a
journal reference), with ``eprint``/``archivePrefix``/``primaryClass`` as arXiv
recommends, a citation key like ``vaswani2017attention`` (first author's family name,
year, first significant title word; ``b``, ``c``... when keys collide), and TeX
special characters escaped. Balanced ``$...$`` math in a title is kept as it is, since
arXiv titles write formulas that way; titles sit in double braces so BibTeX styles do
not lowercase acronyms.

Reading: no full BibTeX implementation (no dependency for it); it walks entries,
balancing braces and quotes, and keeps each entry's fields as raw strings, skipping
``@comment``, ``@preamble`` and ``@string``. Garbage between entries is ignored, so a
file exported by Zotero, Mendeley, Google Scholar, arXiv or paperboy all read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from paperboy.arxiv import parse_arxiv_id
from paperboy.errors import InvalidInput
from paperboy.store import StoredPaper

_SPECIAL = {
    "\\": r"\textbackslash{}",
    # BibTeX balances braces even after a backslash, so literal braces are spelled out
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")
_STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "for",
        "to",
        "and",
        "with",
        "from",
        "by",
        "at",
        "as",
        "is",
        "are",
        "be",
        "via",
        "towards",
        "toward",
        "using",
        "do",
        "does",
        "can",
        "we",
        "how",
        "what",
        "when",
        "why",
        "your",
        "you",
        "our",
    }
)
_WORD = re.compile(r"[a-z0-9]+")
_NAME_SUFFIX = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def _escape_raw(text: str) -> str:
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)


def escape(text: str) -> str:
    """``text`` with TeX's special characters escaped (and whitespace collapsed)."""
    return _escape_raw(" ".join(text.split()))


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def escape_keeping_math(text: str) -> str:
    """Like ``escape`` but balanced ``$...$`` segments (with balanced braces) stay
    verbatim: ``Learning $O(\\sqrt{n})$ bounds`` keeps its formula."""
    flat = " ".join(text.split())
    parts = re.split(r"(?<!\\)\$", flat)
    if len(parts) < 3 or len(parts) % 2 == 0:
        return _escape_raw(flat)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1 and part and _balanced(part):
            out.append(f"${part}$")
        elif i % 2 == 1:
            out.append(_escape_raw(f"${part}$"))
        else:
            out.append(_escape_raw(part))
    return "".join(out)


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(_WORD.findall(folded.lower()))


def family_name(author: str) -> str:
    """The family name of "Ashish Vaswani", "Vaswani, Ashish" or "Jr. names"."""
    name = author.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    tokens = [t for t in name.split() if t.lower() not in _NAME_SUFFIX]
    return tokens[-1] if tokens else name


def year_of(paper: StoredPaper) -> int | None:
    for when in (paper.submitted, paper.announced):
        if when is not None:
            return when.year
    match = re.match(r"^(\d{2})(\d{2})\.", paper.arxiv_id)
    if match:
        return 2000 + int(match.group(1))
    return None


def citation_key(paper: StoredPaper) -> str:
    """``vaswani2017attention``: family name, year, first significant title word."""
    author = _ascii_word(family_name(paper.authors[0])) if paper.authors else ""
    year = year_of(paper)
    words = [_ascii_word(w) for w in re.split(r"[\s\-\u2010-\u2015:/]+", paper.title)]
    title = next((w for w in words if w and w not in _STOPWORDS), "")
    key = f"{author or 'anon'}{year or ''}{title}"
    return key or f"arxiv{_ascii_word(paper.arxiv_id)}"


def _author_field(authors: list[str]) -> str:
    names = []
    for name in authors:
        text = escape(name)
        # "and" inside a name, or a comma, would change how BibTeX splits the list
        if re.search(r"\band\b", name, re.IGNORECASE) or "," in name:
            text = "{" + text + "}"
        names.append(text)
    return " and ".join(names)


def unique_keys(papers: Iterable[StoredPaper]) -> list[str]:
    """A citation key per paper, unique within the list (``b``, ``c``... on collisions)."""
    keys: list[str] = []
    seen: set[str] = set()
    tried: dict[str, int] = {}  # base -> last suffix number used (keeps this linear)
    for paper in papers:
        base = citation_key(paper)
        key, n = base, tried.get(base, 1)
        while key in seen:
            n += 1
            key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
        tried[base] = n
        seen.add(key)
        keys.append(key)
    return keys


@dataclass(frozen=True, slots=True)
class BibItem:
    paper: StoredPaper
    tags: list[str] = field(default_factory=list)
    note: str | None = None


def entry(item: BibItem, key: str, *, with_notes: bool = False) -> str:
    """One BibTeX entry for a saved paper."""
    paper = item.paper
    fields: list[tuple[str, str]] = [
        ("title", "{" + escape_keeping_math(paper.title) + "}"),
        ("author", _author_field(paper.authors)),
    ]
    if paper.journal_ref:
        fields.append(("journal", escape(paper.journal_ref)))
    year = year_of(paper)
    if year is not None:
        fields.append(("year", str(year)))
    fields += [
        ("eprint", paper.arxiv_id),
        ("archivePrefix", "arXiv"),
    ]
    if paper.primary_category:
        fields.append(("primaryClass", escape(paper.primary_category)))
    if paper.doi:
        fields.append(("doi", escape(paper.doi)))
    fields.append(("url", f"https://arxiv.org/abs/{paper.arxiv_id}"))
    if item.tags:
        fields.append(("keywords", escape(", ".join(item.tags))))
    if with_notes and item.note:
        fields.append(("annote", escape(item.note)))
    kind = "article" if paper.journal_ref else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def export_bibtex(items: list[BibItem], *, with_notes: bool = False) -> str:
    keys = unique_keys(i.paper for i in items)
    return "\n".join(entry(i, k, with_notes=with_notes) for i, k in zip(items, keys, strict=True))


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BibEntry:
    kind: str  # lower case: article, misc, ...
    key: str
    fields: dict[str, str]  # lower-case names -> raw values (braces/quotes removed)


_ENTRY_START = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_NEXT_ENTRY = re.compile(r"\n[ \t]*@[A-Za-z]+\s*[{(]")
# the characters that matter inside a value (everything else is skipped in one step)
_INTERESTING = {"{": re.compile(r"[{}\n]"), '"': re.compile(r'[{}"\n]')}
_BARE_VALUE = re.compile(r"[^\s,#})]+")  # a number or a macro name
_KEY = re.compile(r"\s*([^,\s{}()]*)\s*,?")
_FIELD_NAME = re.compile(r"\s*([A-Za-z][\w\-:.+]*)\s*=\s*")
_SKIPPED = frozenset({"comment", "preamble", "string"})


def _read_delimited(text: str, start: int, opener: str) -> tuple[str, int]:
    """The content of a ``{...}`` (nested) or ``"..."`` value starting at ``start`` (the
    opener), and the index after its closer. An unclosed value ends before the next line
    that starts an entry (so one stray brace costs one entry, not the rest of the file)."""
    closer = "}" if opener == "{" else '"'
    depth = 0
    for found in _INTERESTING[opener].finditer(text, start + 1):
        ch, i = found.group(0), found.start()
        if ch == "\n":
            if _NEXT_ENTRY.match(text, i):
                return text[start + 1 : i], i
        elif ch == "{":
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
        elif ch == closer and depth == 0:
            return text[start + 1 : i], i + 1
    return text[start + 1 :], len(text)


def _read_value(text: str, i: int) -> tuple[str, int]:
    """A field value: pieces joined by ``#`` (macros are kept by name)."""
    parts: list[str] = []
    while i < len(text):
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        ch = text[i]
        if ch in '{"':
            piece, i = _read_delimited(text, i, ch)
        else:
            match = _BARE_VALUE.match(text, i)
            if match is None:
                break
            piece, i = match.group(0), match.end()
        parts.append(piece)
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and text[i] == "#":
            i += 1
            continue
        break
    return "".join(parts), i


def parse_bibtex(text: str) -> list[BibEntry]:
    """The entries of a .bib file, tolerating junk between and inside entries."""
    entries: list[BibEntry] = []
    pos = 0
    while True:
        match = _ENTRY_START.search(text, pos)
        if match is None:
            return entries
        kind = match.group(1).lower()
        opener = match.group(2)
        closer = "}" if opener == "{" else ")"
        if kind in _SKIPPED:
            if opener == "{":
                _, pos = _read_delimited(text, match.end() - 1, "{")
            else:
                end = text.find(")", match.end())
                pos = len(text) if end < 0 else end + 1
            continue
        i = match.end()
        key_match = _KEY.match(text, i)
        key = key_match.group(1) if key_match else ""
        i = key_match.end() if key_match else i
        fields: dict[str, str] = {}
        while i < len(text):
            while i < len(text) and (text[i].isspace() or text[i] == ","):
                i += 1
            if i >= len(text) or text[i] == closer:
                i += 1
                break
            if text[i] == "@":  # an unclosed entry: the next one starts here
                break
            name_match = _FIELD_NAME.match(text, i)
            if name_match is None:
                # junk: skip to the next comma or the end of the entry
                nxt = re.compile(r"[,@" + re.escape(closer) + "]").search(text, i)
                if nxt is None:
                    i = len(text)
                else:
                    i = nxt.start() + (1 if text[nxt.start()] == "," else 0)
                continue
            value, i = _read_value(text, name_match.end())
            fields.setdefault(name_match.group(1).lower(), " ".join(value.split()))
        entries.append(BibEntry(kind, key, fields))
        pos = max(i, match.end())


_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html)/|arxiv[:\s.]\s*|10\.48550/arxiv\.)"
    r"(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)


def _plain_id(value: str) -> str | None:
    try:
        return parse_arxiv_id(value.strip().strip("{}"))[0]
    except InvalidInput:
        return None


def arxiv_id_of(bib: BibEntry) -> str | None:
    """The arXiv id an entry names: ``eprint`` (when it is an arXiv id), ``arxiv``/
    ``arxivid``, an arxiv.org URL, a ``10.48550/arXiv.*`` DOI, or ``arXiv:XXXX`` in
    ``journal``/``note``/``howpublished``; None when it names none."""
    f = bib.fields
    prefix = f.get("archiveprefix", f.get("eprinttype", "arxiv")).lower()
    if "eprint" in f and "arxiv" in prefix:
        found = _plain_id(f["eprint"])
        if found:
            return found
    for name in ("arxiv", "arxivid", "arxiv_id"):
        if name in f and (found := _plain_id(f[name])):
            return found
    for name in ("url", "doi", "journal", "note", "howpublished", "eprint", "pdf", "link"):
        value = f.get(name)
        if value and (match := _ARXIV_IN_TEXT.search(value)):
            try:
                return parse_arxiv_id(match.group(1))[0]
            except InvalidInput:
                continue
    return None
