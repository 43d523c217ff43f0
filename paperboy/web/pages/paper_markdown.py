"""``GET /paper/{id}.md``: the paper as Markdown (as Hugging Face offers its papers)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import Response

from paperboy.library.citation import markdown_document
from paperboy.web.deps import SettingsDep, StoreDep, find_paper

router = APIRouter(include_in_schema=False)
MARKDOWN_TYPE = "text/markdown; charset=utf-8"


def paper_url(base_url: str, arxiv_id: str) -> str:
    return f"{base_url.rstrip('/')}/paper/{quote(arxiv_id, safe='/')}"


# Included before the paper page's router: "/paper/{id:path}" would take ".md" as id.
@router.get("/paper/{arxiv_id:path}.md", response_class=Response)
def paper_as_markdown(arxiv_id: str, store: StoreDep, settings: SettingsDep) -> Response:
    found = find_paper(store, arxiv_id)
    text = markdown_document(store, found, paper_url(settings.base_url, found.arxiv_id))
    return Response(
        text,
        media_type=MARKDOWN_TYPE,
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
