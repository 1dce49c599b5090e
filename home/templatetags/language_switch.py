"""The language switcher: each language links to the same page in that language."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Locale, Page

register = template.Library()


def _page_url_in(page: Page, code: str, request) -> str | None:
    try:
        locale = Locale.objects.get(language_code=code)
    except Locale.DoesNotExist:
        return None
    translation = page.get_translation_or_none(locale)
    if translation is None or not translation.live:
        # Not translated yet: a page may say where to go (courses: a notice in that language
        # offering the versions that exist); otherwise that language's home page.
        untranslated_url = getattr(page, "untranslated_url", None)
        url = untranslated_url(locale=locale, request=request) if callable(untranslated_url) else None
        if url:
            return url
        translation = Page.objects.filter(depth=2, locale=locale, live=True).first()
    return translation.get_url(request) if translation else None


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    request = context.get("request")
    page = context.get("page")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = None
        if isinstance(page, Page):
            url = _page_url_in(page, code, request)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "url": url or f"/{code}/", "current": code == current})
    return {"links": links}
