"""``valueloop serve``: the API under ``/api/v1`` and the dashboard under ``/``, in one uvicorn process."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.output import WorkspaceOpt, stderr


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8600,
    workspace: WorkspaceOpt = None,
    max_upload_mb: Annotated[int, typer.Option(help="Largest accepted upload request (all its files), in MB.")] = 50,
    secure_cookies: Annotated[
        bool,
        typer.Option(
            "--secure-cookies/--insecure-cookies",
            help="Cookies are Secure (sent over HTTPS only); --insecure-cookies for plain http on this machine.",
        ),
    ] = True,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(help="A reverse proxy's address or network whose X-Forwarded-For/-Proto to believe (repeatable)."),
    ] = None,
    event_window_hours: Annotated[
        float, typer.Option(help="Reject live events this many hours before or after now; 0 = take any time.")
    ] = 24.0,
    cache_seconds: Annotated[
        float, typer.Option(help="Reuse a read's answer for the same caller and unchanged data this long; 0 = off.")
    ] = 5.0,
) -> None:
    """Serve the web dashboard and the JSON API for a workspace."""
    import uvicorn

    from valueloop.http.app import create_app
    from valueloop.http.settings import ApiSettings
    from valueloop.store.workspace import resolve_root

    settings = ApiSettings(workspace=resolve_root(workspace), max_upload_bytes=max_upload_mb * 1024 * 1024,
                           secure_cookies=secure_cookies, trusted_proxies=tuple(trusted_proxy or ()),
                           event_window_hours=event_window_hours, response_cache_seconds=cache_seconds)  # fmt: skip
    app = create_app(settings)
    stderr.print(f"valueloop serving {settings.workspace} on http://{host}:{port}/ (API: /api/v1, docs: /api/docs)")
    if secure_cookies:
        stderr.print("cookies are Secure: sign in over HTTPS (a TLS proxy), or use --insecure-cookies for plain http")
    # Proxy headers are read by the app, from --trusted-proxy only; uvicorn's own reading trusts 127.0.0.1.
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
