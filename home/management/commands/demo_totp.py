"""`manage.py demo_totp <e-mail>`: the second factor of a demo staff account, for trying the demo.

Staff must use two-factor authentication (home.middleware_mfa). A demo account gets a TOTP
authenticator (and recovery codes) the first time this runs; every run prints the code valid now,
and the secret, which an authenticator app accepts too. Only accounts of the demo domain: a real
account's second factor is set up by its owner, never printed.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from .seed_demo import DEMO_DOMAIN


class Command(BaseCommand):
    help = "Prints the current two-factor code of a demo staff account (setting it up the first time)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options):
        email = email.strip().lower()
        if not email.endswith(f"@{DEMO_DOMAIN}"):
            raise CommandError(f"Only demo accounts (@{DEMO_DOMAIN}) have their code printed.")
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account {email}: run `make seed` (or `make run`) first.")
        with transaction.atomic():
            totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if totp is None:
                totp = TOTP.activate(user, generate_totp_secret()).instance
                RecoveryCodes.activate(user)
        secret = decrypt(totp.data["secret"])
        period = app_settings.TOTP_PERIOD
        now = time.time()
        code = format_hotp_value(hotp_value(secret, int(now) // period))
        self.stdout.write(f"Code for {email}: {code} (valid for about {period - int(now) % period} s)")
        self.stdout.write(f"Secret, for an authenticator app: {secret}")
