"""Video embeds built locally: no oEmbed request leaves the server (no network at run time).

Only the providers below are accepted; anything else is refused when the module is saved.
The visitor's browser loads the player from the provider (YouTube's no-cookie domain, Vimeo).
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{6,12}$")


@dataclass(frozen=True)
class VideoEmbed:
    provider: str
    video_id: str

    @property
    def src(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        return f"https://player.vimeo.com/video/{self.video_id}"


def parse_video_url(url: str) -> VideoEmbed | None:
    """The embeddable video a URL points to, or None when it is not one we can embed."""
    try:
        parsed = urlparse((url or "").strip())
    except ValueError:
        return None
    if parsed.scheme not in {"http", "https"}:
        return None
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parsed.path.rstrip("/")
    candidate = None
    if host in {"youtube.com", "youtube-nocookie.com"}:
        if path == "/watch":
            candidate = parse_qs(parsed.query).get("v", [""])[0]
        elif path.startswith(("/embed/", "/shorts/", "/live/")):
            candidate = path.split("/")[2]
        if candidate and _YOUTUBE_ID.match(candidate):
            return VideoEmbed("youtube", candidate)
    elif host == "youtu.be":
        candidate = path.lstrip("/")
        if _YOUTUBE_ID.match(candidate):
            return VideoEmbed("youtube", candidate)
    elif host in {"vimeo.com", "player.vimeo.com"}:
        candidate = path.split("/")[-1] if path else ""
        if _VIMEO_ID.match(candidate):
            return VideoEmbed("vimeo", candidate)
    return None
