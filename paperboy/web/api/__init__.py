"""The JSON API under /api: routes by resource, output models in ``schemas``."""
