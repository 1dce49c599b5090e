"""Setting up the site itself: content locales and the home page in every language."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import HomePage

HOME_CONTENT = {
    "es": {
        "title": "Capacitación CARSI",
        "intro": "Formación en seguridad fronteriza e investigación para las instituciones de Centroamérica.",
    },
    "en": {
        "title": "CARSI Training",
        "intro": "Border-security and investigative training for the law-enforcement agencies of "
        "Central America.",
    },
}


@transaction.atomic
def site_setup() -> HomePage:
    """Idempotent: creates the locales, the home page in each language and the default site."""
    locales = {code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES}
    default_code = settings.LANGUAGE_CODE
    site = Site.objects.filter(is_default_site=True).first()
    home = HomePage.objects.filter(locale=locales[default_code]).first()
    if home is None:
        # The tree's root comes from Wagtail's migrations; a flushed test database lacks it.
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=locales[default_code])
        )
        home = root.add_child(
            instance=HomePage(
                slug=f"home-{default_code}", locale=locales[default_code], **HOME_CONTENT[default_code]
            )
        )
        home.save_revision().publish()
    if site is None:
        site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    if site.root_page_id != home.id:
        old_root = site.root_page
        site.root_page = home
        site.save()
        if not isinstance(old_root.specific, HomePage) and not old_root.get_children().exists():
            old_root.delete()  # Wagtail's "Welcome" placeholder
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.save()
    for code, locale in locales.items():
        if code != default_code and home.get_translation_or_none(locale) is None:
            translation = home.copy_for_translation(locale)
            for field, value in HOME_CONTENT[code].items():
                setattr(translation, field, value)
            translation.slug = f"home-{code}"
            translation.save_revision().publish()
    return home
