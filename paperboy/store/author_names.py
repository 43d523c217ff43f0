"""One normal form of an author's name, shared by the author pages and the search's
``author:`` filter (both go through ``paperboy.store.authors``).

The rule, in order:

1. **Fold**: Unicode NFKD, accents and other combining marks dropped, letters without a
   decomposition mapped by hand (ø→o, ł→l, æ→ae, ß→ss, ...), case-folded; apostrophes
   vanish (O'Brien = OBrien), every other run of non-letters and non-digits (hyphens,
   dots, commas, spaces) becomes one space. The result is the name's **key**:
   "Jean-Pierre Müller", "jean pierre muller" and "JEAN PIERRE MÜLLER" share the key
   ``jean pierre muller``.
2. **Surname**: the key's last word (arXiv lists names given-name first).
3. **Initials**: a key whose first given name is one letter ("j smith", "j a smith") stands
   for the full form with the same surname and the same other given names whose first
   given name starts with that letter **only when exactly one such full first name
   exists** among the names known for that surname. "J. Smith" joins "John Smith" while
   John is the only J-name among the Smiths; once a "Jane Smith" appears, "J. Smith" is
   its own name again. Middle names are never dropped or guessed: "John A. Smith" and
   "John Smith" are two names.
4. **One word** (``author:hinton``, ``/author/hinton``): a surname; it matches every name
   with that surname (and the one-word name itself).

A name, however normalised, is a string and not a person: two people may share one, and
one person may publish under several. The pages say so.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_LENGTH = 300
# Letters NFKD does not decompose into a base letter and a mark.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
        "ħ": "h",
    }
)
_APOSTROPHES = re.compile(r"['’`´ʼ]")
_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=1 << 16)
def fold_name(name: str) -> str:
    """The key of a name: ``"Jean-Pierre Müller"`` -> ``"jean pierre muller"``.

    Cached: a bulk ingest folds each name twice and prolific authors' names recur."""
    text = name[:MAX_NAME_LENGTH]
    if text.isascii():
        # NFKD, the special letters and the combining marks leave ASCII as it is, and
        # ASCII case-folds to lower case: the same key, without the per-letter pass.
        return " ".join(_WORD.findall(_APOSTROPHES.sub("", text.lower())))
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_WORD.findall(text))


def name_tokens(name: str) -> list[str]:
    """The words of a name's key (what ``author:`` filters hold)."""
    return fold_name(name).split()


def surname_of(key: str) -> str:
    """The last word of a key ("" for an empty key)."""
    words = key.split()
    return words[-1] if words else ""


def _full_first_names(keys: Iterable[str]) -> dict[tuple[str, tuple[str, ...]], set[str]]:
    """(initial, other words) -> the full first names seen with them."""
    found: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for key in keys:
        words = key.split()
        if len(words) >= 2 and len(words[0]) > 1:
            found.setdefault((words[0][0], tuple(words[1:])), set()).add(words[0])
    return found


def _canonical(key: str, full: dict[tuple[str, tuple[str, ...]], set[str]]) -> str:
    words = key.split()
    if len(words) < 2 or len(words[0]) != 1:
        return key
    names = full.get((words[0], tuple(words[1:])), set())
    return " ".join([next(iter(names)), *words[1:]]) if len(names) == 1 else key


def canonical_key(key: str, same_surname: Iterable[str]) -> str:
    """The key ``key`` stands for among the keys known for its surname: an initial is
    expanded when exactly one full first name fits it (rule 3), else ``key`` itself."""
    return _canonical(key, _full_first_names(same_surname))


def name_group(key: str, same_surname: Iterable[str]) -> set[str]:
    """Every known key that names what ``key`` names (``key`` included when known).

    ``same_surname`` is every key with ``key``'s surname. A one-word key is a surname:
    all of them match (rule 4)."""
    known = list(same_surname)
    if len(key.split()) < 2:
        return set(known)
    full = _full_first_names(known)
    target = _canonical(key, full)
    return {other for other in known if _canonical(other, full) == target}
