"""Hostile text through every input a user or an uploaded file sets, rendered by every output.

One demo workspace per module gets a corpus of hostile strings (markup, script, ``file://`` and
loopback URLs, CSS ``url()``, WeasyPrint attachments, spreadsheet formulas, bidi overrides, 10 kB
strings, matplotlib mathtext) in every field that reaches an output: entity names (an entities
upload), action titles, descriptions and comments, document titles, user names, the model's name
and indicator / dimension labels (a model file), feedback texts and quarantined rows (an upload).
Each output is rendered once; the test is one matrix over (field × renderer): the field's marker
must reach the output (so the pair is really exercised) and the output must be inert.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import subprocess
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from openpyxl import load_workbook

from valueloop.accounts.service.accounts import Role, add_user, list_users
from valueloop.cli.output import Format, emit
from valueloop.demo.pipeline import run_demo
from valueloop.diagnosis.service.diagnose import diagnose, list_findings
from valueloop.evaluation.service.evaluate import evaluate
from valueloop.evaluation.service.models import model_files
from valueloop.evaluation.service.scores import latest_run
from valueloop.http.app import create_app
from valueloop.http.settings import ApiSettings
from valueloop.improvement.documents import DocKind
from valueloop.improvement.service.actions import comment, create_action
from valueloop.improvement.service.actions_view import list_actions
from valueloop.improvement.service.documents import add_document, list_documents
from valueloop.ingest.service.ingest import ingest
from valueloop.ingest.service.quarantine import export_quarantine
from valueloop.monitoring.notify import Channel, Notice, render
from valueloop.people.service.audits import checklist_from_text, scorecards
from valueloop.reporting.html import CSP, render_html
from valueloop.reporting.pdf import render_pdf
from valueloop.reporting.service.review import build_review
from valueloop.reporting.xlsx import render_xlsx
from valueloop.store import appdb, tables
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace, open_workspace

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette asks for httpx2 (a deprecation); httpx is what we ship
    from fastapi.testclient import TestClient

PASSWORD = "correct horse battery"
PERIOD = "2026-Q3"

# {m} is the field's marker (so the output can be searched for it), {url} a loopback listener.
PAYLOADS = (
    "<script>alert('{m}')</script>",
    "<img src=x onerror=alert('{m}')>",
    '<a href="javascript:alert(1)">{m}</a>',
    '<img src="file:///etc/passwd">{m}',
    '<img src="{url}/img">{m}',
    '<p style="background:url({url}/css)">{m}</p>',
    '<a rel="attachment" href="file:///etc/passwd">{m}</a>',
    '=HYPERLINK("{url}/xl","{m}")',
    "+1+{m}",
    "-1+2+{m}",
    "@SUM(1)+{m}",
    "\u202e{m}\u202c",
    "$\\undefinedmacro{{{m}}}$",
    "{m}" + "x" * 10_000,
)


class Listener:
    """A loopback HTTP server that records every request: a renderer must never call it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"body{}")

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@dataclass
class Corpus:
    ws: Workspace
    url: str
    listener: Listener
    fields: dict[str, list[str]] = field(default_factory=dict)
    """Field → the exact strings stored in it (after the field's own limits)."""
    ids: dict[str, str] = field(default_factory=dict)


def _texts(marker: str, url: str, limit: int | None = None, path_safe: bool = False) -> list[str]:
    out = [p.format(m=marker, url=url) for p in PAYLOADS]
    if path_safe:  # a user name is one printable URL path segment
        out = [t.replace("/", "|") for t in out if t.isprintable()]
    return [t[:limit] for t in out] if limit else out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    listener = Listener()
    root = tmp_path_factory.mktemp("hostile") / "ws"
    os.environ["VALUELOOP_ADMIN_PASSWORD"] = PASSWORD
    try:
        run_demo(root, interactions=6_000, log=lambda _: None)
    finally:
        del os.environ["VALUELOOP_ADMIN_PASSWORD"]
    c = Corpus(open_workspace(root), listener.url, listener)
    _entities(c, root)
    _model(c)
    _feedback(c, root)
    _actions(c)
    _users(c)
    yield c
    listener.server.shutdown()
    listener.server.server_close()


def _entities(c: Corpus, root: Path) -> None:
    """New names for branches and agents, as an entities upload; then the quarter is evaluated again."""
    table = Warehouse(c.ws).table("entities").to_pyarrow().to_pylist()
    branches = [r for r in table if r["type"] == "branch"][: len(PAYLOADS)]
    agents = [r for r in table if r["type"] == "agent"][: len(PAYLOADS)]
    names = _texts("VLXENTITY", c.url)
    path = root / "hostile-entities.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, ["entity_id", "name", "type", "parent_id", "industry", "region"])
        out.writeheader()
        for rows in (branches, agents):
            out.writerows({**r, "name": n} for r, n in zip(rows, names, strict=True))
    ingest(c.ws, "entities", [path])
    c.fields["entity name"] = names
    c.ids["branch"] = branches[0]["entity_id"]


