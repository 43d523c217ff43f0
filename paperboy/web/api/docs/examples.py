"""A checked example answer for every JSON operation: each is validated against its
output model, so the docs cannot drift."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from paperboy.web.api.hf import EXAMPLE_RECORD, HfDailyPaper
from paperboy.web.api.schemas import (
    CommentsOut,
    FeedOut,
    PaperOut,
    SearchOut,
    SimilarOut,
    TrendingOut,
    VoteOut,
)

ARXIV_ID_EXAMPLE = "2606.28374"


_CODE: list[dict[str, Any]] = [
    {
        "kind": "github",
        "url": "https://github.com/example-lab/self-evolving-agents",
        "name": "example-lab/self-evolving-agents",
        "official": True,
        "source": "abstract",
        "stars": 1234,
        "stars_gained": 210,
        "stars_gained_since": "2026-06-23",
        "pushed_at": "2026-06-29T17:02:11",
        "archived": False,
        "license": "MIT",
        "full_name": "example-lab/self-evolving-agents",
        "gone": False,
    },
    {
        "kind": "project",
        "url": "https://example-lab.github.io/self-evolving-agents",
        "name": None,
        "official": False,
        "source": "comment",
        "stars": None,
        "stars_gained": None,
        "stars_gained_since": None,
        "pushed_at": None,
        "archived": None,
        "license": None,
        "full_name": None,
        "gone": False,
    },
]


_PAPER: dict[str, Any] = {
    "id": "2606.28374",
    "version": 1,
    "title": "Recursive Self-Evolving Agents via Held-Out Selection",
    "abstract": "LLM agents are increasingly improved without weight updates by evolving a "
    "natural-language artifact ...",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "categories": ["cs.AI", "cs.CL"],
    "primary_category": "cs.AI",
    "submitted": "2026-06-29T17:59:59",
    "updated": None,
    "announced": "2026-06-30",
    "comment": "24 pages, 6 figures",
    "journal_ref": None,
    "doi": None,
    "license": "http://creativecommons.org/licenses/by/4.0/",
    "upvotes": 12,
    "upvotes_by_source": {"hf": 10, "here": 2},
    "url": "https://paperboy.example.org/paper/2606.28374",
    "links": {
        "abs": "https://arxiv.org/abs/2606.28374",
        "pdf": "https://arxiv.org/pdf/2606.28374v1",
        "doi": None,
        "huggingface": None,
        "project": None,
    },
    "hf": None,
    "paper": None,
    "tldr": "We propose held-out selection, which keeps an evolved artifact only when it "
    "improves a held-out set of tasks.",
    "tldr_source": "abstract",
}


_RESULT: dict[str, Any] = {
    "id": "2606.28374",
    "title": _PAPER["title"],
    "score": 0.032787,
    "authors": _PAPER["authors"],
    "categories": _PAPER["categories"],
    "announced": "2026-06-30",
    "snippet": "... a natural-language artifact, such as reflections ...",
    "snippet_html": "... a natural-language artifact, such as <mark>reflections</mark> ...",
    "upvotes": 12,
    "url": _PAPER["url"],
}


def _checked(model: type[BaseModel], example: Any) -> Any:
    """The example, after its model accepted it."""
    model.model_validate(example)
    return example


SUCCESS_EXAMPLES: dict[tuple[str, str], Any] = {
    ("get", "/api/feed"): _checked(
        FeedOut,
        {
            "view": "day",
            "start": "2026-06-30",
            "end": "2026-06-30",
            "category": None,
            "total": 13,
            "page": 1,
            "pages": 7,
            "next_page": 2,
            "prev": "2026-06-29",
            "next": None,
            "categories": [{"category": "cs.AI", "count": 5}, {"category": "cs.CL", "count": 4}],
            "sort": "newest",
            "papers": [_PAPER],
        },
    ),
    ("get", "/api/trending"): _checked(
        TrendingOut,
        {
            "window": 7,
            "as_of": None,
            "gravity": 1.8,
            "offset_hours": 2.0,
            "weights": {"hf": 1.0, "local": 1.0, "stars": 1.0},
            "page": 1,
            "next_page": 2,
            "papers": [
                {
                    **_PAPER,
                    "score": 0.0123,
                    "why": {
                        "hf": _PAPER["upvotes"],
                        "here": 0,
                        "stars": 340,
                        "stars_days": 7,
                        "text": f"HF {_PAPER['upvotes']} · ★ +340 this week",
                    },
                }
            ],
        },
    ),
    ("get", "/api/search"): _checked(
        SearchOut,
        {
            "query": "self-evolving agents",
            "mode": "hybrid",
            "sort": "relevance",
            "total": 23,
            "matches": None,
            "total_text": "23 results",
            "embedded": None,
            "papers": None,
            "warmup_notice": None,
            "page": 1,
            "pages": 2,
            "next_page": 2,
            "exact": False,
            "notice": None,
            "results": [_RESULT],
        },
    ),
    ("get", "/api/papers/{arxiv_id}"): _checked(
        PaperOut,
        {
            **_PAPER,
            "code": _CODE,
            "hf": {
                "url": "https://huggingface.co/papers/2606.28374",
                "upvotes": 10,
                "comments": 1,
                "submitter": "akhaliq",
                "submitter_name": "AK",
                "featured_on": "2026-07-01",
                "github_repo": None,
                "project_page": None,
                "ai_summary": None,
                "ai_keywords": [],
                "synced_at": "2026-07-01T09:00:00",
            },
            "paper": {
                **EXAMPLE_RECORD["paper"],
                "id": "2606.28374",
                "title": _PAPER["title"],
                "summary": _PAPER["abstract"],
                "authors": [
                    {"_id": "9c0f6a1e2b3d4c5e6f708192", "name": name, "hidden": False}
                    for name in _PAPER["authors"]
                ],
                "publishedAt": "2026-06-29T17:59:59.000Z",
                "submittedOnDailyAt": "2026-06-30T00:00:00.000Z",
                "upvotes": 12,
            },
        },
    ),
    ("get", "/api/papers/{arxiv_id}/similar"): _checked(
        SimilarOut, {"id": "2606.28729", "results": [_RESULT]}
    ),
    ("get", "/api/papers/{arxiv_id}/comments"): _checked(
        CommentsOut,
        {
            "id": "2606.28374",
            "count": 2,
            "comments": [
                {
                    "id": 12,
                    "author": "Ada L",
                    "created_at": "2026-06-30T09:12:44",
                    "edited_at": None,
                    "deleted": False,
                    "hidden": False,
                    "html": "<p>Is the held-out split <em>per task</em>?</p>",
                    "markdown": "Is the held-out split *per task*?",
                    "replies": [
                        {
                            "id": 13,
                            "author": "Alan T",
                            "created_at": "2026-06-30T10:02:05",
                            "edited_at": None,
                            "deleted": False,
                            "hidden": False,
                            "html": "<p>Yes, see section 4.</p>",
                            "markdown": "Yes, see section 4.",
                            "replies": [],
                        }
                    ],
                }
            ],
        },
    ),
    ("post", "/api/papers/{arxiv_id}/vote"): _checked(
        VoteOut, {"id": "2606.28374", "upvotes": 13, "voted": True}
    ),
    ("post", "/api/submissions"): _checked(
        PaperOut, {**_PAPER, "upvotes": 0, "upvotes_by_source": {"hf": 0, "here": 0}}
    ),
    ("get", "/api/daily_papers"): [_checked(HfDailyPaper, EXAMPLE_RECORD)],
    ("get", "/api/health"): {"status": "ok", "papers": 74728, "latest_day": "2026-06-30"},
}
