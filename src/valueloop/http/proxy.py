"""Who the client is when valueloop runs behind reverse proxies.

The socket's peer is the client, unless the peer is one of the configured proxies
(``valueloop serve --trusted-proxy``; none by default). Only then are ``X-Forwarded-For``
and ``X-Forwarded-Proto`` believed: anyone else can write those headers, and a login rate
limit keyed on a forged address limits nothing. ``X-Forwarded-For`` is read from the
right: each proxy appends the address it saw, so the rightmost address that is not a
trusted proxy is the client; whatever stands left of it came from the client and may be
forged. The scheme (``https`` behind a TLS-terminating proxy) is the nearest proxy's
``X-Forwarded-Proto``.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from starlette.types import ASGIApp, Receive, Scope, Send

from valueloop.accounts.service.accounts import MAX_ADDRESS
from valueloop.errors import InputError

Network = IPv4Network | IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Parse proxy addresses and networks (``10.0.0.5``, ``10.0.0.0/8``, ``::1``); an unusable one is named."""
    out = []
    for entry in entries:
        try:
            out.append(ip_network(entry.strip(), strict=False))
        except ValueError:
            raise InputError(
                f"trusted proxy {entry!r} is not an IP address or network (10.0.0.5, 10.0.0.0/8)"
            ) from None
    return tuple(out)


def _host(hop: str) -> str:
    """The address of one ``X-Forwarded-For`` entry, without a port (``[::1]:80``, ``1.2.3.4:80``)."""
    hop = hop.strip()
    if hop.startswith("[") and "]" in hop:
        return hop[1 : hop.index("]")]
    if hop.count(":") == 1:
        return hop.split(":", 1)[0]
    return hop


def _trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in proxies)


def client_address(peer: str, forwarded_for: Iterable[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy, then the rightmost untrusted hop."""
    if not _trusted(peer, proxies):
        return peer
    hops = [_host(h) for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:MAX_ADDRESS]
    return hops[0][:MAX_ADDRESS] if hops else peer


class TrustedProxies:
    """Pure ASGI middleware: the request's client and scheme as the trusted proxies reported them."""

    def __init__(self, app: ASGIApp, proxies: tuple[Network, ...]) -> None:
        self.app = app
        self.proxies = proxies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and _trusted(str(peer[0]), self.proxies):
            headers = [(k.lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]
            forwarded = [v for k, v in headers if k == b"x-forwarded-for"]
            scope = dict(scope, client=(client_address(str(peer[0]), forwarded, self.proxies), 0))
            proto = [v.split(",")[-1].strip().lower() for k, v in headers if k == b"x-forwarded-proto"]
            if proto and proto[-1] in ("http", "https"):
                scope["scheme"] = proto[-1]
        await self.app(scope, receive, send)
