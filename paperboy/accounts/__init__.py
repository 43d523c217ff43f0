"""Accounts: sign-in by emailed single-use link, addresses, revocable sessions, the
profile and personal tokens. No passwords anywhere."""

from paperboy.accounts.addresses import mask_email, normalize_email
from paperboy.accounts.profile import update_profile
from paperboy.accounts.service import (
    ROLES,
    hash_token,
    request_sign_in,
    safe_next,
    sign_in_link_account,
    verify_sign_in,
)
from paperboy.accounts.sessions import (
    session_user,
    set_suspended,
    sign_out,
    sign_out_everywhere_else,
)
from paperboy.accounts.tokens import (
    API_TOKEN,
    FEED_ADDRESS,
    create_personal_token,
    live_tokens,
    revoke_personal_token,
)

__all__ = [
    "API_TOKEN",
    "FEED_ADDRESS",
    "ROLES",
    "create_personal_token",
    "hash_token",
    "live_tokens",
    "mask_email",
    "normalize_email",
    "request_sign_in",
    "revoke_personal_token",
    "safe_next",
    "session_user",
    "set_suspended",
    "sign_in_link_account",
    "sign_out",
    "sign_out_everywhere_else",
    "update_profile",
    "verify_sign_in",
]
