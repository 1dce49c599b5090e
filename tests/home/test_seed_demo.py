import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from certification.models import Agency, AgencyStaff, Country, Trainee
from home.models import HomePage

pytestmark = pytest.mark.django_db


def snapshot():
    User = get_user_model()
    return {
        "users": sorted(User.objects.values_list("email", "is_active", "password")),
        "groups": sorted(User.objects.filter(groups__isnull=False).values_list("email", "groups__name")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "countries": sorted(Country.objects.values_list("code", "name_es", "name_en")),
        "agencies": sorted(Agency.objects.values_list("country__code", "acronym", "kind", "time_zone")),
        "staff": sorted(AgencyStaff.objects.values_list("user__email", "agency__acronym", "role")),
        "trainees": sorted(
            Trainee.objects.values_list("id_number", "given_names", "first_surname", "user__email")
        ),
        "pages": sorted(Page.objects.values_list("id", "title", "locale__language_code", "live")),
    }


def test_seed_demo_twice_gives_the_same_data(capsys):
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_creates_the_demo_world(capsys, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "another-demo-pass")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert Country.objects.count() == 7
    assert Agency.objects.filter(kind=Agency.Kind.CUSTOMS).count() == 7
    assert AgencyStaff.objects.filter(role=AgencyStaff.Role.HEAD).count() == Agency.objects.count()
    assert "admin@demo.carsi.test" in out and "Program administrator" in out
    assert "another-demo-pass" in out
    admin = get_user_model().objects.get(email="admin@demo.carsi.test")
    assert admin.check_password("another-demo-pass")
    # The officer's name is kept exactly as written.
    assert Trainee.objects.filter(given_names="José Ángel", second_surname="O'Connor").exists()
    assert set(HomePage.objects.values_list("locale__language_code", flat=True)) == {"es", "en"}
