"""Bulk enrolment of a class session from a CSV/XLSX file: officers by national ID or badge,
the whole file checked first (every bad row reported by number, nothing written), places granted
under the session's lock, e-mails after commit; the upload screen for administrators only, in
both languages."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from certification.models import Trainee
from certification.services_personnel import trainee_create, trainee_set_status
from courses import services_enrollment as svc
from courses.models import ClassSession, Enrollment, EnrollmentTransition
from courses.services_enrollment_bulk import (
    BulkEnrolmentInvalid,
    enrollment_bulk_enrol,
    enrollment_bulk_validate,
)
from tests.courses.test_enrollment_flow import course, in_english, make_session, nominate, session, vet

SHARED_FIXTURES = (course, in_english, make_session, session)  # from test_enrollment_flow

pytestmark = pytest.mark.django_db

S = Enrollment.Status
SS = ClassSession.Status
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

ID_A = "2547 81234 0101"  # world.trainee_a (GT), badge PNC-1, e-mail through her login
ID_A2 = "1234 56789 0123"  # world.trainee_a2 (GT), badge PNC-2
ID_B = "0801-1990-12345"  # world.trainee_b (HN), badge PN-1


def csv_file(*lines: str, name: str = "officers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def xlsx_file(rows: list[list], name: str = "officers.xlsx") -> SimpleUploadedFile:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def snapshot():
    return (
        list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        EnrollmentTransition.objects.count(),
    )


def refused(world, session, upload, actor=None) -> list[dict]:
    """Asserts the file is refused by the validation and by the enrolment, writing nothing;
    returns the problems."""
    before = snapshot()
    plan, errors = enrollment_bulk_validate(actor=actor or world.admin, session=session, uploaded_file=upload)
    assert plan == [] and errors
    with pytest.raises(BulkEnrolmentInvalid) as caught:
        enrollment_bulk_enrol(actor=actor or world.admin, session=session, uploaded_file=upload)
    assert caught.value.errors == errors
    assert snapshot() == before
    return errors


def messages_of(errors) -> str:
    return " | ".join(f"{error['row']}: {error['message']}" for error in errors)


def url(session, language="en"):
    with translation.override(language):
        return reverse("training:session_bulk_enrol", kwargs={"session_id": session.id})


# --- enrolling --------------------------------------------------------------------------------------


def test_an_administrator_enrols_officers_by_national_id(world, session):
    upload = csv_file(
        "id_country,id_number,language,given_names",
        f"GT,{ID_A},en,María José",
        f"gt,{ID_A2.replace(' ', '')},,Óscar",  # the ID as typed; the country's code in any case
    )
    plan, errors = enrollment_bulk_validate(actor=world.admin, session=session, uploaded_file=upload)
    assert errors == []
    assert [(p.row, p.trainee, p.language) for p in plan] == [
        (2, world.trainee_a, "en"),
        (3, world.trainee_a2, "es"),
    ]
    assert snapshot() == ([], 0)  # validating writes nothing

    a, a2 = enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    for enrollment, trainee, language in ((a, world.trainee_a, "en"), (a2, world.trainee_a2, "es")):
        enrollment.refresh_from_db()
        assert enrollment.trainee == trainee and enrollment.session == session
        assert (enrollment.status, enrollment.language, enrollment.nominated_by) == (
            S.APPROVED,
            language,
            None,
        )
        assert enrollment.course_key == session.course_key
        step = enrollment.transitions.get()
        assert (step.from_status, step.to_status, step.actor) == ("", S.APPROVED, world.admin)
        assert step.reason == "Bulk enrolment from officers.csv"


def test_officers_by_agency_and_badge_with_spanish_headers(world, session):
    upload = csv_file(
        "Institución;País Institución;Placa;Idioma",  # Excel in Spanish writes semicolons
        "PNC;GT;PNC-1;español",
        "PN (HN);;pn-1;Inglés",  # the agency with its country; the badge in any case
        "Policía Nacional Civil;;PNC-2;",  # by name
    )
    created = enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert [(e.trainee, e.language, e.status) for e in created] == [
        (world.trainee_a, "es", S.APPROVED),
        (world.trainee_b, "en", S.APPROVED),
        (world.trainee_a2, "es", S.APPROVED),
    ]


def test_the_id_country_may_be_left_out_when_the_number_says_it(world, session):
    upload = csv_file("numero_documento,placa", f"{ID_B},", f"{ID_A},PNC-1")
    created = enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert [e.trainee for e in created] == [world.trainee_b, world.trainee_a]


def test_an_xlsx_file_enrols_the_same_way(world, session):
    upload = xlsx_file(
        [
            ["ID country", "ID number", "Agency", "Badge number"],
            ["GT", ID_A, None, None],
            [None, None, None, None],  # blank rows are skipped, numbering kept
            [None, None, "PN", "PN-1"],
        ]
    )
    created = enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert [e.trainee for e in created] == [world.trainee_a, world.trainee_b]
    assert created[0].transitions.get().reason == "Bulk enrolment from officers.xlsx"


def test_a_session_in_progress_enrols_at_once(world, make_session):
    session = make_session(starts_on=TODAY, nomination_deadline=TODAY, status=SS.IN_PROGRESS)
    (enrollment,) = enrollment_bulk_enrol(
        actor=world.admin, session=session, uploaded_file=csv_file("id_country,id_number", f"GT,{ID_A}")
    )
    enrollment.refresh_from_db()
    assert enrollment.status == S.ENROLLED
    assert list(enrollment.transitions.values_list("to_status", flat=True)) == [S.APPROVED, S.ENROLLED]


def test_a_file_filling_the_last_places_is_accepted(world, make_session):
    session = make_session(capacity=2)
    created = enrollment_bulk_enrol(
        actor=world.admin,
        session=session,
        uploaded_file=csv_file("id_country,id_number", f"GT,{ID_A}", f"HN,{ID_B}"),
    )
    assert len(created) == 2


def test_vetted_officers_enter_a_us_funded_course(world, make_session, make_course):
    us = make_course(code="PAI-201", title="Interdicción portuaria", modules=1, us_funded=True)
    session = make_session(course=us)
    vet(world, world.trainee_a, valid_until=session.ends_on)
    created = enrollment_bulk_enrol(
        actor=world.admin, session=session, uploaded_file=csv_file("id_country,id_number", f"GT,{ID_A}")
    )
    assert [e.trainee for e in created] == [world.trainee_a]


def test_emails_leave_only_after_commit(world, session, mailoutbox, django_capture_on_commit_callbacks):
    upload = csv_file("id_country,id_number,language", f"GT,{ID_A},en", f"GT,{ID_A2},es")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert mailoutbox == []  # nothing before commit
    assert len(callbacks) == 2  # one step each (trainee_a2 has no address: the task finds nobody)
    for callback in callbacks:
        callback()
    assert [m.to for m in mailoutbox] == [["officer.a@test.carsi"]]
    assert session.code in mailoutbox[0].body
    # In the language of the row, and not about a nomination nobody made.
    assert mailoutbox[0].subject == "[CARSI] BSI-101: place granted"
    assert "A program administrator has given you a place" in mailoutbox[0].body
    assert EnrollmentTransition.objects.filter(emailed_at__isnull=False).count() == 2


def test_a_refused_file_sends_no_email(world, session, mailoutbox, django_capture_on_commit_callbacks):
    upload = csv_file("id_country,id_number", f"GT,{ID_A}", "GT,9999 99999 9999")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(BulkEnrolmentInvalid):
        enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert callbacks == [] and mailoutbox == []


# --- refusals: nothing is written ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head_a", "coordinator_a", "instructor", "officer_user_a", "nobody"])
def test_only_program_administrators_enrol_from_a_file(world, session, who):
    actor = getattr(world, who, None)
    upload = csv_file("id_country,id_number", f"GT,{ID_A}")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        enrollment_bulk_validate(actor=actor, session=session, uploaded_file=upload)
    with pytest.raises(PermissionDenied):
        enrollment_bulk_enrol(actor=actor, session=session, uploaded_file=upload)
    assert snapshot() == before


def test_an_unknown_officer_is_refused(world, session):
    errors = refused(
        world,
        session,
        csv_file(
            "id_country,id_number,agency,badge_number",
            f"GT,{ID_A},,",
            "GT,9999 99999 9999,,",
            ",,PNC (GT),PNC-404",
            ",,XYZ,1",
        ),
    )
    assert [(e["row"], e["column"]) for e in errors] == [
        (3, "id_number"),
        (4, "badge_number"),
        (5, "agency"),
    ]
    text = messages_of(errors)
    assert "No officer is registered with the ID 9999 99999 9999 of GT." in text
    assert "PNC (GT) has no officer with badge number PNC-404." in text
    assert "Unknown agency XYZ" in text


def test_an_inactive_officer_is_refused(world, session):
    trainee_set_status(
        actor=world.admin,
        trainee=world.trainee_a2,
        status=Trainee.Status.SEPARATED,
        effective_on=TODAY,
        reason="Baja.",
    )
    errors = refused(world, session, csv_file("id_country,id_number", f"GT,{ID_A}", f"GT,{ID_A2}"))
    assert messages_of(errors) == "3: Óscar O'Connor is not an active officer (separated)."


def test_a_duplicate_row_is_refused(world, session):
    errors = refused(
        world,
        session,
        csv_file("id_country,id_number,agency,badge_number", f"GT,{ID_A},,", ",,PNC,PNC-1"),
    )
    assert messages_of(errors) == "3: María José Núñez Peña is already in row 2."


def test_an_officer_already_in_the_session_or_taking_the_course_is_refused(world, session, make_session):
    nominate(world, session, world.trainee_a)  # nominated for this session
    other = make_session()
    (taking,) = nominate(world, other, world.trainee_a2)  # approved in another session of the course
    svc.enrollment_approve(actor=world.admin, enrollment=taking)
    upload = csv_file("id_country,id_number", f"GT,{ID_A}", f"GT,{ID_A2}", f"HN,{ID_B}")
    errors = refused(world, session, upload)
    assert messages_of(errors) == (
        "2: María José Núñez Peña is already in this session (nominated). | "
        f"3: Óscar O'Connor is already nominated for or taking this course ({other.code})."
    )


def test_a_file_larger_than_the_places_left_is_refused_whole(world, make_session):
    session = make_session(capacity=2)
    (placed,) = nominate(world, session, world.trainee_a)
    svc.enrollment_approve(actor=world.admin, enrollment=placed)
    errors = refused(world, session, csv_file("id_country,id_number", f"GT,{ID_A2}", f"HN,{ID_B}"))
    assert messages_of(errors) == (
        f"None: Not enough places: the file lists 2 officers and the session {session.code} has "
        "1 of 2 places left. Nobody was enrolled."
    )


def test_unvetted_officers_are_refused_in_a_us_funded_course(world, make_session, make_course):
    us = make_course(code="PAI-201", title="Interdicción portuaria", modules=1, us_funded=True)
    session = make_session(course=us)
    vet(world, world.trainee_a2, valid_until=session.ends_on - DAY)  # lapses during the class
    vet(world, world.trainee_b, valid_until=session.ends_on)  # fine
    upload = csv_file("id_country,id_number", f"GT,{ID_A}", f"GT,{ID_A2}", f"HN,{ID_B}")
    errors = refused(world, session, upload)
    assert messages_of(errors) == (
        "2: María José Núñez Peña cannot take part in this US-funded course: "
        "The officer has not been submitted for human-rights vetting. | "
        "3: Óscar O'Connor cannot take part in this US-funded course: The vetting approval expires on "
        f"{(session.ends_on - DAY).isoformat()}, before the class ends on {session.ends_on.isoformat()}."
    )


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("officers.pdf", b"%PDF-1.4"), "Upload a CSV or Excel (.xlsx) file"),
        (SimpleUploadedFile("officers.csv", b""), "The file is empty."),
        (SimpleUploadedFile("officers.csv", b"\n \n"), "The file has no rows."),
        (SimpleUploadedFile("officers.csv", b"id_country,id_number\n"), "The file lists no officers."),
        (SimpleUploadedFile("officers.xlsx", b"id_country,id_number\n"), "This is not an Excel workbook"),
        (SimpleUploadedFile("officers.csv", b"name,rank\nAna,Agente\n"), "The file needs the column"),
    ],
    ids=["type", "empty", "blank", "header-only", "fake-xlsx", "columns"],
)
def test_a_bad_file_is_refused(world, session, upload, message):
    errors = refused(world, session, upload)
    assert len(errors) == 1 and message in errors[0]["message"]


@pytest.mark.parametrize("status", [SS.PLANNED, SS.CLOSED, SS.CANCELLED])
def test_a_session_that_takes_no_enrolments_is_refused(world, make_session, status):
    if status == SS.CLOSED:
        session = make_session(status=SS.IN_PROGRESS, starts_on=TODAY, nomination_deadline=TODAY)
        svc.session_transition(actor=world.admin, session=session, to_status=SS.CLOSED)
    else:
        session = make_session(status=status)
    errors = refused(world, session, csv_file("id_country,id_number", f"GT,{ID_A}"))
    assert [e["row"] for e in errors] == [None]
    assert f"The session {session.code} does not take enrolments" in errors[0]["message"]


def test_every_bad_row_is_reported_with_its_spreadsheet_row(world, session):
    upload = csv_file(
        "id_country,id_type,id_number,agency,badge_number,language",
        f"GT,,{ID_A},,,es",  # 2: good
        "",  # 3: blank, skipped
        "XX,,123,,,",  # 4: unknown country
        "GT,,12,,,",  # 5: not a Guatemalan ID
        ",,,,,",  # 6: blank, skipped
        "GT,,,,,",  # 7: no ID nor badge
        f"GT,licencia,{ID_A2},,,",  # 8: unknown ID type
        f"GT,,{ID_A2},,,fr",  # 9: unknown language
        f"HN,,{ID_B},PN,PN-2,",  # 10: the badge is someone else's
        ",,,PNC,=1+1,",  # 11: a formula
        f"GT,,{ID_A},,,",  # 12: duplicate of row 2
    )
    errors = refused(world, session, upload)
    assert [(e["row"], e["column"]) for e in errors] == [
        (4, "id_country"),
        (5, "id_number"),
        (7, "id_number"),
        (8, "id_type"),
        (9, "language"),
        (10, "badge_number"),
        (11, "badge_number"),
        (12, "id_number"),
    ]
    text = messages_of(errors)
    assert "Unknown country XX" in text and "is not a valid" in text
    assert "does not match the officer with this ID (José Ángel Castillo-Ríos, badge PN-1)" in text
    assert "formula" in text and "already in row 2" in text


# --- the screen -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_upload_screen_shows_the_columns_and_a_sample(client, world, session, language):
    client.force_login(world.admin)
    response = client.get(url(session, language))
    assert response.status_code == 200
    active = response.wsgi_request.LANGUAGE_CODE
    assert active == language
    html = response.content.decode()
    assert session.code in html and 'enctype="multipart/form-data"' in html
    assert 'data-testid="bulk-columns"' in html and "<code>placa</code>" in html
    assert 'data-testid="bulk-sample"' in html and "id_country,id_type,id_number" in html
    assert f'href="/{language}/training/sessions/{session.id}/"' in html


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_sample_downloads_and_is_a_valid_file_format(client, world, session, kind):
    client.force_login(world.admin)
    response = client.get(url(session), {"sample": kind})
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    upload = SimpleUploadedFile(f"enrollment_sample.{kind}", data)
    _plan, errors = enrollment_bulk_validate(actor=world.admin, session=session, uploaded_file=upload)
    # The sample's officers are those of the personnel sample, not of this test's registry.
    assert errors and all(e["row"] for e in errors)
    assert {e["column"] for e in errors} <= {"id_number", "badge_number"}


def test_the_screen_enrols_and_goes_to_the_session_in_english(client, world, session):
    client.force_login(world.admin)
    upload = csv_file("id_country,id_number", f"GT,{ID_A}", f"GT,{ID_A2}")
    response = client.post(url(session, "en"), {"file": upload}, follow=True)
    assert response.redirect_chain[-1][0] == f"/en/training/sessions/{session.id}/"
    assert "2 officers enrolled in " + session.code in response.content.decode()
    assert set(Enrollment.objects.values_list("trainee", "status")) == {
        (world.trainee_a.pk, S.APPROVED),
        (world.trainee_a2.pk, S.APPROVED),
    }


def test_the_screen_lists_every_problem_and_enrols_nobody_in_spanish(client, world, session):
    client.force_login(world.admin)
    upload = csv_file("id_country,id_number", f"GT,{ID_A}", "GT,9999 99999 9999", "XX,1")
    response = client.post(url(session, "es"), {"file": upload})
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "es"
    html = response.content.decode()
    assert html.count('data-testid="bulk-error"') == 2
    assert "<td>3</td>" in html and "<td>4</td>" in html
    assert Enrollment.objects.count() == 0


def test_the_screen_refuses_a_file_that_is_not_a_spreadsheet(client, world, session):
    client.force_login(world.admin)
    response = client.post(url(session), {"file": SimpleUploadedFile("photo.png", b"\x89PNG")})
    assert response.status_code == 200
    assert "Upload a CSV or Excel (.xlsx) file" in response.content.decode()
    assert Enrollment.objects.count() == 0


def test_a_session_that_takes_no_enrolments_shows_no_form(client, world, make_session):
    session = make_session(status=SS.CANCELLED)
    client.force_login(world.admin)
    html = client.get(url(session)).content.decode()
    assert 'enctype="multipart/form-data"' not in html and "does not take enrolments" in html
    response = client.post(url(session), {"file": csv_file("id_country,id_number", f"GT,{ID_A}")})
    assert 'data-testid="bulk-error"' in response.content.decode()
    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("who", ["head_a", "coordinator_a", "instructor", "officer_user_a"])
def test_the_screen_is_404_for_anyone_but_an_administrator(client, world, session, who):
    client.force_login(getattr(world, who))
    assert client.get(url(session)).status_code == 404
    assert client.get(url(session), {"sample": "csv"}).status_code == 404
    response = client.post(url(session), {"file": csv_file("id_country,id_number", f"GT,{ID_A}")})
    assert response.status_code == 404
    assert Enrollment.objects.count() == 0


def test_the_screen_needs_a_login_and_an_existing_session(client, world, session):
    response = client.get(url(session))
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(world.admin)
    missing = reverse("training:session_bulk_enrol", kwargs={"session_id": session.id + 999})
    assert client.get(missing).status_code == 404
    assert client.get(url(session), {"sample": "pdf"}).status_code == 404


def test_a_new_officer_can_be_enrolled_right_after_being_registered(world, session):
    """The file names officers as the registry writes them (a passport, an agency's badge)."""
    trainee = trainee_create(
        actor=None,
        agency=world.agency_b,
        id_country=world.hn,
        id_type=Trainee.IdType.PASSPORT,
        id_number="E1234567",
        given_names="Ana",
        first_surname="López",
        badge_number="PN-77",
    )
    upload = csv_file("id_country,id_type,id_number", "HN,pasaporte,e 1234567")
    (enrollment,) = enrollment_bulk_enrol(actor=world.admin, session=session, uploaded_file=upload)
    assert enrollment.trainee == trainee


# --- two files for the last place at once ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_files_racing_for_the_last_place_exactly_one_wins(world, make_session, monkeypatch):
    """Runs on PostgreSQL (DATABASE_URL=postgres://...): the session's row lock serialises the
    two enrolments, and the second recounts the places under it."""
    import threading
    import time

    from django.db import connection, connections

    from courses import services_enrollment_bulk as bulk

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks (SQLite lets one writer at a time into the database)")
    session = make_session(capacity=1)
    admin2 = type(world.admin).objects.create_user(
        username="admin2", email="admin2@test.carsi", password="x-pass-123"
    )
    admin2.groups.set(world.admin.groups.all())
    # Widen the window between counting and writing: without the lock both would see the place.
    original = bulk.places_taken

    def slow_places_taken(*, session):
        taken = original(session=session)
        time.sleep(0.3)
        return taken

    monkeypatch.setattr(bulk, "places_taken", slow_places_taken)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def upload(actor, number):
        try:
            barrier.wait()
            with translation.override("en"):  # the active language is per thread
                enrollment_bulk_enrol(
                    actor=actor,
                    session=session,
                    uploaded_file=csv_file("id_country,id_number", f"GT,{number}"),
                )
            results[number] = "enrolled"
        except BulkEnrolmentInvalid as error:
            results[number] = "refused: " + messages_of(error.errors)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=upload, args=(world.admin, ID_A)),
        threading.Thread(target=upload, args=(admin2, ID_A2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    outcomes = sorted(results.values())
    assert len(outcomes) == 2 and outcomes[0] == "enrolled"
    assert outcomes[1].startswith("refused: None: Not enough places") and "0 of 1 places left" in outcomes[1]
    assert Enrollment.objects.filter(session=session).count() == 1
    assert EnrollmentTransition.objects.filter(enrollment__session=session).count() == 1
