"""URL keys: which story links point at the same article, whatever their spelling.

A teaser's link and the canonical URL of an article name the same story when their keys are
equal. The key ignores what a publisher varies between links to one page: the scheme
(``http``/``https``), a leading ``www.``, tracking parameters (``utm_*``, ``fbclid``, ...), the
order of the other parameters, a fragment, a trailing slash, the default port and the case of
the host. Only http(s) URLs have a key.

courlan's ``normalize_url`` does the cleaning (trafilatura already depends on it, and its
tracker list is maintained for crawls such as ours); the scheme, ``www.`` and fragment are
dropped here, because courlan keeps them apart on purpose. Keys are cached: a rail's links
recur on every page of a site, and each teaser's key is asked for twice while folding.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from courlan import normalize_url

_SCHEMES = ("http", "https")


@lru_cache(maxsize=1 << 14)
def url_key(url: str | None) -> str | None:
    """``host/path?query`` of an http(s) URL with what varies between links dropped; ``None``
    for anything else (no URL, another scheme, no host, a URL that does not parse)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
            return None
        clean = urlsplit(normalize_url(parts._replace(fragment=""), trailing_slash=False))
    except ValueError:
        return None
    host = clean.netloc.removeprefix("www.")
    path = clean.path.rstrip("/")
    return f"{host}{path}?{clean.query}" if clean.query else f"{host}{path}"


def is_web_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL, so a page may link to it."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)
