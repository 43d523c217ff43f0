"""Precision and recall of code-link extraction on 200 hand-checked papers.

The labels (``benchmarks/data/code_links_200.jsonl``) were written by reading each
paper's abstract and comment: 200 papers of the shared 2025-2026 arXiv corpus drawn with
a fixed seed (11), 100 whose text holds an address and 100 whose text holds none. A link
counts as found when the extractor returns the labelled kind and URL (compared
case-insensitively); "official" is scored on the papers that have a labelled official
repository.

    python benchmarks/code_links.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from paperboy.codelinks import extract_links

LABELS = Path(__file__).resolve().parent / "data" / "code_links_200.jsonl"


def main() -> None:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    official_right = official_total = 0
    mistakes: list[str] = []
    papers = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    for paper in papers:
        links = extract_links(paper["abstract"], paper["comment"])
        got = {(link.kind, link.url.lower()) for link in links}
        want = {(label["kind"], label["url"].lower()) for label in paper["links"]}
        for kind, _url in got & want:
            tp[kind] += 1
        for kind, url in got - want:
            fp[kind] += 1
            mistakes.append(f"{paper['id']} extra   {kind} {url}")
        for kind, url in want - got:
            fn[kind] += 1
            mistakes.append(f"{paper['id']} missing {kind} {url}")
        if paper["official"]:
            official_total += 1
            marked = next((link.url for link in links if link.official), None)
            official_right += marked is not None and marked.lower() == paper["official"].lower()

    def ratio(a: int, b: int) -> str:
        return f"{a / b:.3f}" if b else "  n/a"

    print(f"{len(papers)} papers, {sum((tp + fn).values())} labelled links")
    print(
        f"{'kind':<11} {'labelled':>8} {'found':>6} {'correct':>7} {'precision':>9} {'recall':>7}"
    )
    for kind in sorted(set(tp) | set(fp) | set(fn)):
        found, labelled = tp[kind] + fp[kind], tp[kind] + fn[kind]
        print(
            f"{kind:<11} {labelled:>8} {found:>6} {tp[kind]:>7} "
            f"{ratio(tp[kind], found):>9} {ratio(tp[kind], labelled):>7}"
        )
    t, f, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    print(f"{'all':<11} {t + n:>8} {t + f:>6} {t:>7} {ratio(t, t + f):>9} {ratio(t, t + n):>7}")
    print(f"official repository right on {official_right}/{official_total} papers")
    for line in mistakes:
        print("  " + line)


if __name__ == "__main__":
    main()
