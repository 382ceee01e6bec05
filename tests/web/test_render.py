"""Every dashboard template autoescapes, whatever its file name."""

from __future__ import annotations

from valueloop.http.web.render import templates


def test_page_templates_autoescape_whatever_their_name() -> None:
    assert templates.env.autoescape is True  # not select_autoescape(), which skips names not ending in .html
    rendered = templates.env.from_string("{{ x }}").render(x="<script>alert(1)</script>")
    assert "<script" not in rendered
