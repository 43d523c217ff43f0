"""Outgoing mail: pure rendering (``render.py``) kept apart from sending (``send.py``)."""

from paperboy.mail.render import render_sign_in_email
from paperboy.mail.send import send_email, send_link_email

__all__ = ["render_sign_in_email", "send_email", "send_link_email"]
