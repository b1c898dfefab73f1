"""The visitor's internet address, for rate limits and the sign-in lockout.

With no proxy trusted (the default), it is the address of the connection, REMOTE_ADDR, and
any X-Forwarded-For header is ignored: a visitor could write anything there.

Behind proxies that each append the address they saw to X-Forwarded-For (nginx's
$proxy_add_x_forwarded_for, most load balancers), set TRUSTED_PROXY_COUNT to how many there
are: the visitor is the address that many places from the right of the header, the one the
outermost proxy saw. Whatever a visitor writes into the header themselves sits further left
and is never used. Set TRUSTED_PROXIES too (addresses or networks, e.g. "10.0.0.0/8") so that a
request reaching the portal from anywhere but the last proxy is taken at its own address.
The header is read with django-ipware."""

import ipaddress
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _from_trusted_proxy(remote_addr: str) -> bool:
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> str:
    """The visitor's address as text ("" when the request carries none)."""
    remote_addr = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0 or not _from_trusted_proxy(remote_addr):
        return remote_addr
    # The last proxy is the connection itself, so the header lists the visitor and then the
    # other (proxies - 1) proxies: ipware's proxy_count counts those.
    address, _routable = get_client_ip(
        request,
        proxy_order="left-most",
        proxy_count=proxies - 1,
        request_header_order=[FORWARDED_FOR],
        strict=False,
    )
    return address or remote_addr