def _model(c: Corpus) -> None:
    """The model file's name, dimension and indicator labels, edited as a user edits the YAML."""
    file = next(f for f in model_files(c.ws) if f.name == "three-dimension.yaml")
    doc = yaml.safe_load(file.read_text(encoding="utf-8"))
    names = _texts("VLXMODEL", c.url, 500)
    labels = _texts("VLXLABEL", c.url, 500)
    doc["name"] = {"zh": names[0], "en": names[0]}
    indicators = [i for d in doc["dimensions"] for i in d["indicators"]]
    for thing, text in zip([*doc["dimensions"], *indicators], labels * 3, strict=False):
        thing["name"] = {"zh": text, "en": text}
    file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    for month in ("2026-07", "2026-08", "2026-09"):
        evaluate(c.ws, period=month)
    c.fields["model name"] = names[:1]
    c.fields["indicator label"] = labels


def _feedback(c: Corpus, root: Path) -> None:
    """Feedback texts: good rows are stored, rows with an impossible CSAT are quarantined (export for fixing)."""
    texts = _texts("VLXFEEDBACK", c.url)
    path = root / "hostile-feedback.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["feedback_id", "submitted_at", "entity_id", "kind", "csat", "text"])
        for i, text in enumerate(texts):
            out.writerow([f"H{i}", "2026-09-15T10:00:00+08:00", c.ids["branch"], "survey", 5, text])
            out.writerow([f"Q{i}", "2026-09-15T10:00:00+08:00", c.ids["branch"], "survey", 9, text])
    ingest(c.ws, "feedback", [path])
    c.fields["feedback text"] = texts


def _actions(c: Corpus) -> None:
    """Actions from findings of the quarter (so they show in the review), with comments and a document."""
    titles = _texts("VLXTITLE", c.url, 200)
    notes = _texts("VLXCOMMENT", c.url)
    docs = _texts("VLXDOC", c.url, 200)
    diagnose(c.ws, period="2026-09")
    findings = list_findings(c.ws, period="2026-09")
    for i, (title, note, doc) in enumerate(zip(titles, notes, docs, strict=True)):
        add_document(c.ws, f"DOC-{i}", f"body {i}", title=doc, kind=DocKind.manual, owner="qa",
                     effective_from=date(2026, 1, 1))  # fmt: skip
        aid = create_action(
            c.ws,
            {"title": title, "description": note, "owner": "qa", "department": "ops",
             "documents": [{"doc_id": f"DOC-{i}", "version": 1}]},
            "qa",
            from_finding=findings[i % len(findings)].id,
        )  # fmt: skip
        comment(c.ws, aid, "qa", note)
        c.ids.setdefault("action", str(aid))
    c.fields["action title"] = titles
    c.fields["action comment"] = notes
    c.fields["document title"] = docs


def _users(c: Corpus) -> None:
    names = _texts("VLXUSER", c.url, 100, path_safe=True)
    for name in names:
        add_user(c.ws, name, PASSWORD, Role.analyst)
    c.fields["user name"] = names


# ---- renderers: each gives (kind, output) once per module ------------------------------------------------------

PAGES = ("/", "/rankings", "/units/{branch}", "/actions", "/actions/{action}", "/alerts", "/voice", "/experiments",
         "/reports", "/models", "/accounts", "/upload", "/vsm", "/subscriptions")  # fmt: skip
FILES = (
    "review.html",
    "review.pdf",
    "review.xlsx",
    "rankings.csv",
    "rankings.xlsx",
    "quarantine.csv",
    "cli.csv",
    "scorecards.csv",
)
CHATS = ("webhook", "wecom", "dingtalk", "slack")
RENDERERS = (*PAGES, *FILES, *CHATS)

Output = tuple[str, Any]


@pytest.fixture(scope="module")
def outputs(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Output]:
    """Each renderer run once, on first use."""
    client = TestClient(create_app(ApiSettings(workspace=corpus.ws.root)), base_url="https://testserver")
    client.__enter__()
    _sign_in(client)
    folder = tmp_path_factory.mktemp("outputs")

    @cache
    def run(name: str) -> Output:
        if name in PAGES:
            response = client.get(name.format(**corpus.ids))
            assert response.status_code == 200, (name, response.text[:500])
            return "html", response.text
        if name in CHATS:
            return "json", _chat(corpus, name)
        return _file(corpus, client, folder, name)

    yield run  # type: ignore[misc]
    client.__exit__(None, None, None)


