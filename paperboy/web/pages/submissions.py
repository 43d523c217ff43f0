"""The submission form at /submit: a signed-in reader adds a paper by arXiv id or URL.

The rules live in ``community/submissions.py``. Every refusal is shown on the form with
its status (4xx; 503 with Retry-After when arXiv asks us to wait; 502 when it cannot be
reached). A plain form (CSRF-checked app-wide) that answers 303 to the paper page, so no
JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from paperboy.community.submissions import AlreadyOnPaperboy, submit_arxiv_paper
from paperboy.errors import PaperboyError
from paperboy.web.deps import ArxivDep, CurrentReader, SettingsDep, StoreDep
from paperboy.web.rendering import render

router = APIRouter(include_in_schema=False)
PATH = "/submit"
IdField = Annotated[str, Form(max_length=500)]


def _form(
    request: Request,
    status: int = 200,
    *,
    error: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    context.setdefault("paper_id", "")
    context.setdefault("existing", None)
    page = render(request, "submit.html", {"error": error, **context}, status_code=status)
    page.headers.update(headers or {})
    return page


@router.get(PATH)
def submit_page(request: Request, user: CurrentReader) -> Response:
    return _form(request)


@router.post(PATH)
def submit_paper(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    arxiv: ArxivDep,
    user: CurrentReader,
    paper_id: IdField = "",
) -> Response:
    """The form: the paper page on success, else the form again with the reason."""
    try:
        stored = submit_arxiv_paper(store, settings, arxiv, user, paper_id)
    except AlreadyOnPaperboy as exc:
        return _form(request, exc.status, error=exc.detail, existing=exc.paper)
    except PaperboyError as exc:
        return _form(
            request, exc.status, error=exc.detail, headers=exc.headers, paper_id=paper_id.strip()
        )
    return RedirectResponse(f"/paper/{stored.arxiv_id}", status_code=303)
