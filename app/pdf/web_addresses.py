"""Addresses that a link hotspot may open, from what PDFs and page text contain."""

from __future__ import annotations

import re

from app.core.hotspots import NotAHotspot

# Schemes a viewer can safely open from a catalogue page; javascript:, file:, data: and the
# like are refused because a hotspot's address ends up as a link in a web page.
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel", "ftp"})
MAX_ADDRESS_LENGTH = 8192

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"((?:{_LABEL}\.)+([A-Za-z]{{2,63}}))(?::\d{{1,5}})?(?:[/?#]|$)")
EMAIL = re.compile(rf"[A-Za-z0-9._%+-]+@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}")
# A relative link to a document looks like a host name ("price-list.pdf"): these endings
# are files, not top-level domains, unless the name starts with "www.".
_FILE_ENDINGS = frozenset(
    {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "htm", "html", "jpg", "jpeg",
     "png", "gif", "svg", "csv", "xml", "json", "exe"}
)  # fmt: skip


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def looks_like_host(text: str) -> bool:
    """Whether ``text`` starts with a host name ("www.example.com/x", "shop.example.org")."""
    match = _HOST.match(text)
    if not match:
        return False
    return text.lower().startswith("www.") or match.group(2).lower() not in _FILE_ENDINGS


def web_address(raw: str) -> str:
    """The address a link hotspot opens for a link's raw address.

    Addresses with a safe scheme are kept as they are; an address without a scheme becomes
    ``http://`` + it when it starts with a host name and ``mailto:`` + it when it is an
    e-mail address. Raises NotAHotspot (the message says why) for anything else: empty,
    too long, an unsafe scheme, or a relative address or local file.
    """
    address = raw.strip()
    if not address:
        raise NotAHotspot("a link with an empty address")
    if len(address) > MAX_ADDRESS_LENGTH:
        raise NotAHotspot(f"a link whose address is longer than {MAX_ADDRESS_LENGTH} characters")
    scheme = _SCHEME.match(address)
    # "www.example.com:8080/" matches the scheme syntax too; schemes have no dots.
    if scheme and "." not in scheme.group(1):
        if scheme.group(1).lower() in SAFE_SCHEMES:
            return address
        raise NotAHotspot(f"a link with a '{scheme.group(1)}:' address ({_shorten(address)})")
    if address.startswith("//") and looks_like_host(address[2:]):
        return "http:" + address
    if EMAIL.fullmatch(address):
        return "mailto:" + address
    if looks_like_host(address):
        return "http://" + address
    raise NotAHotspot(f"a link to a relative address or a local file ({_shorten(address)})")
