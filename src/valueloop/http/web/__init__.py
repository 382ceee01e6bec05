"""The dashboard: server-rendered Jinja2 pages with htmx and ECharts (vendored, no CDN)."""
