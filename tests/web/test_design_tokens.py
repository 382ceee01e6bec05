"""The design tokens of ``static/app.css``: every text colour is a token, and every text/background pair
the pages use reaches the WCAG AA contrast ratio for normal text (4.5:1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from valueloop.http.web.render import HERE

CSS = (HERE / "static" / "app.css").read_text(encoding="utf-8")
AA = 4.5
PAIRS = {
    "ink": ("bg", "surface", "subtle", "accent-bg", "bad-bg", "warn-bg"),
    "muted": ("bg", "surface", "subtle"),
    "accent": ("bg", "surface", "accent-bg", "subtle"),
    "on-accent": ("accent", "bad", "warn", "muted"),
    "bad": ("surface", "bg", "bad-bg"),
    "warn": ("surface", "bg", "warn-bg"),
    "good": ("surface", "bg"),
}
"""Text colour token → the background tokens it is drawn on."""


def tokens(css: str = CSS) -> dict[str, str]:
    root = re.search(r":root\s*\{([^}]*)\}", css)
    assert root, "app.css has no :root block"
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b", root.group(1)))


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB hex colour."""
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_the_wcag_reference_values() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the well-known 'just fails AA' grey


@pytest.mark.parametrize(("fg", "bg"), [(fg, bg) for fg, bgs in PAIRS.items() for bg in bgs])
def test_text_on_background_meets_wcag_aa(fg: str, bg: str) -> None:
    t = tokens()
    assert contrast(t[fg], t[bg]) >= AA, f"--{fg} {t[fg]} on --{bg} {t[bg]}: {contrast(t[fg], t[bg]):.2f} < {AA}"


def test_every_text_colour_in_the_style_sheet_is_a_checked_token() -> None:
    used = re.findall(r"(?<![-\w])color\s*:\s*([^;}]+)", CSS)
    for value in used:
        name = re.fullmatch(r"var\(--([\w-]+)\)", value.strip())
        assert name, f"text colour {value.strip()!r} is not a token"
        assert name.group(1) in PAIRS, f"--{name.group(1)} is used for text but has no checked background"


def test_a_low_contrast_token_would_be_caught() -> None:
    weak = CSS.replace("--warn:#8d5a00", "--warn:#b7791f")  # the warning colour before the design tokens: 3.6:1
    assert contrast(tokens(weak)["warn"], tokens(weak)["surface"]) < AA


def test_menu_and_tables_have_their_phone_rules() -> None:
    assert "table.stacked td[data-label]::before" in CSS
    assert (Path(HERE) / "static" / "ui.js").is_file()
