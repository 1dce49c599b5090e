"""Text folding for search: lower case, no accents, single spaces."""

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def trainee_search_text(trainee) -> str:
    parts = (
        trainee.given_names,
        trainee.first_surname,
        trainee.second_surname,
        trainee.id_number,
        trainee.badge_number,
    )
    return fold(" ".join(p for p in parts if p))[:400]
