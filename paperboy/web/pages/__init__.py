"""HTML pages: each module parses a request, calls one domain function, renders."""
