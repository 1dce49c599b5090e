from django import template
from django.utils.translation import get_language

from courses.selectors import catalogue_for_language

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """The course catalogue in the reader's language ("" when there is none)."""
    catalogue = catalogue_for_language(language_code=get_language() or "es")
    return catalogue.get_url(context.get("request")) if catalogue else ""
