"""Readers' libraries beyond storage: BibTeX/JSON export and import of id lists and
BibTeX files (pure functions; the web layer does the I/O)."""
