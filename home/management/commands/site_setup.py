from django.core.management.base import BaseCommand

from certification.roles import ensure_groups
from home.services import site_setup


class Command(BaseCommand):
    help = "Creates the content locales, the home page in each language and the role groups (idempotent)."

    def handle(self, *args, **options):
        ensure_groups()
        home = site_setup()
        self.stdout.write(self.style.SUCCESS(f"Site ready: home page {home.title!r} in every language."))
