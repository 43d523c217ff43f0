"""Timing of ``paperboy sync github`` for 1,000 repositories against the local stand-in.

Three runs over the same 1,000 linked repositories (one paper each, SQLite in a temporary
folder, no wait between requests): the first answers 200 for every repository, the second
(forced) 304 for every one (conditional requests, no quota), the third 200 for the tenth
whose stars changed and 304 for the rest.

    PYTHONPATH=. python benchmarks/github_sync.py [--repos 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from paperboy.arxiv import PaperRecord
from paperboy.config import Settings
from paperboy.ingest.github import sync_github
from paperboy.store import Store
from tests.code.github_server import GithubStandIn, github_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    args = parser.parse_args()
    server = github_server()
    github = GithubStandIn(server)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        names = [f"owner{i % 97}/repo-{i}" for i in range(args.repos)]
        for i, name in enumerate(names):
            github.add(name, i)
        started = time.perf_counter()
        store.papers.upsert_papers(
            [
                PaperRecord(
                    arxiv_id=f"2606.{i + 1:05d}",
                    title=f"Paper {i}",
                    abstract=f"Our code is available at https://github.com/{name}.",
                    categories=["cs.LG"],
                    announced=date.today(),
                )
                for i, name in enumerate(names)
            ]
        )
        print(f"stored {args.repos} papers with links in {time.perf_counter() - started:.2f}s")
        settings = Settings(
            data_dir=Path(folder),
            github_sync=True,
            github_api_url=github.url,
            github_request_interval=0.0,
        )
        runs = [("all 200", False), ("all 304 (forced)", True)]
        for label, force in runs:
            report = sync_github(store, settings, force=force)
            print(
                f"{label:<22} {report.checked} repos, {report.requests} requests in "
                f"{report.seconds:.2f}s ({report.checked / report.seconds:.0f} repos/s); "
                f"{report.updated} updated, {report.not_modified} not modified"
            )
        for name in names[::10]:
            github.repos[name.lower()].stars += 5
        report = sync_github(store, settings, force=True)
        print(
            f"{'10% changed (forced)':<22} {report.checked} repos, {report.requests} requests in "
            f"{report.seconds:.2f}s; {report.updated} updated, {report.not_modified} not modified"
        )
        print(f"quota spent: {github.limit - github.quota} of {github.limit}")
        store.close()
    server.stop()


if __name__ == "__main__":
    main()
