"""Where a request came from: the one place that reads it (the sign-in throttle, allauth's rate limits, the audit log).

Behind a reverse proxy every request arrives from the proxy's address, so the proxy says whom it is forwarding for in
`X-Forwarded-For`. Anyone can write that header, so it is believed only from the proxies named in
`settings.CASEWORK_TRUSTED_PROXIES` (addresses or networks). The header is read from the right: each trusted proxy
appends the address that connected to it, so the first address from the right that is not a trusted proxy is the
client; whatever a client wrote further left is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address: the connecting address, or, when that is a trusted proxy, the address the proxies say
    they forwarded for."""
    remote = str(request.META.get("REMOTE_ADDR") or "").strip()
    networks = _networks(tuple(settings.CASEWORK_TRUSTED_PROXIES))
    if not remote or not networks or not _is_trusted(remote, networks):
        return remote or "unknown"
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:  # not an address: the proxy chain is misconfigured; count it against the proxy
                return remote
    return forwarded[0] if forwarded else remote
