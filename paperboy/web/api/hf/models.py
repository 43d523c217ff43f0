"""Hugging Face's daily-paper record shape, as its clients read it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

EXAMPLE_RECORD: dict[str, Any] = {
    "paper": {
        "id": "2402.17764",
        "authors": [{"_id": "1e78c590e3757087ef7659f4", "name": "Shuming Ma", "hidden": False}],
        "publishedAt": "2024-02-27T18:56:19.000Z",
        "submittedOnDailyAt": "2024-02-28T00:00:00.000Z",
        "title": "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
        "summary": "Recent research, such as BitNet, is paving the way for a new era of "
        "1-bit Large Language Models (LLMs).",
        "upvotes": 553,
        "discussionId": "5b0cc1afb363fbd1aabf111b",
    },
    "publishedAt": "2024-02-27T18:56:19.000Z",
    "title": "The Era of 1-bit LLMs: All Large Language Models are in 1.58 Bits",
    "summary": "Recent research, such as BitNet, is paving the way for a new era of "
    "1-bit Large Language Models (LLMs).",
    "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2402.17764.png",
    "numComments": 3,
    "submittedBy": {
        "_id": "60f1abe7544c2adfd699860c",
        "avatarUrl": "",
        "fullname": "Ada Lovelace",
        "name": "Ada Lovelace",
        "type": "user",
        "isPro": False,
        "isHf": False,
        "isMod": False,
    },
    "isAuthorParticipating": False,
}


class HfAuthor(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="Opaque stable id (paperboy has no author pages)")
    name: str
    hidden: bool = Field(False, description="Always false")


class HfPaper(BaseModel):
    id: str = Field(description="arXiv id without version", examples=["2402.17764"])
    authors: list[HfAuthor]
    publishedAt: str = Field(description="arXiv submission of version 1 (UTC)")
    submittedOnDailyAt: str = Field(
        description="When the paper joined the daily list: its reader submission, else "
        "midnight UTC of its announcement day"
    )
    title: str
    summary: str = Field(description="The abstract")
    upvotes: int = Field(description="Imported upvotes plus paperboy community votes")
    discussionId: str = Field(description="Opaque stable id of the paper's comment thread")


class HfUser(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id", description="Opaque stable id of the paperboy account")
    avatarUrl: str = Field("", description="Always empty: paperboy has no avatars")
    fullname: str = Field(description="Display name")
    name: str = Field(description="Display name")
    type: str = Field("user", examples=["user"])
    isPro: bool = False
    isHf: bool = False
    isMod: bool = Field(description="The account is a paperboy curator or admin")


class HfDailyPaper(BaseModel):
    """One record of the Hugging Face ``/api/daily_papers`` list."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RECORD]})

    paper: HfPaper
    publishedAt: str
    title: str
    summary: str
    thumbnail: str = Field(description="Hugging Face thumbnail for papers from HF, else empty")
    numComments: int = Field(description="Visible comments and replies on paperboy")
    submittedBy: HfUser | None = Field(
        description="The reader who submitted the paper; null for papers from a feed"
    )
    isAuthorParticipating: bool = Field(False, description="Always false")
