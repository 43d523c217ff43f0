"""OpenAPI documentation of the JSON API beyond what the routes declare themselves.

``document_api(app)`` wraps the app's schema generation once, so every /api operation,
whichever module defines it, gets:

* the 429 answer of the rate limiter (with ``Retry-After``) and the ``X-RateLimit-*``
  headers on its success answer (``/api/health`` is not limited);
* an example for each documented error (the one error shape);
* an example ``arxiv_id`` for path parameters of that name;
* an example success body where one is listed in ``SUCCESS_EXAMPLES``;
* one tag, the most specific: Swagger UI lists an operation once under each of its tags,
  and the routers' own tags ("papers") came on top of the routes' ("community").

``docs_page()`` is the Swagger UI page itself, with a link back to the site.

Success examples are built through the response models (``model_validate``), so an
example that drifts from its model fails at import, not silently in the docs."""

from paperboy.web.api.docs.examples import (
    _CODE,
    _PAPER,
    _RESULT,
    ARXIV_ID_EXAMPLE,
    SUCCESS_EXAMPLES,
    _checked,
)
from paperboy.web.api.docs.openapi import (
    BACK_LINK,
    ERROR_TITLES,
    RATE_HEADERS,
    _document_operation,
    _error_example,
    docs_page,
    document_api,
)

__all__ = [
    "ARXIV_ID_EXAMPLE",
    "BACK_LINK",
    "ERROR_TITLES",
    "RATE_HEADERS",
    "SUCCESS_EXAMPLES",
    "_CODE",
    "_PAPER",
    "_RESULT",
    "_checked",
    "_document_operation",
    "_error_example",
    "docs_page",
    "document_api",
]
