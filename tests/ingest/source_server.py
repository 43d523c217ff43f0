"""A real HTTP server on 127.0.0.1 that plays arXiv / Hugging Face for the source tests,
and helpers that turn the recorded arXiv responses into paged OAI-PMH answers."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from lxml import etree

from tests.support import SHARED_DATA, require_shared

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OAI_DIR = SHARED_DATA / "arxiv-fixtures" / "oai-pmh"
HEP_EX = OAI_DIR / "tests_functional_arxiv_fixtures_http_server_records_arxiv-physics-hep-ex.xml"
HEP_TH = OAI_DIR / "tests_functional_arxiv_fixtures_http_server_records_arxiv-physics-hep-th.xml"
# 12 records in one response; some put <arXiv> in the OAI namespace.
SAMPLE_12 = OAI_DIR / "tests_unit_responses_arxiv_sample_arxiv_record.xml"
ATOM_SCIENCE = SHARED_DATA / "arxiv-fixtures" / "atom-api" / "search-all-science.xml"

Reply = tuple[int, dict[str, str], bytes]
DROP: Literal["drop"] = "drop"  # close the connection without answering
Answer = Reply | Literal["drop"]
Handler = Callable[["Seen"], Answer]
Override = Callable[["Seen"], Answer | None]  # None: let the normal handler answer


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    at: float  # time.monotonic() on arrival
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        seen = Seen(
            at=time.monotonic(),
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        owner = self.server.owner
        with owner.lock:
            owner.seen.append(seen)
        reply = owner.handler(seen)
        if isinstance(reply, str):  # DROP
            self.close_connection = True
            return
        status, headers, body = reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer


def _not_configured(seen: Seen) -> Reply:
    return 404, {}, b"no handler"


class LocalServer:
    """ThreadingHTTPServer on port 0 in a thread; ``handler`` decides every answer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[Seen] = []
        self.handler: Handler = _not_configured
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def requests(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


def gaps(seen: list[Seen]) -> list[float]:
    return [b.at - a.at for a, b in pairwise(seen)]


# -- OAI-PMH -----------------------------------------------------------------------------

XML = {"Content-Type": "text/xml; charset=utf-8"}


def count_records(document: str | bytes) -> int:
    """Records in a recorded response, counted by element local name."""
    data = document.encode() if isinstance(document, str) else document
    return len(etree.fromstring(data).xpath("//*[local-name()='record']"))


def read_page(path: Path) -> str:
    """A recorded response as a ListRecords page (one file is a multi-record GetRecord);
    the test skips when the shared data is missing."""
    return require_shared(path).read_text(encoding="utf-8").replace("GetRecord", "ListRecords")


def oai_error(code: str, message: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">'
        "<responseDate>2025-03-18T00:00:00Z</responseDate>"
        '<request verb="ListRecords">http://export.arxiv.org/oai2</request>'
        f'<error code="{code}">{message}</error></OAI-PMH>'
    ).encode()


DELETED_RECORD = (
    '<record><header status="deleted"><identifier>oai:arXiv.org:1709.00001</identifier>'
    "<datestamp>2017-12-14</datestamp><setSpec>physics:hep-ex</setSpec></header></record>\n"
)


def with_deleted_record(page: str) -> str:
    return page.replace("</ListRecords>", DELETED_RECORD + "</ListRecords>")


class OaiPages:
    """Serves ``pages`` (ListRecords documents) as one list linked by resumption tokens.

    Page 1 answers a request without a token and carries token ``p2`` (with cursor and
    completeListSize); page N answers token ``pN``; the last page has an empty token.
    Unknown tokens get ``badResumptionToken``. ``override`` may answer first.
    """

    def __init__(self, pages: list[str]) -> None:
        self.pages = pages
        self.sizes = [len(re.findall(r"<record[\s>]", p)) for p in pages]
        self.total = sum(self.sizes)
        self.override: Override | None = None

    def page_number(self, seen: Seen) -> int | None:
        token = seen.query.get("resumptionToken")
        if token is None:
            return 1
        match = re.fullmatch(r"p(\d+)", token)
        if match and 2 <= int(match.group(1)) <= len(self.pages):
            return int(match.group(1))
        return None

    def body(self, number: int) -> bytes:
        token = f"p{number + 1}" if number < len(self.pages) else ""
        cursor = sum(self.sizes[: number - 1])
        element = (
            f'<resumptionToken cursor="{cursor}" completeListSize="{self.total}">'
            f"{token}</resumptionToken>"
        )
        return self.pages[number - 1].replace("</ListRecords>", element + "</ListRecords>").encode()

    def __call__(self, seen: Seen) -> Answer:
        if self.override is not None:
            answer = self.override(seen)
            if answer is not None:
                return answer
        number = self.page_number(seen)
        if number is None:
            return 200, XML, oai_error("badResumptionToken", "The token is not valid")
        return 200, XML, self.body(number)
