"""Fault injection at the one external part of embedding, the model: the real embedder,
wrapped so that it raises for chosen texts (poison papers) or for every text (a broken
install), and counts the texts it encoded. Everything else (store, runner, handlers)
is the real code."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from paperboy.config import Settings
from paperboy.search.embed import Embedder, Vectors
from paperboy.search.service import SearchService
from paperboy.store import Store


class FaultyEmbedder:
    def __init__(self, real: Embedder, poison: set[str], *, broken: bool = False) -> None:
        self.real, self.poison, self.broken = real, poison, broken
        self.name, self.dim = real.name, real.dim
        self.encoded: Counter[str] = Counter()  # texts encoded without error
        self.calls = 0

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        self.calls += 1
        if self.broken:
            raise RuntimeError("onnxruntime session is closed")
        bad = [t for t in texts if t in self.poison]
        if bad:
            raise ValueError(f"token ids out of range in {bad[0][:40]!r}")
        vectors = self.real.encode(texts, batch_size)
        self.encoded.update(texts)
        return vectors


class FaultySearch(SearchService):
    """A SearchService whose embedder is the real one wrapped in FaultyEmbedder."""

    def __init__(
        self, settings: Settings, store: Store, poison: set[str], *, broken: bool = False
    ) -> None:
        super().__init__(settings, store)
        self.poison, self.broken = poison, broken
        self.faulty: FaultyEmbedder | None = None

    @property
    def embedder(self) -> FaultyEmbedder:
        if self.faulty is None:
            self.faulty = FaultyEmbedder(super().embedder, self.poison, broken=self.broken)
        return self.faulty
