"""Anonymous links per unit, their QR codes (SVG and PNG) and a printable sheet for every unit.

A unit's link is for walk-in service: a poster or a table card carries its QR code. It names
only a random link id (the database ties it to the survey and the unit); each page view mints
its own answer token, so a replayed post is recognised and a respondent cannot post twice by
reloading. Links are made once per survey × unit and reused, so reprinting a sheet prints the
same codes.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from datetime import datetime, timedelta

import segno
import sqlalchemy as sa
from pydantic import BaseModel

from valueloop.errors import InputError
from valueloop.store import appdb
from valueloop.store.tables import survey_links as links
from valueloop.store.workspace import Workspace
from valueloop.surveys import tokens
from valueloop.surveys.service.catalog import get_survey, secret

LINK_DAYS = 365
MAX_UNIT = 200


class UnitLink(BaseModel):
    survey_id: str
    entity_id: str
    link_id: str
    url: str
    expires_at: datetime


WALK_IN_TYPES = ("branch", "store")
"""Unit types that serve walk-in customers: the default units of a QR sheet."""


def walk_in_units(ws: Workspace) -> list[str]:
    """The entities dataset's branches and stores, by id; InputError when it has none (name units instead)."""
    from valueloop.store.warehouse import Warehouse

    wh = Warehouse(ws)
    t = wh.table("entities")
    df = wh.execute(t.filter(t.type.isin(list(WALK_IN_TYPES))).select("entity_id").order_by("entity_id"))
    units = [str(u) for u in df["entity_id"]]
    if not units:
        raise InputError("no branch or store in the entities dataset: name units with --unit")
    return units


def unit_links(ws: Workspace, survey_id: str, units: Sequence[str], base_url: str, now: datetime) -> list[UnitLink]:
    """The anonymous link of each unit (made on first use, valid :data:`LINK_DAYS` days)."""
    get_survey(ws, survey_id)  # a survey that does not exist (or is broken) gets no links
    bad = [u for u in units if not u.strip() or len(u) > MAX_UNIT]
    if bad or not units:
        raise InputError("units: give one or more unit ids (each 1–200 characters)")
    with appdb.engine(ws.database_url).begin() as conn:
        q = sa.select(links).where(links.c.survey_id == survey_id, links.c.entity_id.in_(list(units)))
        have = {r.entity_id: r for r in conn.execute(q)}
        for unit in units:
            if unit not in have:
                conn.execute(
                    links.insert().values(
                        link_id=tokens.new_ref(),
                        survey_id=survey_id,
                        entity_id=unit,
                        created_at=now,
                        expires_at=now + timedelta(days=LINK_DAYS),
                    )
                )
        have = {r.entity_id: r for r in conn.execute(q)}
    key = secret(ws)
    out = []
    for unit in units:
        r = have[unit]
        expires = appdb.as_utc(r.expires_at)
        url = f"{base_url.rstrip('/')}/s/{tokens.sign(key, 'u', r.link_id, expires)}"
        out.append(UnitLink(survey_id=survey_id, entity_id=unit, link_id=r.link_id, url=url, expires_at=expires))
    return out


def qr_svg(url: str, scale: int = 4) -> str:
    """The QR code of ``url`` as a standalone SVG document (no XML declaration, inlinable in HTML)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, xmldecl=False, svgns=True, title="QR")
    return buf.getvalue().decode()


def qr_png(url: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale)
    return buf.getvalue()


SHEET = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:sans-serif;margin:0}} .card{{display:inline-block;width:45%;margin:2%;text-align:center;
page-break-inside:avoid;border:1px dashed #999;padding:1em;box-sizing:border-box}}
.card svg{{width:60%;height:auto}} h1{{font-size:1.2em;text-align:center}} .unit{{font-size:1.1em;font-weight:bold}}
.url{{font-size:.6em;word-break:break-all;color:#555}}
</style></head><body><h1>{title}</h1>
{cards}
</body></html>
"""
CARD = '<div class="card"><div class="unit">{unit}</div>{svg}<div>{scan}</div><div class="url">{url}</div></div>'
SCAN = {"zh": "扫码评价本次服务", "en": "Scan to rate our service"}


def sheet(survey_title: str, unit_rows: Sequence[UnitLink], lang: str = "zh") -> str:
    """A printable HTML page: one card per unit with its name, QR code and link. Every text is escaped."""
    cards = "\n".join(
        CARD.format(
            unit=html.escape(u.entity_id), svg=qr_svg(u.url), scan=SCAN.get(lang, SCAN["zh"]), url=html.escape(u.url)
        )
        for u in unit_rows
    )
    return SHEET.format(lang="en" if lang == "en" else "zh-CN", title=html.escape(survey_title), cards=cards)
