"""CSV integrity: unbalanced quotes, encodings decided from the whole file, unusable files named."""

from __future__ import annotations

import codecs
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from test_ingest_csv import reconciles, stored

from conftest import CliRun, write
from valueloop.errors import InputError, SpecError
from valueloop.ingest.csvscan import MAX_QUOTED_BYTES
from valueloop.ingest.encoding import detect_encoding
from valueloop.ingest.service.ingest import ingest
from valueloop.store.lake import Lake
from valueloop.store.workspace import Workspace

HEADER = "interaction_id,entity_id,opened_at,channel\n"


def rows(n: int, bad: dict[int, str] | None = None) -> str:
    bad = bad or {}
    return "".join(bad.get(i, f"I{i},B1,2026-01-05 09:00:00,phone\n") for i in range(1, n + 1))


@pytest.mark.parametrize("column", ["channel", "entity_id"])
def test_unbalanced_quote_is_quarantined_and_reading_goes_on(ws: Workspace, tmp_path: Path, column: str) -> None:
    line = 'I100,B1,2026-01-05 09:00:00,"phone\n' if column == "channel" else 'I100,"B1,2026-01-05 09:00:00,phone\n'
    f = write(tmp_path / "i.csv", HEADER + rows(500, {100: line}))
    s = ingest(ws, "interactions", [f])
    assert (s.read, s.stored, s.quarantined) == (500, 499, 1)
    assert reconciles(s)
    assert [(e.row, e.field, e.reason) for e in s.errors] == [(100, "(row)", "unbalanced quote starting at line 101")]
    kept = stored(ws)
    assert {r["channel"] for r in kept} == {"phone"} and "I500" in {r["interaction_id"] for r in kept}
    raw = pq.read_table(Lake(ws.lake_dir).quarantine_files("interactions")[0]).to_pylist()
    cells = json.loads(raw[0]["raw"])
    assert cells["_line"] == line.rstrip("\n")  # the line as sent is kept
    if column == "channel":  # the quote opens the last cell: the cells are known, for a fixable export
        assert cells["channel"] == "phone" and cells["interaction_id"] == "I100"
    else:  # the quote swallows delimiters: only the line
        assert cells == {"_line": line.rstrip("\n")}


def test_quoted_fields_spanning_lines_still_parse(ws: Workspace, tmp_path: Path) -> None:
    text = (
        HEADER
        + 'I1,B1,2026-01-05 09:00:00,"line one\nline two, still the note"\n'
        + '"I2",B1,2026-01-05 09:00:00,"say ""hi""\nthen go"\n'
        + 'I3,B1,2026-01-05 09:00:00,5" screen\n'  # a quote inside an unquoted field is a plain character
        + rows(6, {i: "" for i in (1, 2, 3)})
    )
    assert text.count("\n") == 9
    s = ingest(ws, "interactions", [write(tmp_path / "i.csv", text)])
    assert (s.read, s.stored, s.quarantined) == (6, 6, 0), s.errors
    notes = {r["interaction_id"]: r["channel"] for r in stored(ws)}
    assert notes["I1"] == "line one\nline two, still the note" and notes["I2"] == 'say "hi"\nthen go'
    assert notes["I3"] == '5" screen'


def test_quote_open_to_the_end_or_past_the_size_limit(ws: Workspace, tmp_path: Path) -> None:
    long_note = "word " * 40 + "\n"
    text = HEADER + rows(2) + 'I3,B1,2026-01-05 09:00:00,"' + long_note * (MAX_QUOTED_BYTES // len(long_note) + 2)
    text += 'end"\n'
    s = ingest(ws, "interactions", [write(tmp_path / "i.csv", text)])
    assert s.stored == 2 and reconciles(s)
    assert s.errors[0].reason == "unbalanced quote starting at line 4"


def test_big5_file_is_not_stored_as_gbk_mojibake(ws: Workspace, tmp_path: Path) -> None:
    text = HEADER + "".join(f"工單{i},網點甲,2026-01-05 09:00:00,電話客服\n" for i in range(500))
    f = write(tmp_path / "i.csv", text, "big5")
    assert detect_encoding(f) == "big5"
    s = ingest(ws, "interactions", [f])
    assert s.stored == 500
    assert {r["channel"] for r in stored(ws)} == {"電話客服"}


def test_declared_big5_still_works(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + "工單1,網點甲,2026-01-05 09:00:00,電話\n", "big5")
    m = write(tmp_path / "m.yaml", "encoding: big5\n")
    ingest(ws, "interactions", [f], m)
    assert stored(ws)[0]["channel"] == "電話"


def gbk_then_utf8(path: Path) -> Path:
    head = "".join(f"工单{i},网点甲,2026-01-05 09:00:00,电话客服中心\n" for i in range(30_000)).encode("gbk")
    tail = "".join(f"X{i},网点,2026-01-05 09:00:00,电话客服\n" for i in range(200)).encode("utf-8")
    path.write_bytes(HEADER.encode() + head + tail)  # the UTF-8 part decodes "cleanly" as GB18030
    return path


def test_mixed_encodings_are_refused_with_line_and_candidates(ws: Workspace, tmp_path: Path) -> None:
    f = gbk_then_utf8(tmp_path / "i.csv")
    with pytest.raises(InputError, match=r"cannot detect the text encoding") as err:
        ingest(ws, "interactions", [f])
    message = str(err.value)
    assert str(f) in message and "not UTF-8: byte 43 (line 2)" in message
    assert "GB18030/GBK decodes it, but the text from line 300" in message and "Big5" in message
    assert Lake(ws.lake_dir).manifest().version == 0


def test_bom_followed_by_gbk_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "i.csv"
    f.write_bytes(codecs.BOM_UTF8 + (HEADER + "工单1,网点甲,2026-01-05 09:00:00,电话\n").encode("gbk"))
    with pytest.raises(InputError, match=r"byte-order mark, but byte 46 \(line 2\) is not UTF-8"):
        detect_encoding(f)


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("dataset: interactions\ndelimiter: ';;'\n", r"m\.yaml:2: delimiter: .*one ASCII character.*';;'"),
        ("encoding: klingon\n", r"m\.yaml:1: encoding: .*unknown encoding 'klingon'"),
    ],
)
def test_mapping_delimiter_and_encoding_checked_at_load(
    ws: Workspace, tmp_path: Path, yaml_text: str, message: str
) -> None:
    f = write(tmp_path / "i.csv", HEADER + rows(1))
    with pytest.raises(SpecError, match=message):
        ingest(ws, "interactions", [f], write(tmp_path / "m.yaml", yaml_text))


