"""`manage.py seed_demo`: the demo world, idempotent. Later features add their own demo data."""

import os

from django.core.management.base import BaseCommand
from django.db import transaction

from certification import services as registry
from certification.demo_certificates import seed_certificates
from certification.demo_roster import seed_roster
from certification.models import AgencyStaff, Certificate, Trainee
from certification.roles import INSTRUCTORS, PROGRAM_ADMINISTRATORS, ensure_groups, role_grant
from certification.services_certificates import verification_code_display
from certification.services_personnel import trainee_create
from courses.demo import seed_courses
from courses.demo_enrollment import seed_enrollments
from courses.demo_exams import seed_assessments, seed_results
from home import demo_data, demo_registry
from home.services import site_setup

DEFAULT_DEMO_PASSWORD = "carsi-demo-2026"  # noqa: S105 - documented in the README
DEMO_DOMAIN = "demo.carsi.test"


def demo_email(local: str) -> str:
    return f"{local}@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = (
        "Creates (or brings up to date) the demo countries, agencies, accounts, courses, classes, "
        "exams, practical evaluations and certificates."
    )

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        with transaction.atomic():
            site_setup()
            accounts = self.seed_registry(password)
            seed_courses()
            seed_assessments()  # before the classes: the closed class sat its exam while it ran
            seed_enrollments()
            seed_results()
            certificates = seed_certificates()
            seed_roster()  # after the certificates: Guatemala's PNC, several hundred officers
        # Committed: the certificates' PDFs have been rendered (eagerly; with a broker, by a worker).
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Every demo account's password: {password}"))
        for email, role in accounts:
            self.stdout.write(f"  {role:<40} {email}")
        self.print_certificates(certificates)

    def print_certificates(self, certificates: dict[str, Certificate]) -> None:
        if not certificates:
            return
        self.stdout.write(
            "Certificates to verify at /es/verify/ or /en/verify/ (JSON: /api/v1/verify/<code>/):"
        )
        for label, certificate in certificates.items():
            code = verification_code_display(certificate.verification_code)
            self.stdout.write(f"  {label:<40} {code}  {certificate.serial}")

    def seed_registry(self, password: str) -> list[tuple[str, str]]:
        ensure_groups()
        accounts = []

        admin = registry.user_ensure(
            email=demo_email("admin"), password=password, first_name="Laura", last_name="Méndez"
        )
        role_grant(user=admin, group_name=PROGRAM_ADMINISTRATORS)
        accounts.append((admin.email, "Program administrator"))

        instructor = registry.user_ensure(
            email=demo_email("instructor"), password=password, first_name="Carlos", last_name="Herrera"
        )
        role_grant(user=instructor, group_name=INSTRUCTORS)
        accounts.append((instructor.email, "Instructor"))

        agencies = {}
        for code, _name_es, _name_en, tz in demo_data.COUNTRIES:
            country = demo_registry.demo_country(code)
            for acronym, kind, a_es, a_en in demo_data.AGENCIES[code]:
                agency = registry.agency_upsert(
                    country=country, acronym=acronym, kind=kind, name_es=a_es, name_en=a_en, time_zone=tz
                )
                agencies[(code, acronym)] = agency
                head = registry.user_ensure(
                    email=demo_email(f"head.{code}.{acronym}".lower()),
                    password=password,
                    last_name=f"{acronym} {code}",
                )
                registry.agency_staff_assign(user=head, agency=agency, role=AgencyStaff.Role.HEAD)
                accounts.append((head.email, f"Agency head, {acronym} ({code})"))

        for index, (code, acronym, given, first, second, sex, id_number, badge) in enumerate(
            demo_data.TRAINEE_ACCOUNTS, start=1
        ):
            agency = agencies[(code, acronym)]
            user = registry.user_ensure(
                email=demo_email(f"trainee{index}"), password=password, first_name=given, last_name=first
            )
            if not Trainee.objects.filter(user=user).exists():
                trainee_create(
                    actor=None,
                    agency=agency,
                    id_country=agency.country,
                    id_type=Trainee.IdType.NATIONAL_ID,
                    id_number=id_number,
                    user=user,
                    given_names=given,
                    first_surname=first,
                    second_surname=second,
                    sex=sex,
                    badge_number=badge,
                    email=user.email,
                )
            accounts.append((user.email, f"Trainee, {acronym} ({code})"))
        for agency in agencies.values():
            demo_registry.seed_agency_personnel(agency)
        demo_registry.seed_unit_vetting(agencies[("GT", "PNC")])
        return accounts
