"""Code and project links found in a paper's own text, with no network.

A leaf module (like ``paperboy.arxiv``): the store extracts links on the way in, inside
the upsert's transaction, so the extraction must not depend on anything above it.

``extract_links(abstract, comment, github_repo=..., project_page=...)`` finds GitHub,
GitLab and Bitbucket repositories, Hugging Face models, datasets and Spaces, and project
pages (``*.github.io``, or any address the text calls a project page or website), in
canonical form, de-duplicated case-insensitively, and marks the repository most likely
to be the paper's official code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

KINDS = ("github", "gitlab", "bitbucket", "hf_model", "hf_dataset", "hf_space", "project")
REPO_KINDS = frozenset({"github", "gitlab", "bitbucket"})

# GitHub paths that are site pages, not owners.
_GITHUB_RESERVED = frozenset(
    [
        "about",
        "apps",
        "blog",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "events",
        "explore",
        "features",
        "issues",
        "login",
        "marketplace",
        "new",
        "notifications",
        "orgs",
        "organizations",
        "pricing",
        "pulls",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "topics",
        "trending",
        "users",
    ]
)
# Hugging Face paths that are site pages, not model owners.
_HF_RESERVED = frozenset(
    [
        "api",
        "blog",
        "chat",
        "collections",
        "docs",
        "join",
        "learn",
        "login",
        "models",
        "organizations",
        "papers",
        "posts",
        "pricing",
        "settings",
        "spaces",
        "datasets",
        "tasks",
    ]
)
# Path segments after which a repository URL points inside the repository.
_REPO_TAILS = frozenset(
    [
        "tree",
        "blob",
        "raw",
        "commit",
        "commits",
        "releases",
        "issues",
        "pull",
        "pulls",
        "wiki",
        "actions",
        "archive",
        "src",
        "branches",
        "tags",
        "resolve",
        "discussions",
        "-",
    ]
)

# LaTeX links: \href{URL}{text} and \url{URL} carry the address in their first group.
_LATEX_LINK = re.compile(r"\\(?:href|url)\s*\{([^{}]*)\}")
_LATEX_ESCAPES = (("\\_", "_"), ("\\%", "%"), ("\\&", "&"), ("\\#", "#"), ("\\~{}", "~"))
_URL = re.compile(
    r"(?:https?://|(?<![\w@./-])(?:www\.)?(?=(?:github\.com|gitlab\.com|bitbucket\.org|"
    r"huggingface\.co|[\w-]+\.github\.io)\b))"
    r"[^\s<>\"'`\[\]]+",
    re.IGNORECASE,
)
# Words without which a text holds no address we keep (a cheap first test).
_MARKERS = ("http", "www.", "github", "gitlab", "bitbucket", "huggingface")
# Characters after which an address cannot go on: LaTeX braces and commands, maths.
_CUT = re.compile(r"[{}\\$|]")
_TRAILING = ".,;:!?*'\"”’»"
_PROJECT_CUE = re.compile(
    r"(?:project|demo|home)\s*(?:page|website|site|webpage)?\s*(?:is|:|at|can be found|here)"
    r"|website|webpage|homepage",
    re.IGNORECASE,
)
_CODE_CUE = re.compile(
    r"\b(?:code|codes|implementation|available|release[ds]?|our|github|repository|"
    r"open[- ]?source[ds]?|publicly)\b",
    re.IGNORECASE,
)
_CONTEXT = 80  # characters before an address read for the cue words


@dataclass(frozen=True, slots=True)
class CodeLink:
    """One link in canonical form. ``name`` is ``owner/repo`` (GitLab: the full path)
    for repositories and Hugging Face entries, None for project pages."""

    kind: str
    url: str
    name: str | None = None
    official: bool = False
    source: str = "text"  # "abstract", "comment" or "hf"

    @property
    def key(self) -> str:
        return self.url.lower()


def _clean(raw: str) -> str:
    """An address as written, without the punctuation and LaTeX debris around it."""
    text = _CUT.split(raw, maxsplit=1)[0]
    while text and (text[-1] in _TRAILING or _unbalanced_close(text)):
        text = text[:-1]
    return text


def _unbalanced_close(text: str) -> bool:
    """Ends in a bracket that closes something opened before the address."""
    pairs = {")": "(", "]": "["}
    last = text[-1]
    return last in pairs and text.count(pairs[last]) < text.count(last)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _repo_path(parts: list[str], *, nested: bool) -> list[str]:
    """The repository part of a path: up to ``/tree/...``, ``/-/...`` and the like."""
    kept: list[str] = []
    for part in parts:
        # owner/name come first (a repository may be called "resolve" or "tree").
        if len(kept) >= 2 and (not nested or part.lower() in _REPO_TAILS):
            break
        kept.append(part)
    if kept:
        last = kept[-1]
        kept[-1] = last[:-4] if last.lower().endswith(".git") else last
    return [p for p in kept if p]


def classify(address: str, *, context: str = "") -> CodeLink | None:
    """The canonical link for one cleaned address, or None when it is not one we keep.

    ``context`` is the text just before the address; an address on an unknown host is a
    project page only when the context calls it one.
    """
    url = address if re.match(r"https?://", address, re.IGNORECASE) else f"https://{address}"
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if not host or "." not in host:
        return None
    segments = _segments(parts.path)
    if host == "github.com":
        repo = _repo_path(segments, nested=False)
        if len(repo) < 2 or repo[0].lower() in _GITHUB_RESERVED:
            return None  # an owner's page, or a site page: not a repository
        name = f"{repo[0]}/{repo[1]}"
        return CodeLink("github", f"https://github.com/{name}", name)
    if host == "gitlab.com":
        repo = _repo_path(segments, nested=True)
        if len(repo) < 2 or repo[0].lower() in {"explore", "users", "help", "dashboard"}:
            return None
        name = "/".join(repo)
        return CodeLink("gitlab", f"https://gitlab.com/{name}", name)
    if host == "bitbucket.org":
        repo = _repo_path(segments, nested=False)
        if len(repo) < 2:
            return None
        name = f"{repo[0]}/{repo[1]}"
        return CodeLink("bitbucket", f"https://bitbucket.org/{name}", name)
    if host == "huggingface.co":
        kind = "hf_model"
        prefix = ""
        if segments and segments[0].lower() in {"datasets", "spaces"}:
            kind = "hf_dataset" if segments[0].lower() == "datasets" else "hf_space"
            prefix = segments[0].lower() + "/"
            segments = segments[1:]
        elif segments and segments[0].lower() in _HF_RESERVED:
            return None  # a paper page, docs, a blog post...
        repo = _repo_path(segments, nested=False)
        if len(repo) < 2:
            return None
        name = f"{repo[0]}/{repo[1]}"
        return CodeLink(kind, f"https://huggingface.co/{prefix}{name}", name)
    if host.endswith(".github.io") or _PROJECT_CUE.search(context[-_CONTEXT // 2 :]):
        if host in {"arxiv.org", "doi.org", "dx.doi.org"} or host.endswith(".arxiv.org"):
            return None
        path = "/".join(segments)
        if path.lower().endswith(("index.html", "index.htm")):
            path = path.rsplit("/", 1)[0] if "/" in path else ""
        return CodeLink("project", f"https://{host}" + (f"/{path}" if path else ""))
    return None


def _normalise_text(text: str) -> str:
    text = _LATEX_LINK.sub(lambda m: f" {m.group(1)} ", text)
    for escaped, plain in _LATEX_ESCAPES:
        text = text.replace(escaped, plain)
    return text


def _found(text: str | None, source: str) -> list[tuple[CodeLink, str]]:
    """(link, the text before it) for every address in ``text``, in order."""
    if not text:
        return []
    lowered = text.lower()
    if not any(marker in lowered for marker in _MARKERS):
        return []  # most abstracts: substring scans instead of the full pattern
    plain = _normalise_text(text)
    found: list[tuple[CodeLink, str]] = []
    previous_end = 0
    for match in _URL.finditer(plain):
        address = _clean(match.group(0))
        # The words since the previous address: its cue words are not this one's.
        context = plain[max(previous_end, match.start() - _CONTEXT) : match.start()]
        previous_end = match.end()
        link = classify(address, context=context)
        if link is not None:
            found.append((replace(link, source=source), context))
    return found


def extract_links(
    abstract: str | None,
    comment: str | None,
    *,
    github_repo: str | None = None,
    project_page: str | None = None,
) -> list[CodeLink]:
    """Every code and project link of a paper, de-duplicated, the official one marked.

    ``github_repo`` and ``project_page`` are Hugging Face's fields for the paper, when
    known. The official code is HF's ``github_repo``; else the first repository whose
    preceding words say it is the code ("code", "available", "our", "release"...); else
    the first repository. Only repositories (GitHub, GitLab, Bitbucket) can be official.
    """
    candidates: list[tuple[CodeLink, str]] = []
    hf_repo: CodeLink | None = None
    if github_repo:
        link = classify(_clean(github_repo.strip()))
        if link is not None and link.kind in REPO_KINDS:
            hf_repo = replace(link, source="hf")
            candidates.append((hf_repo, ""))
    if project_page:
        link = classify(_clean(project_page.strip()), context="project page:")
        if link is not None:
            candidates.append((replace(link, source="hf"), ""))
    candidates += _found(abstract, "abstract") + _found(comment, "comment")
    unique: dict[str, tuple[CodeLink, str]] = {}
    for link, context in candidates:
        unique.setdefault(link.key, (link, context))
    repos = [(link, ctx) for link, ctx in unique.values() if link.kind in REPO_KINDS]
    official: CodeLink | None = hf_repo
    if official is None and repos:
        cued = [link for link, ctx in repos if _CODE_CUE.search(ctx[-_CONTEXT // 2 :])]
        official = cued[0] if cued else repos[0][0]
    return [
        replace(link, official=True) if official is not None and link.key == official.key else link
        for link, _ in unique.values()
    ]


# The fields of a paper's ``links`` metadata (Hugging Face's) naming its repository and
# its project page, first found first.
REPO_FIELDS = ("github_repo", "githubRepo", "github")
PROJECT_FIELDS = ("project_page", "projectPage", "project")
# Everything ``extract_links`` reads of a paper: abstract, comment, repository, project
# page. A bulk ingest's second process extracts links ahead of the writer by these.
LinkInputs = tuple[str | None, str | None, str | None, str | None]


def link_inputs(
    abstract: str | None, comment: str | None, meta: Mapping[str, object] | None
) -> LinkInputs:
    """What ``extract_links`` is called with for a paper with this text and metadata."""
    fields = meta or {}

    def first(keys: tuple[str, ...]) -> str | None:
        for key in keys:
            value = fields.get(key)
            if isinstance(value, str) and value:
                return value
        return None

    return (abstract, comment, first(REPO_FIELDS), first(PROJECT_FIELDS))


def links_for(inputs: LinkInputs) -> list[CodeLink]:
    """``extract_links`` of a paper's ``link_inputs``."""
    abstract, comment, github_repo, project_page = inputs
    return extract_links(abstract, comment, github_repo=github_repo, project_page=project_page)


def official_repo(links: list[CodeLink]) -> CodeLink | None:
    return next((link for link in links if link.official), None)