def test_gbk_mapping_file_is_named(ws: Workspace, tmp_path: Path) -> None:
    f = write(tmp_path / "i.csv", HEADER + rows(1))
    m = write(tmp_path / "m.yaml", "dataset: interactions\nfields:\n  interaction_id: 工单编号\n", "gbk")
    with pytest.raises(SpecError, match=r"m\.yaml:3: not UTF-8 text at byte 48 \(it looks like GBK"):
        ingest(ws, "interactions", [f], m)


def test_unreadable_file_is_named(ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = write(tmp_path / "i.csv", HEADER + rows(1))
    real_open = open

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if str(file) == str(f):
            raise PermissionError(13, "Permission denied", str(f))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match=r"i\.csv: cannot read file \(Permission denied\)"):
        ingest(ws, "interactions", [f])


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("interaction_id,entity_id,opened_at,\n", "header column 4 has no name (the header ends with a delimiter)"),
        ("interaction_id,entity_id,opened_at,ch\0an\n", "header column 4 contains a NUL byte"),
    ],
)
def test_header_problems_are_named(ws: Workspace, tmp_path: Path, header: str, message: str) -> None:
    f = write(tmp_path / "i.csv", header + "I1,B1,2026-01-05 09:00:00,x\n")
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ingest(ws, "interactions", [f])


def test_cli_names_unusable_inputs_without_traceback(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    (tmp_path / "folder.csv").mkdir()
    os.mkfifo(tmp_path / "pipe.csv")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(codecs.BOM_UTF8 + (HEADER + "工单1,网点甲,2026-01-05 09:00:00,电话\n").encode("gbk"))
    good = write(tmp_path / "good.csv", HEADER + rows(1))
    cases = [
        ((tmp_path / "folder.csv",), "folder.csv: not a regular file"),
        ((tmp_path / "pipe.csv",), "pipe.csv: not a regular file"),
        ((Path("/dev/null"),), "/dev/null: not a regular file"),
        ((bom,), "bom.csv: starts with a UTF-8 byte-order mark"),
        ((gbk_then_utf8(tmp_path / "mixed.csv"),), "mixed.csv: cannot detect the text encoding"),
        ((good, "--mapping", write(tmp_path / "d.yaml", "delimiter: ';;'\n")), "d.yaml:1: delimiter"),
        ((good, "--mapping", write(tmp_path / "g.yaml", "channel: 电话\n", "gbk")), "g.yaml:1: not UTF-8 text"),
        ((write(tmp_path / "t.csv", "interaction_id,entity_id,opened_at,\n"),), "header column 4 has no name"),
    ]
    for args, message in cases:
        r = cli("ingest", "interactions", *args, "--workspace", ws.root)
        assert r.returncode == 2, (args, r.stderr)
        assert message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_cli_unbalanced_quote_counts_reconcile(ws: Workspace, tmp_path: Path, cli: CliRun) -> None:
    f = write(tmp_path / "i.csv", HEADER + rows(500, {100: 'I100,B1,2026-01-05 09:00:00,"phone\n'}))
    r = cli("ingest", "interactions", f, "--workspace", ws.root, "--format", "json", check=True)
    out = json.loads(r.stdout)
    assert (out["read"], out["stored"], out["duplicates"], out["quarantined"]) == (500, 499, 0, 1)
    assert out["errors"][0]["reason"] == "unbalanced quote starting at line 101"
