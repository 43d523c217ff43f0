"""Run by hand after changing a setting: rewrites the README's configuration table
from paperboy.config (the test suite fails while the two differ)."""

from __future__ import annotations

from pathlib import Path

from paperboy.config import settings_table

README = Path(__file__).resolve().parents[1] / "README.md"
HEADER = "| Variable | Default | Description |"


def main() -> None:
    lines = README.read_text().splitlines()
    start = lines.index(HEADER)
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start:end] = settings_table().splitlines()
    README.write_text("\n".join(lines) + "\n")
    print(f"updated {README}")


if __name__ == "__main__":
    main()
