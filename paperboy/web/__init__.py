"""The web site and JSON API."""

from paperboy.web.app import create_app

__all__ = ["create_app"]
