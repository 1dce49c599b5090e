"""Text helpers for search: accent folding and plain text out of rich text and stream fields."""

import unicodedata

from django.utils.html import strip_tags


def fold(text: str) -> str:
    """Lower-case text without accents: `Migración` -> `migracion` (ñ becomes n as well)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def plain_text(value) -> str:
    """The words of a rich text string, a StreamValue or anything with a string form."""
    if value is None:
        return ""
    if hasattr(value, "raw_data"):  # a StreamValue: walk the raw JSON, no database access
        return " ".join(_strings(list(value.raw_data)))
    return strip_tags(str(value))


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [strip_tags(data)]
    if isinstance(data, dict):
        # Skip block machinery (type, id) and references (image, document ids).
        return [s for key, item in data.items() if key not in {"type", "id"} for s in _strings(item)]
    if isinstance(data, list | tuple):
        return [s for item in data for s in _strings(item)]
    return []