def _sign_in(client: TestClient) -> None:
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    data = {"username": "admin", "password": PASSWORD, "csrf_token": token, "next": "/"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303


def _file(c: Corpus, client: TestClient, folder: Path, name: str) -> Output:
    if name.startswith("review."):
        data = build_review(c.ws, PERIOD)
        if name == "review.html":
            return "html", render_html(data, "en")
        if name == "review.pdf":
            path = folder / "review.pdf"
            path.write_bytes(render_pdf(data, "en"))
            return "pdf", path
        return "xlsx", render_xlsx(data, "en")
    if name.startswith("rankings."):
        response = client.get(f"/{name}")
        assert response.status_code == 200, response.text[:500]
        return ("csv", response.text) if name.endswith(".csv") else ("xlsx", response.content)
    if name == "quarantine.csv":
        path = folder / "quarantine.csv"
        export_quarantine(c.ws, "feedback", path, None)
        return "csv", path.read_text(encoding="utf-8-sig")
    if name == "scorecards.csv":
        return "csv", Path(str(scorecards(c.ws, period="2026-09").file)).read_text(encoding="utf-8")
    return "csv", _cli_csv(c)


def _cli_csv(c: Corpus) -> str:
    """``valueloop … --format csv`` of the latest results, the users and the actions (what the CLI prints)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        run = latest_run(c.ws, None, None)
        emit([{"entity_id": r["entity_id"], "name": r["name"], "score": r["score"]} for r in _results(c, run.run_id)],
             Format.csv)  # fmt: skip
        emit(list_users(c.ws), Format.csv)
        emit(list_actions(c.ws), Format.csv)
        emit(list_documents(c.ws), Format.csv)
        emit(checklist_from_text(_checklist(c)).model_dump(mode="json")["items"], Format.csv)
    return buf.getvalue()


def _checklist(c: Corpus) -> str:
    """A mystery-shopper checklist (``audits checklist``) whose item texts are the corpus."""
    texts = _texts("VLXCHECK", c.url)
    c.fields["checklist item"] = texts
    items = [{"id": f"i{i}", "text": {"zh": t, "en": t}, "weight": 1 / len(texts)} for i, t in enumerate(texts)]
    return yaml.safe_dump({"id": "hostile", "name": {"zh": "x", "en": "x"}, "version": 1, "pass_mark": 0.8,
                           "items": items}, allow_unicode=True)  # fmt: skip


def _results(c: Corpus, run_id: str) -> list[dict[str, Any]]:
    res = tables.evaluation_results
    with appdb.engine(c.ws.database_url).connect() as conn:
        return [dict(r.result) for r in conn.execute(sa.select(res.c.result).where(res.c.run_id == run_id))]


def _chat(c: Corpus, kind: str) -> dict[str, Any]:
    """An alert about a hostile unit: its name in the rule, the summary, a label and the link text."""
    names = c.fields["entity name"]
    notices = [
        Notice(alert_id=f"a{i}", rule=name, status="firing", severity="critical", summary=f"{name}: {name}",
               started_at="2026-09-30T00:00:00Z", group_key="g", labels={"unit": name}, value=-1.0)
        for i, name in enumerate(names)
    ]  # fmt: skip
    body = render(Channel(name="c", kind=kind, url="http://127.0.0.1:9/hook", language="en"), notices)  # type: ignore[arg-type]
    return json.loads(json.dumps(body, ensure_ascii=False))  # the body must be plain JSON: strings, lists, dicts


# ---- what "inert" means for each kind of output -------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: what a spreadsheet reads as a formula
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
APP_SCRIPT = re.compile(r"^/static/[\w./-]+\.js$")


class Elements(HTMLParser):
    """Every element and attribute the browser would create from the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _html_problems(text: str, url: str) -> list[str]:
    parser = Elements()
    parser.feed(text)
    problems = []
    for tag, attrs in parser.tags:
        events = [k for k in attrs if k.startswith("on")]
        if events:
            problems.append(f"<{tag}> with {events}")
        if tag == "script" and not (attrs.get("type") == "application/json" or APP_SCRIPT.match(attrs.get("src", ""))):
            problems.append(f"<script {attrs}>")
        for key, value in attrs.items():
            if re.search(r"javascript:|file:|" + re.escape(url), value, re.I):
                problems.append(f"<{tag} {key}={value[:80]!r}>")
        if tag == "a" and attrs.get("rel") == "attachment":
            problems.append("<a rel=attachment>")
    return problems


def _live(cell: object) -> bool:
    """A text cell a spreadsheet would evaluate: starts with a formula trigger and is not a plain number."""
    return isinstance(cell, str) and cell.startswith(TRIGGERS) and not _NUMBER.match(cell)


def _csv_problems(text: str) -> list[str]:
    return [f"live formula cell {cell[:60]!r}" for row in csv.reader(io.StringIO(text)) for cell in row if _live(cell)]


def _xlsx_problems(data: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.data_type} {str(cell.value)[:60]!r}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or _live(cell.value)
    ]


