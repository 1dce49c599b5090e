"""The client's address for the public pages' rate limits (django-ratelimit calls
`client_ip` through RATELIMIT_IP_META_KEY)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The address in the header that the reverse proxy sets (CLIENT_IP_HEADER, for example
    HTTP_X_REAL_IP) when it holds one, else REMOTE_ADDR. A request that reached the application
    without the proxy (a health probe, a second proxy) or with a header that is not an address
    is limited by its own connection's address: never answered with a server error."""
    header = settings.CLIENT_IP_HEADER
    candidates = (request.META.get(header, "") if header else "", request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value.split(",")[0].strip()))
        except ValueError:
            continue
    return "0.0.0.0"  # noqa: S104 - no address at all (a Unix socket without the proxy's header)
