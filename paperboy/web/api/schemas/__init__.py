"""API output models: what leaves the process, and nothing more (no internal ids)."""

from paperboy.web.api.schemas.community import (
    CommentOut,
    CommentsOut,
    ErrorBody,
    ErrorOut,
    SubmissionIn,
    VoteOut,
)
from paperboy.web.api.schemas.library import (
    EXAMPLE_ITEM,
    EXAMPLE_PAPER,
    CollectionOut,
    LibraryExportOut,
    LibraryItemIn,
    LibraryItemOut,
    LibraryOut,
)
from paperboy.web.api.schemas.listing import (
    CategoryCount,
    FeedOut,
    SearchOut,
    SearchResultOut,
    SimilarOut,
    TrendingOut,
    TrendingPaperOut,
    TrendingWeightsOut,
    TrendingWhyOut,
)
from paperboy.web.api.schemas.papers import CodeLinkOut, HfOut, PaperLinks, PaperOut, UpvoteSources

__all__ = [
    "EXAMPLE_ITEM",
    "EXAMPLE_PAPER",
    "CategoryCount",
    "CodeLinkOut",
    "CollectionOut",
    "CommentOut",
    "CommentsOut",
    "ErrorBody",
    "ErrorOut",
    "FeedOut",
    "HfOut",
    "LibraryExportOut",
    "LibraryItemIn",
    "LibraryItemOut",
    "LibraryOut",
    "PaperLinks",
    "PaperOut",
    "SearchOut",
    "SearchResultOut",
    "SimilarOut",
    "SubmissionIn",
    "TrendingOut",
    "TrendingPaperOut",
    "TrendingWeightsOut",
    "TrendingWhyOut",
    "UpvoteSources",
    "VoteOut",
]
