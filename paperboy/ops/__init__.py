"""Operations: readiness, the figures ``/metrics`` reads from the database, backups and
``paperboy doctor``."""
