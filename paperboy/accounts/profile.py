"""The reader's own profile: display name and affiliation, as one line of text each."""

from __future__ import annotations

from paperboy.errors import InvalidInput
from paperboy.store import Store, StoredUser

DISPLAY_NAME_MAX = 80
AFFILIATION_MAX = 120


def clean_line(value: str) -> str:
    """One line of text: whitespace (newlines, tabs) collapsed, control characters out."""
    return " ".join("".join(c for c in value if c.isprintable() or c.isspace()).split())


def update_profile(store: Store, user: StoredUser, display_name: str, affiliation: str) -> None:
    """Save the cleaned name and affiliation; InvalidInput (saying what is wrong) if the
    name is empty or either is too long."""
    name, org = clean_line(display_name), clean_line(affiliation)
    if not name:
        raise InvalidInput("Enter a display name.")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"The display name can have at most {DISPLAY_NAME_MAX} characters.")
    if len(org) > AFFILIATION_MAX:
        raise InvalidInput(f"The affiliation can have at most {AFFILIATION_MAX} characters.")
    store.accounts.update_profile(user.id, name, org or None)
