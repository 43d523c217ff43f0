"""Run by hand: the faster TL;DR choice and author-name folding give the same output as
the versions they replaced, on real papers, and how much faster they are.

The reference versions are read from git at ``REFERENCE`` (the commit before the speed
work) and imported as modules of their own, so the comparison is against the code that
shipped, not a copy of it. For the first ``--papers`` papers of the shared corpus it
compares ``choose_tldr(title, abstract)`` and ``fold_name(name)`` for every author name,
prints the number of differences (must be 0) and each side's time. ``--write-fixture``
stores the reference outputs of the first 2,000 papers for
``tests/test_ingest_equivalence.py``.

    python benchmarks/ingest_equivalence.py [--papers 20000] [--write-fixture]
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import itertools
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from paperboy import tldr  # noqa: E402
from paperboy.store import author_names  # noqa: E402

CORPUS = ROOT.parent / "shared" / "data" / "arxiv-2025-2026.jsonl.gz"
REFERENCE = "dcd2357"  # the last commit before the ingest speed work
FIXTURE = ROOT / "tests" / "fixtures" / "ingest-reference.jsonl.gz"
FIXTURE_PAPERS = 2000


def reference_module(path: str, name: str, folder: Path) -> ModuleType:
    """``path`` as it was at REFERENCE, imported under ``name``."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{REFERENCE}:{path}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    file = folder / f"{name}.py"
    file.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def timed(fn: Callable[[], list[Any]]) -> tuple[list[Any], float]:
    started = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--write-fixture", action="store_true")
    args = parser.parse_args()
    if not CORPUS.exists():
        sys.exit(f"Error: {CORPUS} is missing (see shared/data/README.md)")
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        papers = [json.loads(line) for line in itertools.islice(handle, args.papers)]
    names = [name for p in papers for name in p["authors"]]
    with tempfile.TemporaryDirectory() as scratch:
        old_tldr = reference_module("paperboy/tldr.py", "reference_tldr", Path(scratch))
        old_names = reference_module(
            "paperboy/store/author_names.py", "reference_author_names", Path(scratch)
        )
    pairs = [(p["title"], p["abstract"]) for p in papers]
    old_lines, old_tldr_s = timed(lambda: [old_tldr.choose_tldr(t, a) for t, a in pairs])
    new_lines, new_tldr_s = timed(lambda: [tldr.choose_tldr(t, a) for t, a in pairs])
    old_keys, old_fold_s = timed(lambda: [old_names.fold_name(n) for n in names])
    author_names.fold_name.cache_clear()
    new_keys, new_fold_s = timed(lambda: [author_names.fold_name(n) for n in names])
    tldr_diff = sum(a != b for a, b in zip(old_lines, new_lines, strict=True))
    key_diff = sum(a != b for a, b in zip(old_keys, new_keys, strict=True))
    n = len(papers)
    print(f"papers {n}, author names {len(names)} (reference: {REFERENCE})")
    print(f"choose_tldr: {tldr_diff} differences; reference {old_tldr_s * 1e6 / n:.0f} us/paper,")
    print(f"  now {new_tldr_s * 1e6 / n:.0f} us/paper ({old_tldr_s / new_tldr_s:.1f}x)")
    print(f"fold_name:   {key_diff} differences; reference {old_fold_s * 1e6 / n:.0f} us/paper,")
    print(f"  now {new_fold_s * 1e6 / n:.0f} us/paper ({old_fold_s / new_fold_s:.1f}x)")
    if args.write_fixture:
        with gzip.open(FIXTURE, "wt", encoding="utf-8") as out:
            for p, line in zip(papers[:FIXTURE_PAPERS], old_lines, strict=False):
                keys = [old_names.fold_name(name) for name in p["authors"]]
                out.write(json.dumps({"id": p["id"], "tldr": line, "keys": keys}) + "\n")
        print(f"wrote {FIXTURE.relative_to(ROOT)}")
    if tldr_diff or key_diff:
        sys.exit(1)


if __name__ == "__main__":
    main()
