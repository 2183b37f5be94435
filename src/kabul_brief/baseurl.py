"""The one check of a base URL, for ``site.yaml``'s ``base_url`` and ``--base-url``,
and of the host and port of every other URL (:func:`split_address`).

The base URL is pasted into every page, the feed, the sitemap and the data files, and
CI passes branch names in it: it must be a plain address, not markup. Both routes go
through :func:`normalize_base_url`, so what ``check`` accepts is what ``build``
builds with, and a value one route refuses the other refuses too. A module of its
own, importing nothing of ours: the content model and the publisher both use it.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final
from urllib.parse import SplitResult, unquote, urlsplit

_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_RE: Final = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_SEGMENT_RE: Final = re.compile(r"(?:[A-Za-z0-9._~!$&()*+,;=:@-]|%[0-9A-Fa-f]{2})+")
"""A path segment: RFC 3986 ``pchar`` but for ``'``, which no site address needs and
which ends a quoted attribute or script string written with single quotes."""
_UNSAFE_RE: Final = re.compile(r"""[\x00-\x20\x7f"'<>\\^`{|}]""")

BASE_URL_HINT: Final = (
    "Give the address the site is published at, such as https://example.org/brief/:"
    " http or https, a host name, optionally a port and a path; no user name or"
    " password, no query (?...) and no #fragment."
)


class BaseUrlError(ValueError):
    """The base URL is not a plain absolute http(s) address."""


def normalize_base_url(text: str) -> str:
    """``scheme://host[:port]/path/``: lower-case scheme and host, the path ending in
    ``/``. Raises :class:`BaseUrlError` with a one-line message saying what is wrong.
    Normalizing a normalized URL gives it back unchanged."""
    unsafe = _UNSAFE_RE.search(text)
    if unsafe is not None:
        raise BaseUrlError(f"base URL {text!r} contains {unsafe.group()!r}, which an address"
                           " cannot hold (percent-encode it, or leave it out)")
    if "?" in text or "#" in text:
        raise BaseUrlError(f"base URL {text!r} must not have a query (?...) or a #fragment")
    parts, host, port = split_address(text)
    path = parts.path or "/"
    segments = path.split("/")[1:]
    if segments[-1] == "":
        segments.pop()
    for segment in segments:
        # %2e%2e is "..", as browsers read it (WHATWG URL)
        if unquote(segment) in (".", "..") or not _SEGMENT_RE.fullmatch(segment):
            raise BaseUrlError(
                f"base URL {text!r} has a path segment {segment!r} that is empty, '.' or"
                " '..', or holds characters to percent-encode")
    path = "/" + "".join(f"{segment}/" for segment in segments)
    return f"{parts.scheme.lower()}://{host}{'' if port is None else f':{port}'}{path}"


def split_address(text: str, label: str = "base URL") -> tuple[SplitResult, str, int | None]:
    """The parts, host (as :func:`_host` writes it) and port of an absolute http(s)
    URL; raises :class:`BaseUrlError` (its message names the value as ``label``) for
    what :func:`urlsplit` cannot read, a port outside 1-65535, a user name or password
    (``https://trusted.org@evil.example/`` goes to evil.example) or an invalid host.
    Shared by the base URL and every URL field of the content."""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise BaseUrlError(f"{label} {text!r} has a malformed host or port") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BaseUrlError(
            f"{label} {text!r} is not an absolute http(s) URL such as https://example.org/")
    if "@" in parts.netloc:
        raise BaseUrlError(f"{label} {text!r} must not hold a user name or password")
    if port == 0:
        raise BaseUrlError(f"{label} {text!r} has port 0: give a port from 1 to 65535")
    return parts, _host(parts.hostname or "", text, label), port


def _host(hostname: str, text: str, label: str) -> str:
    """The host as written in a URL: lower case, ASCII (IDNA), IPv6 in brackets."""
    if ":" in hostname:
        try:
            address = ipaddress.IPv6Address(hostname)
        except ValueError:
            address = None
        if address is None or address.scope_id is not None:
            raise BaseUrlError(f"{label} {text!r} has a malformed IPv6 address")
        return f"[{address.compressed}]"
    try:
        ascii_host = hostname.encode("idna").decode("ascii").lower()
    except UnicodeError:
        ascii_host = ""
    if len(ascii_host) > 253 or not _HOST_RE.fullmatch(ascii_host):
        raise BaseUrlError(f"{label} {text!r} has no valid host name")
    if ascii_host.rstrip(".").rpartition(".")[2].isdigit():
        # A name ending in a number is an IPv4 address to a browser: 1.2.3.4.5 is none.
        try:
            ipaddress.IPv4Address(ascii_host.rstrip("."))
        except ValueError:
            raise BaseUrlError(f"{label} {text!r} has a malformed IPv4 address") from None
    return ascii_host