def _pdf_problems(path: Path, hits: list[str]) -> list[str]:
    listed = subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    problems = [] if listed.startswith("0 embedded files") else [f"embedded files: {listed[:200]}"]
    return problems + [f"the renderer fetched {h}" for h in hits]


def _chat_problems(body: dict[str, Any], kind: str) -> list[str]:
    """Slack is the one chat format with markup in text (``<url|label>``): its text must be escaped."""
    if kind != "slack":
        return []
    texts = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    return [f"raw '<' in {t[:80]!r}" for t in texts if re.search(r"<(?!http)", t)]


def _text_of(kind: str, output: Any) -> str:
    if kind == "pdf":
        return subprocess.run(["pdftotext", str(output), "-"], capture_output=True, text=True, check=True).stdout
    if kind == "xlsx":
        book = load_workbook(io.BytesIO(output))
        return "\n".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value is not None)
    if kind == "json":
        return json.dumps(output, ensure_ascii=False)
    return str(output)


def _problems(kind: str, output: Any, c: Corpus, name: str) -> list[str]:
    if kind == "html":
        return _html_problems(output, c.url)
    if kind == "csv":
        return _csv_problems(output)
    if kind == "xlsx":
        return _xlsx_problems(output)
    if kind == "pdf":
        return _pdf_problems(output, c.listener.hits)
    return _chat_problems(output, name)


MARKERS = {"entity name": "VLXENTITY", "model name": "VLXMODEL", "indicator label": "VLXLABEL",
           "feedback text": "VLXFEEDBACK", "action title": "VLXTITLE", "action comment": "VLXCOMMENT",
           "document title": "VLXDOC", "user name": "VLXUSER", "checklist item": "VLXCHECK"}  # fmt: skip


REACH: dict[str, tuple[str, ...]] = {
    "/": ("indicator label",),
    "/rankings": ("entity name",),
    "/units/{branch}": ("entity name",),
    "/actions": ("action title",),
    "/actions/{action}": ("action title", "action comment"),
    "/models": ("model name", "indicator label"),
    "/accounts": ("user name",),
    "review.html": ("entity name", "model name", "indicator label", "action title"),
    "review.pdf": ("entity name", "model name", "indicator label"),
    "review.xlsx": ("entity name", "indicator label", "action title"),
    "rankings.csv": ("entity name",),
    "rankings.xlsx": ("entity name",),
    "quarantine.csv": ("feedback text",),
    "scorecards.csv": ("entity name",),
    "cli.csv": ("entity name", "action title", "document title", "user name", "checklist item"),
    **{chat: ("entity name",) for chat in CHATS},
}
"""Which field each renderer shows (checked: the field's marker must be in the output)."""

PAIRS = [(f, r) for r, fields in REACH.items() for f in fields]


@pytest.mark.parametrize(("field", "renderer"), PAIRS, ids=[f"{f}-{r}" for f, r in PAIRS])
def test_hostile_field_is_inert_in_renderer(corpus: Corpus, outputs: Callable[[str], Output], field: str,
                                            renderer: str) -> None:  # fmt: skip
    kind, out = outputs(renderer)
    assert MARKERS[field] in _text_of(kind, out), f"{field} does not reach {renderer}"
    assert _problems(kind, out, corpus, renderer) == []


@pytest.mark.parametrize("renderer", RENDERERS)
def test_every_output_is_inert(corpus: Corpus, outputs: Callable[[str], Output], renderer: str) -> None:
    """Also the pages that show none of the fields (alerts, voice, experiments, reports, upload, vsm)."""
    kind, out = outputs(renderer)
    assert _problems(kind, out, corpus, renderer) == []


def test_no_renderer_fetched_anything(corpus: Corpus, outputs: Callable[[str], Output]) -> None:
    for name in RENDERERS:
        outputs(name)
    assert corpus.listener.hits == []


def test_every_field_reaches_some_renderer() -> None:
    assert set(MARKERS) == {f for fields in REACH.values() for f in fields}


def test_review_html_declares_the_csp(outputs: Callable[[str], Output]) -> None:
    _, page = outputs("review.html")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'.replace("'", "&#39;") in page
