"""Accounts: sign-in by emailed single-use link, roles. No passwords anywhere."""

from paperboy.accounts.service import (
    ROLES,
    hash_token,
    normalize_email,
    request_sign_in,
    safe_next,
    sign_in_link_is_valid,
    verify_sign_in,
)

__all__ = [
    "ROLES",
    "hash_token",
    "normalize_email",
    "request_sign_in",
    "safe_next",
    "sign_in_link_is_valid",
    "verify_sign_in",
]
