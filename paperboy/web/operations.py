"""Routes for load balancers and monitoring: ``/health`` (alive), ``/ready`` (may get
traffic) and ``/metrics`` (Prometheus text format, for allowed readers only).

``/api/health`` (in the API, with the paper count) stays as it was."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from paperboy.config import Settings
from paperboy.metrics import exposition
from paperboy.ops.readiness import check_readiness
from paperboy.ops.telemetry import DatabaseFigures
from paperboy.web.deps import SettingsDep, StoreDep

router = APIRouter(include_in_schema=False)


@router.get("/health")
def health() -> JSONResponse:
    """Alive: the process answers. Touches nothing else (no database), so a slow
    database never makes a load balancer restart a healthy process."""
    return JSONResponse({"status": "ok"}, headers={"cache-control": "no-store"})


@router.get("/ready")
def ready(request: Request, store: StoreDep) -> JSONResponse:
    """Ready for traffic: 200, or 503 with the reason (JSON) when the database does not
    answer, migrations are pending or the keyword index is not built yet."""
    result = check_readiness(store, request.app.state.search)
    body: dict[str, object] = {
        "status": "ready" if result.ready else "not ready",
        "checks": result.checks,
    }
    if not result.ready:
        body["reason"] = result.reason
    return JSONResponse(
        body, status_code=200 if result.ready else 503, headers={"cache-control": "no-store"}
    )


@router.get("/metrics")
def metrics(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """Prometheus text format, for the addresses in PAPERBOY_METRICS_ALLOW_IPS or with
    PAPERBOY_METRICS_TOKEN; 403 for anyone else."""
    client = request.client.host if request.client else None
    if not may_read_metrics(settings, client, request.headers.get("authorization")):
        return JSONResponse(
            {
                "error": {
                    "status": 403,
                    "title": "Forbidden",
                    "detail": "metrics are readable from allowed addresses or with the "
                    "metrics token only",
                }
            },
            status_code=403,
        )
    body, content_type = exposition([DatabaseFigures(store, request.app.state.search)])
    return Response(body, media_type=content_type, headers={"cache-control": "no-store"})


def may_read_metrics(settings: Settings, client: str | None, authorization: str | None) -> bool:
    token = settings.metrics_token
    if token and authorization:
        scheme, _, offered = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            offered.strip().encode(), token.encode()
        ):
            return True
    return address_allowed(settings.metrics_allow_ips, client)


def address_allowed(allow: str, client: str | None) -> bool:
    items = [part.strip() for part in allow.split(",") if part.strip()]
    if "*" in items:
        return True
    if client is None:
        return False
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(item, strict=False) for item in items)
