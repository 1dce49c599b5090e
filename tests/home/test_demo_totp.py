"""`manage.py demo_totp`: a demo staff account's second factor, printed for trying the demo."""

import io

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import validate_totp_code
from allauth.mfa.utils import decrypt
from django.core.management import CommandError, call_command

from certification import services as registry

pytestmark = pytest.mark.django_db


def run(email):
    out = io.StringIO()
    call_command("demo_totp", email, stdout=out)
    return out.getvalue()


def test_a_demo_account_gets_a_working_code_once_set_up(site):
    user = registry.user_ensure(email="admin@demo.carsi.test", password="x-pass-123456")
    first = run("ADMIN@demo.carsi.test ")
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    secret = decrypt(totp.data["secret"])
    code = first.split("Code for admin@demo.carsi.test: ")[1][:6]
    assert validate_totp_code(secret, code) and secret in first
    run("admin@demo.carsi.test")
    assert Authenticator.objects.filter(user=user).count() == 2  # the same authenticator, kept


def test_real_and_unknown_accounts_are_refused(site):
    registry.user_ensure(email="jefe@pnc.gob.gt", password="x-pass-123456")
    with pytest.raises(CommandError, match="Only demo accounts"):
        run("jefe@pnc.gob.gt")
    with pytest.raises(CommandError, match="No account"):
        run("nobody@demo.carsi.test")
    assert not Authenticator.objects.exists()
