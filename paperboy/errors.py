"""Exceptions that carry their HTTP status, so one handler can render all of them."""

from __future__ import annotations


class PaperboyError(Exception):
    """Base of every expected failure. ``status`` is the HTTP status it maps to."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        # Response headers the status needs (WWW-Authenticate with 401, Retry-After with 429).
        self.headers = {**self.default_headers(), **(headers or {})}

    def default_headers(self) -> dict[str, str]:
        return {}


class ConfigError(PaperboyError):
    status = 500
    title = "Configuration error"


class BadRequest(PaperboyError):
    status = 400
    title = "Bad request"


class NotFound(PaperboyError):
    status = 404
    title = "Not found"


class PayloadTooLarge(PaperboyError):
    status = 413
    title = "Payload too large"


class InvalidInput(PaperboyError):
    status = 422
    title = "Invalid input"


class SourceError(PaperboyError):
    """A paper source (arXiv, Hugging Face) failed or answered something unusable."""

    status = 502
    title = "Source error"


class Forbidden(PaperboyError):
    status = 403
    title = "Forbidden"


class Conflict(PaperboyError):
    status = 409
    title = "Conflict"


class LinkExpired(PaperboyError):
    """A sign-in link that is unknown, already used or past its time."""

    status = 410
    title = "Link expired"


class MailError(PaperboyError):
    """The SMTP server could not be reached or refused a message."""

    status = 502
    title = "Mail error"


class Unauthorized(PaperboyError):
    """Credentials were presented but are not valid (an unknown or revoked API token)."""

    status = 401
    title = "Unauthorized"

    def default_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="paperboy", error="invalid_token"'}


class TooManyRequests(PaperboyError):
    """Over a rate limit; ``retry_after`` (seconds) goes into the Retry-After header."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class SignInRequired(PaperboyError):
    """The page or action needs a signed-in reader. Pages answer it with a redirect to
    the sign-in page (which then returns to ``next_path``); the API with a 401."""

    status = 401
    title = "Sign in required"

    def __init__(self, detail: str = "sign in first", *, next_path: str = "/") -> None:
        super().__init__(detail)
        self.next_path = next_path

    def default_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="paperboy"'}


class ServiceUnavailable(PaperboyError):
    """Busy for now (e.g. arXiv asked us to wait, or too many arXiv lookups are running);
    ``retry_after`` (seconds) goes into the Retry-After header."""

    status = 503
    title = "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class ClientGone(PaperboyError):
    """The reader closed the connection before costly work began (nginx's 499): the work
    is skipped and nobody reads the answer."""

    status = 499
    title = "Client closed request"


class AlreadyExists(Conflict):
    """A row that must be unique is already stored (e.g. a paper submitted twice at once)."""


class LibraryFull(Conflict):
    """The reader's library already holds ``library_max_items`` papers."""


class CollectionLimit(Conflict):
    """The reader already has ``library_max_collections`` collections."""
