"""Account pages: sign in by emailed link, sign out, profile. Every POST here is
CSRF-checked by the app-wide ``csrf_protect`` dependency."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.accounts import (
    request_sign_in,
    safe_next,
    sign_in_link_account,
    sign_out,
    sign_out_everywhere_else,
    update_profile,
    verify_sign_in,
)
from paperboy.errors import InvalidInput, LinkExpired
from paperboy.web.auth import CurrentUser, sign_in_session, sign_out_session
from paperboy.web.deps import CurrentReader, SettingsDep, StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
SENT_MESSAGE = (
    "If that address can sign in, a link is on its way. It works once and expires in "
    "{minutes} minutes."
)
NextField = Annotated[str, Form(max_length=2000)]
# What the sign-in page says when a guarded page sent the reader to it (by the page's
# path, so no text from the URL is ever shown).
SIGN_IN_REASONS = {
    "/library": "Sign in to see your library.",
    "/for-you": "Sign in to see papers picked for you.",
    "/submit": "Sign in to submit a paper.",
    "/profile": "Sign in to see your profile.",
    "/subscription": "Sign in to change your email digest, or open the link in a digest.",
    "/paper/": "Sign in to vote, save papers and comment.",
}


def sign_in_reason(next_path: str) -> str | None:
    path = next_path.split("?", 1)[0]
    for prefix, reason in SIGN_IN_REASONS.items():
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return reason
    return None


TokenField = Annotated[str, Form(max_length=200)]


@router.get("/signin", response_class=HTMLResponse)
def signin_form(
    request: Request, next: Annotated[str, Query(max_length=2000)] = ""
) -> HTMLResponse:
    back = safe_next(next)
    context = {"next": back, "email": "", "error": None, "reason": sign_in_reason(back)}
    return render(request, "signin.html", context)


@router.post("/signin", response_class=HTMLResponse)
def signin_request(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=1000)] = "",
    next: NextField = "",
) -> HTMLResponse:
    ip = request.client.host if request.client else None
    try:
        request_sign_in(store, settings, email, ip, next)
    except InvalidInput as exc:
        context = {"next": safe_next(next), "email": email, "error": exc.detail}
        return render(request, "signin.html", context, status_code=422)
    message = SENT_MESSAGE.format(minutes=settings.login_link_minutes)
    development = settings.environment == "development"
    return render(request, "signin_sent.html", {"message": message, "development": development})


@router.get("/signin/verify", response_class=HTMLResponse)
def signin_confirm(
    request: Request,
    store: StoreDep,
    token: Annotated[str, Query(max_length=200)] = "",
    next: Annotated[str, Query(max_length=2000)] = "",
) -> HTMLResponse:
    # A GET changes nothing: mail scanners fetch links. The button POSTs the token. The
    # page names the account (masked), so a link someone else sent cannot sign the
    # reader into the sender's account unnoticed.
    account = sign_in_link_account(store, token)
    if account is None:
        return _link_expired(request)
    context = {"token": token, "next": safe_next(next), "account": account}
    return render(request, "signin_verify.html", context)


@router.post("/signin/verify", response_model=None)
def signin_verify(
    request: Request, store: StoreDep, token: TokenField = "", next: NextField = ""
) -> Response:
    try:
        user = verify_sign_in(store, token)
    except LinkExpired:
        return _link_expired(request)
    sign_in_session(request, user)
    return RedirectResponse(safe_next(next), status_code=303)


def _link_expired(request: Request) -> HTMLResponse:
    return render(request, "signin_expired.html", {}, status_code=410)


@router.post("/signout")
def signout(request: Request, store: StoreDep, user: CurrentUser) -> RedirectResponse:
    """End every session of the account (copies of this cookie too), then this one."""
    if user is not None:
        sign_out(store, user)
    sign_out_session(request)
    return RedirectResponse("/", status_code=303)


@router.post("/profile/sign-out-everywhere")
def signout_everywhere(request: Request, store: StoreDep, user: CurrentReader) -> RedirectResponse:
    """End every other session of the account; this browser gets a new one."""
    sign_in_session(request, sign_out_everywhere_else(store, user))
    return RedirectResponse("/profile?signed_out_elsewhere=1", status_code=303)


@router.get("/profile", response_class=HTMLResponse)
def profile(request: Request, user: CurrentReader) -> HTMLResponse:
    return render(
        request,
        "profile.html",
        {"user": user, "display_name": user.display_name, "affiliation": user.affiliation or ""},
    )


@router.post("/profile", response_model=None)
def profile_update(
    request: Request,
    user: CurrentReader,
    store: StoreDep,
    display_name: Annotated[str, Form(max_length=1000)] = "",
    affiliation: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        update_profile(store, user, display_name, affiliation)
    except InvalidInput as exc:
        context = {
            "user": user,
            "display_name": display_name,
            "affiliation": affiliation,
            "error": exc.detail,
        }
        return render(request, "profile.html", context, status_code=422)
    return RedirectResponse("/profile?saved=1", status_code=303)
