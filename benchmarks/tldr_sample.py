"""Draw the 100 papers whose contribution sentence is hand-labelled for the TL;DR.

A seeded random sample (seed 13) of the shared 2025-2026 arXiv corpus, each abstract
split with ``paperboy.tldr.split_sentences``. Prints the papers with numbered sentences
(to read and label) or, with ``--write LABELS``, writes
``benchmarks/data/tldr_labels.jsonl`` from lines ``arxiv_id index`` (the hand labels):

    python benchmarks/tldr_sample.py > /tmp/tldr-sample.txt
    python benchmarks/tldr_sample.py --write /tmp/labels.txt

Each label row holds the arXiv id, title, abstract, the labelled index and sentence text,
and the half ("tune" or "test", a seeded shuffle split 50/50).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

from paperboy.tldr import split_sentences

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
LABELS = Path(__file__).resolve().parent / "data" / "tldr_labels.jsonl"
SEED = 13
SIZE = 100


def sample() -> list[dict[str, object]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        papers = [json.loads(line) for line in handle]
    # The population as drawn (abstracts of two or more sentences, counted without the
    # later lost-space rule, so that the sample does not move when the splitter improves).
    papers = [p for p in papers if len(split_sentences(p.get("abstract"), lost_spaces=False)) >= 2]
    papers.sort(key=lambda p: str(p["id"]))
    return random.Random(SEED).sample(papers, SIZE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="file of 'arxiv_id index' label lines")
    args = parser.parse_args()
    papers = sample()
    if args.write is None:
        for number, paper in enumerate(papers):
            print(f"=== {number} {paper['id']} :: {' '.join(str(paper['title']).split())}")
            for index, sentence in enumerate(split_sentences(str(paper["abstract"]))):
                print(f"[{index}] {sentence}")
            print()
        return
    labels = {}
    for line in args.write.read_text(encoding="utf-8").splitlines():
        if line.strip():
            arxiv_id, index = line.split()[:2]
            labels[arxiv_id] = int(index)
    ids = [str(p["id"]) for p in papers]
    shuffled = ids[:]
    random.Random(SEED + 1).shuffle(shuffled)
    tune = set(shuffled[: SIZE // 2])
    with LABELS.open("w", encoding="utf-8") as out:
        for paper in papers:
            arxiv_id = str(paper["id"])
            sentences = split_sentences(str(paper["abstract"]))
            index = labels[arxiv_id]
            row = {
                "id": arxiv_id,
                "half": "tune" if arxiv_id in tune else "test",
                "title": " ".join(str(paper["title"]).split()),
                "abstract": paper["abstract"],
                "label": index,
                "sentence": sentences[index],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(papers)} labels to {LABELS}")


if __name__ == "__main__":
    main()
