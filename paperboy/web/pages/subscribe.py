"""Digest pages: subscribe (every page's footer, or the profile), confirm, preferences,
unsubscribe.

Preferences are reached with the signed link from any digest (no account needed) or,
for a signed-in reader, through their session. ``POST /unsubscribe`` is the RFC 8058
one-click target: mail providers POST ``List-Unsubscribe=One-Click`` to the URL from
the header, without our session, so that route is authorised by its signed token
instead of the CSRF check (see ``CSRF_EXEMPT_PATHS``); a GET only shows a button.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.config import Settings
from paperboy.digest.periods import WEEKDAYS
from paperboy.digest.preferences import DEFAULT_PAPERS, MAX_PAPERS, Preferences, make_preferences
from paperboy.digest.subscriptions import (
    confirm_subscription,
    confirmation_link_is_valid,
    reader_subscription,
    request_subscription,
    save_preferences,
    subscription_for_token,
    subscription_to_change,
    subscription_token,
)
from paperboy.errors import InvalidInput, LinkExpired
from paperboy.store import Store, StoredUser
from paperboy.store.digests import StoredSubscription
from paperboy.web.auth import CurrentUser
from paperboy.web.deps import SettingsDep, StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
TokenQuery = Annotated[str, Query(max_length=500)]
TokenField = Annotated[str, Form(max_length=500)]
TermsField = Annotated[str, Form(max_length=4000)]


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_form(
    request: Request, user: CurrentUser, email: Annotated[str, Query(max_length=254)] = ""
) -> HTMLResponse:
    """The form; ``email`` pre-fills it (the footer of public pages sends it here)."""
    prefilled = email.strip() or (user.email if user else "")
    return render(request, "subscribe.html", {"email": prefilled, "error": None})


@router.post("/subscribe", response_class=HTMLResponse, response_model=None)
def subscribe(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    email: Annotated[str, Form(max_length=1000)] = "",
    frequency: Annotated[str, Form(max_length=10)] = "daily",
) -> Response:
    ip = request.client.host if request.client else None
    try:
        prefs = make_preferences(frequency=frequency)
        outcome = request_subscription(store, settings, email, prefs, user=user, ip=ip)
    except InvalidInput as exc:
        context = {"email": email, "error": exc.detail}
        return render(request, "subscribe.html", context, status_code=422)
    if outcome.state == "active":
        return RedirectResponse("/subscription?subscribed=1", status_code=303)
    return render(
        request,
        "subscribe_sent.html",
        {"email": outcome.email, "hours": settings.digest_confirm_hours},
    )


@router.get("/subscribe/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, store: StoreDep, token: TokenQuery = "") -> HTMLResponse:
    if not confirmation_link_is_valid(store, token):
        raise LinkExpired(
            "This confirmation link has expired or has already been used. "
            "Subscribe again to get a new one."
        )
    return render(request, "subscribe_confirm.html", {"token": token})


@router.post("/subscribe/confirm")
def confirm(store: StoreDep, settings: SettingsDep, token: TokenField = "") -> RedirectResponse:
    sub = confirm_subscription(store, token)
    manage = subscription_token(settings, sub, "manage")
    return RedirectResponse(f"/subscription?confirmed=1&token={manage}", status_code=303)


def _preferences_context(
    settings: Settings, sub: StoredSubscription, token: str, prefs: Preferences
) -> dict[str, Any]:
    return {
        "sub": sub,
        "prefs": prefs,
        "token": token,
        "weekdays": WEEKDAYS,
        "max_papers": MAX_PAPERS,
        "default_papers": DEFAULT_PAPERS,
        "unsubscribe_token": subscription_token(settings, sub, "unsubscribe"),
        "digest_hour": settings.digest_hour,
        "timezone": settings.digest_timezone,
        "error": None,
    }


@router.get("/subscription", response_class=HTMLResponse)
def preferences_page(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    token: TokenQuery = "",
) -> HTMLResponse:
    sub = subscription_to_change(store, settings, user, token)
    context = _preferences_context(settings, sub, token, Preferences.of(sub))
    return render(request, "subscription.html", context)


@router.post("/subscription", response_class=HTMLResponse, response_model=None)
def save_preferences_form(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    user: CurrentUser,
    token: TokenField = "",
    frequency: Annotated[str, Form(max_length=10)] = "daily",
    weekday: Annotated[str, Form(max_length=3)] = "0",
    categories: TermsField = "",
    include_keywords: TermsField = "",
    exclude_keywords: TermsField = "",
    max_papers: Annotated[str, Form(max_length=5)] = str(DEFAULT_PAPERS),
) -> Response:
    sub = subscription_to_change(store, settings, user, token)
    try:
        prefs = make_preferences(
            frequency=frequency,
            weekday=weekday,
            categories=categories,
            include_keywords=include_keywords,
            exclude_keywords=exclude_keywords,
            max_papers=max_papers,
        )
    except InvalidInput as exc:
        context = _preferences_context(settings, sub, token, Preferences.of(sub))
        context["error"] = exc.detail
        context["form"] = {
            "categories": categories,
            "include_keywords": include_keywords,
            "exclude_keywords": exclude_keywords,
        }
        return render(request, "subscription.html", context, status_code=422)
    save_preferences(store, sub, prefs)
    suffix = f"&token={token}" if token else ""
    return RedirectResponse(f"/subscription?saved=1{suffix}", status_code=303)


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(
    request: Request, store: StoreDep, settings: SettingsDep, token: TokenQuery = ""
) -> HTMLResponse:
    sub = subscription_for_token(store, settings, token, "unsubscribe")
    return render(request, "unsubscribe.html", {"sub": sub, "token": token, "done": False})


@router.post("/unsubscribe", response_class=HTMLResponse)
def unsubscribe(
    request: Request, store: StoreDep, settings: SettingsDep, token: TokenQuery = ""
) -> HTMLResponse:
    """One click (RFC 8058) or the page's button: the signed token is the authority."""
    sub = subscription_for_token(store, settings, token, "unsubscribe")
    store.digests.unsubscribe(sub.id)
    return render(request, "unsubscribe.html", {"sub": sub, "token": token, "done": True})


def digest_subscription_of(request: Request) -> StoredSubscription | None:
    """The signed-in reader's subscription, for the profile page's digest section."""
    user = getattr(request.state, "user", None)
    if not isinstance(user, StoredUser):
        return None
    store: Store = request.app.state.store
    return reader_subscription(store, user)
