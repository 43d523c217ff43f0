"""What an ingest run did: counts, and the reason for every skipped record."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from paperboy.store import UpsertResult

log = logging.getLogger("paperboy.ingest")

MAX_LISTED_SKIPS = 20


@dataclass
class IngestReport:
    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    added_ids: list[str] = field(default_factory=list)
    # Why a run stopped before the end (what was stored before that stays stored).
    error: str | None = None

    def record(self, result: UpsertResult) -> None:
        self.added += len(result.added)
        self.updated += len(result.updated)
        self.unchanged += len(result.unchanged)
        self.added_ids.extend(result.added)

    def skip(self, where: str, reason: str) -> None:
        # The caller shows the reasons (the CLI's summary, the web page): logged at DEBUG
        # only, so a terminal does not print each one twice.
        self.skipped.append((where, reason))
        log.debug("skipped %s: %s", where, reason)

    @property
    def usable(self) -> int:
        """Records that were read and stored (or already stored unchanged)."""
        return self.added + self.updated + self.unchanged

    @property
    def seen(self) -> int:
        return self.added + self.updated + self.unchanged + len(self.skipped)

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        ]
        for where, reason in self.skipped[:MAX_LISTED_SKIPS]:
            lines.append(f"  skipped {where}: {reason}")
        if len(self.skipped) > MAX_LISTED_SKIPS:
            lines.append(f"  ... and {len(self.skipped) - MAX_LISTED_SKIPS} more skipped")
        if self.error:
            lines.append(f"  stopped early: {self.error}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"where": w, "reason": r} for w, r in self.skipped],
            "error": self.error,
        }
