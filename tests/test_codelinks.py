"""Code-link extraction: the normalisations and the choice of the official repository."""

from __future__ import annotations

import pytest

from paperboy.codelinks import extract_links, official_repo


def urls(abstract: str | None, comment: str | None = None) -> list[tuple[str, str]]:
    return [(link.kind, link.url) for link in extract_links(abstract, comment)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Code: https://github.com/a-b/c_d.", "https://github.com/a-b/c_d"),
        ("Code: https://github.com/a/b.git.", "https://github.com/a/b"),
        ("at https://www.github.com/a/b/tree/main/src/x.py", "https://github.com/a/b"),
        ("at https://github.com/a/b/blob/master/README.md#usage", "https://github.com/a/b"),
        ("at https://github.com/a/b?tab=readme-ov-file", "https://github.com/a/b"),
        ("at github.com/a/b, and more", "https://github.com/a/b"),
        (r"\href{https://github.com/a/my\_repo}{here}", "https://github.com/a/my_repo"),
        (r"code\footnote{https://github.com/a/b}.", "https://github.com/a/b"),
        (r"at \url{https://github.com/a/b}{\text", "https://github.com/a/b"),
        ("(see https://github.com/a/b)", "https://github.com/a/b"),
        ("at https://github.com/a/b/.", "https://github.com/a/b"),
        ("at https://github.com/Lab/RESOLVE. Accepted", "https://github.com/Lab/RESOLVE"),
        ("at https://github.com/a/tree/tree/main/x", "https://github.com/a/tree"),
        ("[https://github.com/a/b](https://github.com/a/b)", "https://github.com/a/b"),
    ],
)
def test_github_normalised(text: str, expected: str) -> None:
    assert urls(text) == [("github", expected)]


def test_owner_only_and_site_pages_are_not_repositories() -> None:
    assert urls("see https://github.com/someone and https://github.com/topics/llm") == []
    assert urls("https://huggingface.co/papers/2501.00001") == []


def test_other_hosts() -> None:
    text = (
        "Models https://huggingface.co/org/model-7b/tree/main, data "
        "https://huggingface.co/datasets/org/set/blob/main/x.json, demo "
        "https://huggingface.co/spaces/org/demo, https://gitlab.com/grp/sub/proj/-/tree/main "
        "and https://bitbucket.org/team/repo/src/master/."
    )
    assert urls(text) == [
        ("hf_model", "https://huggingface.co/org/model-7b"),
        ("hf_dataset", "https://huggingface.co/datasets/org/set"),
        ("hf_space", "https://huggingface.co/spaces/org/demo"),
        ("gitlab", "https://gitlab.com/grp/sub/proj"),
        ("bitbucket", "https://bitbucket.org/team/repo"),
    ]


def test_project_pages() -> None:
    assert urls("Project page: https://me.github.io/proj/index.html") == [
        ("project", "https://me.github.io/proj")
    ]
    # An unknown host is a project page only when the text calls it one.
    assert urls("Project page: https://www.lab.example.org/p/") == [
        ("project", "https://lab.example.org/p")
    ]
    assert urls("Data at https://zenodo.org/records/1 and https://doi.org/10.1/x") == []


def test_duplicates_collapse_case_insensitively() -> None:
    links = extract_links(
        "Code at https://github.com/Org/Repo.", "Code: https://github.com/org/repo/tree/main"
    )
    assert [(link.url, link.source) for link in links] == [
        ("https://github.com/Org/Repo", "abstract")
    ]


def test_official_repository() -> None:
    text = (
        "We build on https://github.com/big/framework. "
        "Our code is available at https://github.com/me/ours."
    )
    assert official_repo(extract_links(text, None)).url == "https://github.com/me/ours"  # type: ignore[union-attr]
    # Without cue words, the first repository.
    plain = "Compared with https://github.com/x/one and https://github.com/x/two"
    assert official_repo(extract_links(plain, None)).url == "https://github.com/x/one"  # type: ignore[union-attr]
    # Hugging Face's githubRepo wins over the text.
    links = extract_links(text, None, github_repo="https://github.com/me/hf-says")
    assert official_repo(links).url == "https://github.com/me/hf-says"  # type: ignore[union-attr]
    assert sum(link.official for link in links) == 1
    # A project page is never the official code.
    assert official_repo(extract_links("Project page: https://me.github.io/p", None)) is None


def test_hf_fields_alone() -> None:
    links = extract_links(None, None, github_repo="github.com/a/b", project_page="https://p.ai/x/")
    assert [(link.kind, link.url, link.source) for link in links] == [
        ("github", "https://github.com/a/b", "hf"),
        ("project", "https://p.ai/x", "hf"),
    ]
    assert extract_links(None, None, github_repo="not a url") == []
