"""ASGI middleware of the site: the request-body limit and the security headers."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from paperboy.web.errors import error_response

COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]
SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    *COMMON_HEADERS,
]
# The interactive API docs (Swagger UI, vendored in static/swagger: no CDN) start with an
# inline script, so that one page allows inline code.
DOCS_PATH = "/api/docs"
DOCS_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'",
    ),
    *COMMON_HEADERS,
]


class BodyLimitAndHeaders:
    """Refuse request bodies over the limit (413) and add security headers."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await error_response(413, "Payload too large", "request body is too large")(
                scope, receive, send
            )
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise PayloadTooLargeSignal
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = DOCS_HEADERS if scope["path"] == DOCS_PATH else SECURITY_HEADERS
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except PayloadTooLargeSignal:
            await error_response(413, "Payload too large", "request body is too large")(
                scope, receive, send
            )


class PayloadTooLargeSignal(Exception):
    pass
