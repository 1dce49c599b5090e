"""National IDs: each country's format, and the one canonical form we store and match on."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Country, Trainee

PASSPORT_PATTERN = re.compile(r"[A-Z0-9]{5,20}")
OTHER_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9\-/]{2,39}")


def normalize_id_number(*, country: Country, id_type: str, raw: str) -> str:
    """The canonical form of an ID as typed, or ValidationError saying what is expected."""
    text = " ".join(str(raw or "").upper().split())
    if not text:
        raise ValidationError(_("The ID number is required."), code="required")
    if id_type == Trainee.IdType.NATIONAL_ID and country.national_id_pattern:
        match = re.fullmatch(country.national_id_pattern, text)
        if match is None:
            raise ValidationError(
                _("%(value)s is not a valid %(name)s for %(country)s (for example %(example)s)."),
                params={
                    "value": raw,
                    "name": country.national_id_name or _("national ID"),
                    "country": country.name,
                    "example": country.national_id_example,
                },
                code="invalid_format",
            )
        return country.national_id_separator.join(match.groups()) if match.groups() else match.group(0)
    compact = re.sub(r"[\s.]", "", text)
    pattern = PASSPORT_PATTERN if id_type == Trainee.IdType.PASSPORT else OTHER_PATTERN
    if not pattern.fullmatch(compact):
        raise ValidationError(
            _("%(value)s is not a valid document number."), params={"value": raw}, code="invalid"
        )
    return compact
