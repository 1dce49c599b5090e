"""Caching of the public course pages (catalogue, course, program) for anonymous visitors.

- Only anonymous GET/HEAD requests with no pending messages are served from or stored in the
  cache; logged-in visitors always get a fresh page, and module pages (private content) are
  never cached.
- Keys carry a generation number; publishing, unpublishing, moving or deleting any page (and
  editing a track) bumps it (courses/signals.py), so a catalogue never lists a stale course.
- `COURSES_PAGE_CACHE_SECONDS` (default 300) bounds the age of a cached page; 0 turns it off.
  With several web processes, point Django's default cache at Redis (`CACHE_URL`) so that a
  purge reaches every process.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

GENERATION_KEY = "courses:pages:generation"


def _timeout() -> int:
    return int(getattr(settings, "COURSES_PAGE_CACHE_SECONDS", 300))


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        generation = cache.get(GENERATION_KEY, 1)
    return generation


def pages_cache_purge() -> None:
    """Forgets every cached page (bumps the generation; old entries expire on their own)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def _cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or _timeout() <= 0:
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    if "messages" in request.COOKIES:
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.get("_messages"))


def page_cache_key(page, request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"courses:page:{_generation()}:{page.pk}:{get_language()}:{path}"


def serve_cached(page, request, render):
    if not _cacheable(request):
        return render()
    key = page_cache_key(page, request)
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        response = HttpResponse(content, content_type=content_type)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        return response
    response = render()
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if response.status_code == 200 and not response.cookies and not getattr(response, "streaming", False):
        cache.set(key, (response.content, response.get("Content-Type")), timeout=_timeout())
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response
