"""Personal ranking: the "For you" feed (pure NumPy rankers over paper embeddings)."""
