"""Sessions and CSRF for the web app.

The session is Starlette's signed cookie (itsdangerous, keyed by the secret key; HttpOnly,
SameSite=Lax, Secure on https sites). It holds the signed-in user's id (``uid``), the
account's session generation it was issued under (``gen``: signing out, "sign out
everywhere" and suspension bump it, which ends every earlier session, copies of the
cookie included; see paperboy/accounts/sessions.py) and a random CSRF token (``csrf``).
``csrf_protect`` runs before every route (an app-wide dependency), so every
POST/PUT/PATCH/DELETE needs that token, from the form field ``csrf_token`` or the
``X-CSRF-Token`` header, and new routes are covered by default.

Scripts use the JSON API with a personal API token instead (``Authorization: Bearer
<token>``, created on the profile page). A token authenticates /api/ paths only, never a
page or an HTML form, and an unknown or revoked one is refused with 401.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Security
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from paperboy.accounts import session_user
from paperboy.errors import Forbidden, Unauthorized
from paperboy.store import Store, StoredUser

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "paperboy_session"
# Routes authorised by a signed token in the URL rather than by the session cookie, so a
# forged cross-site request gains nothing: RFC 8058 one-click unsubscribe is POSTed by
# mail providers, which have neither our session nor a CSRF token. Each of these routes
# must refuse a missing or bad token itself (tests/accounts/test_csrf.py checks it).
CSRF_EXEMPT_PATHS = frozenset({"/unsubscribe"})
API_PREFIX = "/api/"
_NO_USER = object()
# Only documents the scheme in OpenAPI (the "Authorize" button of /api/docs);
# ``bearer_token`` below does the parsing.
api_token_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    description="A personal API token from your profile page: `Authorization: Bearer <token>`. "
    "Needed by the write endpoints (or a signed-in session plus its CSRF token).",
)


def _has_session(request: Request) -> bool:
    return "session" in request.scope


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header on an /api/ path, else None: pages
    and HTML forms ignore the header, so a token never stands in for a browser session."""
    if not request.url.path.startswith(API_PREFIX):
        return None
    scheme, _, value = request.headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def get_current_user(request: Request) -> StoredUser | None:
    """The signed-in user, or None; a suspended or deleted account is signed out. On /api/
    paths a bearer token names the user instead (Unauthorized if it is not a live token
    of an account in good standing)."""
    cached = getattr(request.state, "user", _NO_USER)
    if cached is not _NO_USER:
        return cached  # type: ignore[return-value]
    token = bearer_token(request)
    if token is not None:
        store: Store = request.app.state.store
        token_user = store.tokens.user_for_token("api", token)
        if token_user is None:
            raise Unauthorized(
                "unknown or revoked API token (create a new one on your profile page)"
            )
        request.state.user = token_user
        return token_user
    user: StoredUser | None = None
    if _has_session(request) and "uid" in request.session:
        session_store: Store = request.app.state.store
        user = session_user(session_store, request.session["uid"], request.session.get("gen"))
        if user is None:  # over: signed out elsewhere, suspended or deleted
            request.session.pop("uid", None)
            request.session.pop("gen", None)
    request.state.user = user
    return user


def _current_user_dependency(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(api_token_scheme)],
) -> StoredUser | None:
    return get_current_user(request)


CurrentUser = Annotated[StoredUser | None, Depends(_current_user_dependency)]


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use (so pages without a form set no
    cookie)."""
    if not _has_session(request):
        return ""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def sign_in_session(request: Request, user: StoredUser) -> None:
    """Start a fresh session for ``user`` (new CSRF token: nothing carries over)."""
    request.session.clear()
    request.session["uid"] = user.id
    request.session["gen"] = user.session_generation
    request.session["csrf"] = secrets.token_urlsafe(32)
    request.state.user = user


def sign_out_session(request: Request) -> None:
    """Forget the session in this browser (the account's sessions are ended by
    ``paperboy.accounts.sign_out``)."""
    request.session.clear()
    request.state.user = None


def _same_origin(request: Request, value: str) -> bool:
    if value == "null":
        return False
    allowed = {request.headers.get("host", "")}
    base = request.app.state.settings.base_url
    allowed.add(urlsplit(base).netloc)
    return urlsplit(value).netloc in allowed


async def csrf_protect(request: Request) -> None:
    """Refuse (403) a state-changing request without this session's CSRF token, or one
    whose Origin (or, without it, Referer) names another site."""
    if bearer_token(request) is not None and request.method in UNSAFE_METHODS:
        # A bad token is a 401 here. Reads check it only where they use the account
        # (CurrentUser): public reads ignore the header, so Hugging Face clients that send
        # their HF token everywhere still read /api/daily_papers.
        await run_in_threadpool(get_current_user, request)
        # CSRF abuses credentials a browser attaches by itself (cookies). A browser never
        # attaches an Authorization header on its own, and a cross-site page cannot set one
        # without a CORS preflight, which this app never grants. So a request authenticated
        # by a valid token and carrying no session cookie cannot be forged and needs no
        # CSRF token. With a session cookie the check stays: a token must never switch CSRF
        # off for a browser that is also signed in.
        if SESSION_COOKIE not in request.cookies:
            return
    if request.method not in UNSAFE_METHODS or request.url.path in CSRF_EXEMPT_PATHS:
        return
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None and not _same_origin(request, origin):
        raise Forbidden("cross-site request refused (Origin does not match this site)")
    if origin is None and referer and not _same_origin(request, referer):
        raise Forbidden("cross-site request refused (Referer does not match this site)")
    expected = request.session.get("csrf") if _has_session(request) else None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not (
        isinstance(expected, str)
        and expected
        and sent
        and hmac.compare_digest(expected.encode(), sent.encode())
    ):
        raise Forbidden(
            "missing or invalid CSRF token: reload the page and try again "
            "(scripts send the session's token in the X-CSRF-Token header)"
        )
