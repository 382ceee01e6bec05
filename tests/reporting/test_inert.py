"""The review is an inert document: the PDF renderer fetches nothing named in the page, the HTML runs no script."""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from weasyprint import HTML  # type: ignore[import-untyped]

from valueloop.reporting.html import CSP
from valueloop.reporting.pdf import ASSETS, AssetsOnly


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ((ASSETS / "templates" / "review.html.j2").as_uri(), True),
        ("file:///etc/passwd", False),
        ((ASSETS / ".." / ".." / ".." / "pyproject.toml").as_uri(), False),
        ("file://evil.example/share/x", False),
        ("http://127.0.0.1:9/", False),
        ("https://example.com/font.woff", False),
        ("ftp://example.com/x", False),
    ],
)
def test_the_pdf_fetcher_serves_only_data_urls_and_package_files(url: str, allowed: bool) -> None:
    if allowed:
        AssetsOnly().fetch(url).close()
    else:
        with pytest.raises(ValueError, match="may not load"):
            AssetsOnly().fetch(url)


@pytest.mark.skipif(shutil.which("pdfdetach") is None, reason="poppler-utils not installed")
def test_markup_that_gets_past_escaping_still_embeds_and_fetches_nothing(tmp_path: Path) -> None:
    """Defence in depth: even raw hostile HTML (no escaping at all) reads no server file and calls no URL."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    page = (f'<a rel="attachment" href="{Path(__file__).as_uri()}">x</a><img src="{url}/img">'
            f'<link rel="stylesheet" href="{url}/css"><p style="background: url({url}/bg)">y</p>')  # fmt: skip
    try:
        (tmp_path / "r.pdf").write_bytes(HTML(string=page, url_fetcher=AssetsOnly()).write_pdf())
    finally:
        server.shutdown()
        server.server_close()
    listed = subprocess.run(["pdfdetach", "-list", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True)
    assert listed.stdout.startswith("0 embedded files")
    assert hits == []


def test_the_csp_forbids_script_and_remote_resources() -> None:
    rules = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    assert rules["default-src"] == "'none'" and "script-src" not in rules
    assert all("http" not in v and "*" not in v for v in rules.values())
