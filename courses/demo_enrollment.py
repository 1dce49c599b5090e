"""Demo class sessions and enrollments: `seed_enrollments()` (idempotent).

Sessions of the demo courses in every status, nominations and enrollments in every status
(with reasons), attendance, and the demo trainee accounts part-way through their courses.
Everything goes through the services in `courses.services_enrollment`, acted by the demo
administrator, the demo instructor and the agency heads, so the history (who, when, why) looks
like the real thing.

Dates are relative to the day of seeding, so a freshly seeded demo always has an open session
whose nomination deadline is ahead and a session in progress today. Each session is keyed by
its fixed code (``DEMO-...``): a session that exists is left as it is (with whatever happened
to it since), so running `seed_demo` again neither duplicates nor fails.

Officers are taken from the seeded agencies' personnel, each at most once in the demo, and for
US-funded courses only those whose vetting (person and unit) is valid through the class, as
`vetting_eligibility` says. A few pending nominations in the queue are of officers whose vetting
is not in order, so the administrator sees why an approval would be refused.

E-mail: each enrollment step queues a notification after commit. The demo's history is marked
as already notified (`emailed_at`, the e-mail task's own idempotency mark) before the seeding
commits, so the tasks find nothing to send: seeding never mails the demo agency heads hundreds
of messages (and needs no mail server), and their log lines are kept out of the command's output.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from certification.models import Agency, AgencyStaff, Country, Trainee
from certification.selectors import vetting_eligibility

from . import services_enrollment as svc
from .demo_exams import closed_class_results, self_paced_exam_passed
from .models import CoursePage
from .models_enrollment import ClassSession, Enrollment, EnrollmentTransition

DEMO_ADMIN_EMAIL = "admin@demo.carsi.test"
DEMO_INSTRUCTOR_EMAIL = "instructor@demo.carsi.test"
DEMO_TRAINEE_EMAILS = ("trainee1@demo.carsi.test", "trainee2@demo.carsi.test", "trainee3@demo.carsi.test")

S = Enrollment.Status
SS = ClassSession.Status
DAY = datetime.timedelta(days=1)

# Attendance marks cycled over the class list, day by day (mostly present).
ATTENDANCE_CYCLE = ["present"] * 8 + ["late", "present", "excused", "present", "absent"]


@dataclass
class SessionSpec:
    code: str
    course: str  # course code
    story: str  # the _Seeder method that tells what happened to the session
    status: str
    start: int  # days from today
    days: int  # length of the class in days
    city: str
    country: str
    academy: str = ""
    mode: str = ClassSession.DeliveryMode.IN_PERSON
    language: str = ClassSession.Language.SPANISH
    capacity: int = 24
    # Days from today. Nominations are refused after the deadline, so a session that is already
    # running gets its (past) deadline once its officers are nominated: see `start()`.
    deadline: int | None = None
    waiting_list: bool = False
    instructor: bool = True
    # (country, agency acronym, how many officers) nominated by the agency head
    nominees: list[tuple[str, str, int]] = field(default_factory=list)
    reason: str = ""  # why the session was cancelled


SESSIONS = [
    # In progress: a blended border-interdiction class at the PNC academy, five countries.
    SessionSpec(
        code="DEMO-BSI-2026-01",
        story="class_under_way",
        course="BSI-101",
        status=SS.IN_PROGRESS,
        start=-4,
        days=12,
        city="Ciudad de Guatemala",
        country="GT",
        academy="Academia de la Policía Nacional Civil",
        mode=ClassSession.DeliveryMode.BLENDED,
        language=ClassSession.Language.BILINGUAL,
        capacity=20,
        deadline=-18,
        nominees=[("GT", "PNC", 4), ("GT", "SAT", 2), ("HN", "PN", 3), ("SV", "PNC", 3), ("BZ", "BPD", 2)]
        + [("CR", "FP", 2)],
    ),
    # In progress, online: the demo trainee accounts study here (see `_seed_trainee_accounts`).
    SessionSpec(
        code="DEMO-DOC-2026-01",
        story="online_class_with_demo_trainees",
        course="DOC-110",
        status=SS.IN_PROGRESS,
        start=-10,
        days=28,
        city="",
        country="HN",
        mode=ClassSession.DeliveryMode.ONLINE,
        capacity=30,
        deadline=-24,
        nominees=[("GT", "IGM", 3), ("HN", "INM", 3), ("PA", "SNM", 2), ("NI", "DGME", 2)],
    ),
    # Closed: an in-person document-fraud class in Costa Rica; completed, failed, withdrawn.
    SessionSpec(
        code="DEMO-DOC-2025-04",
        story="class_closed",
        course="DOC-110",
        status=SS.CLOSED,
        start=-60,
        days=5,
        city="San José",
        country="CR",
        academy="Escuela Nacional de Policía",
        capacity=16,
        deadline=-75,
        nominees=[("CR", "DGME", 3), ("SV", "DGME", 3), ("GT", "IGM", 2), ("BZ", "INS", 2)],
    ),
    # Open for nominations: some places granted, some rejected, the rest waiting for a decision.
    SessionSpec(
        code="DEMO-VEH-2026-01",
        story="open_with_decisions",
        course="VEH-120",
        status=SS.OPEN,
        start=35,
        days=5,
        city="Tegucigalpa",
        country="HN",
        academy="Instituto Técnico Policial",
        capacity=20,
        deadline=20,
        nominees=[("HN", "PN", 3), ("HN", "ADUANAS", 3), ("GT", "PNC", 2), ("SV", "DGA", 2), ("NI", "PN", 2)]
        + [("PA", "PN", 2), ("CR", "SNA", 2)],
    ),
    # Open and full, with a waiting list.
    SessionSpec(
        code="DEMO-TIP-2026-01",
        story="open_and_full",
        course="TIP-201",
        status=SS.OPEN,
        start=24,
        days=5,
        city="San Salvador",
        country="SV",
        academy="Academia Nacional de Seguridad Pública",
        capacity=6,
        deadline=10,
        waiting_list=True,
        nominees=[("SV", "PNC", 3), ("GT", "MDN", 3), ("HN", "FNH", 2), ("PA", "SENAN", 2), ("BZ", "BPD", 2)],
    ),
    # Open, online: nominations waiting for a decision (trainee1 among them).
    SessionSpec(
        code="DEMO-FIN-2026-01",
        story="open_online",
        course="FIN-210",
        status=SS.OPEN,
        start=30,
        days=15,
        city="",
        country="PA",
        mode=ClassSession.DeliveryMode.ONLINE,
        capacity=40,
        deadline=15,
        nominees=[("PA", "ANA", 2), ("NI", "DGA", 2), ("CR", "SNA", 2), ("BZ", "CED", 2), ("SV", "DGA", 2)],
    ),
    # Planned: dates set, not open for nominations yet.
    SessionSpec(
        code="DEMO-BSI-2026-02",
        story="planned",
        course="BSI-101",
        status=SS.PLANNED,
        start=90,
        days=5,
        city="Ciudad de Panamá",
        country="PA",
        academy="Instituto Superior Policial",
        mode=ClassSession.DeliveryMode.BLENDED,
        language=ClassSession.Language.BILINGUAL,
        deadline=60,
        instructor=False,
    ),
    # Cancelled: the nominations it had were withdrawn first.
    SessionSpec(
        code="DEMO-VEH-2026-00",
        story="cancelled",
        course="VEH-120",
        status=SS.CANCELLED,
        start=14,
        days=5,
        city="Belize City",
        country="BZ",
        academy="Belize Police Training Academy",
        language=ClassSession.Language.ENGLISH,
        capacity=12,
        deadline=7,
        instructor=False,
        nominees=[("BZ", "BCG", 3)],
        reason="Instructor no disponible en esas fechas; se reprogramará.",
    ),
]

# Officers of these agencies nominated for the open US-funded session although their vetting is
# not in order (shown in the queue with their vetting status): (country, acronym, how many).
QUEUE_UNVETTED = [("HN", "PN", 1), ("GT", "SAT", 1), ("NI", "PN", 1)]

REJECT_REASONS = [
    "El curso está dirigido a personal de segunda línea; el oficial es de primera línea.",
    "Cupo de la institución ya cubierto en esta sesión.",
]
FAIL_REASONS = [
    "Asistencia insuficiente: 60 % (mínimo 80 %).",
    "No aprobó la evaluación práctica de detección de documentos alterados.",
]
COMPLETE_REASON = "Evaluación práctica aprobada (curso presencial)."


class _Officers:
    """The seeded officers (no login) by agency, each handed out at most once."""

    def __init__(self):
        taken = set(Enrollment.objects.values_list("trainee_id", flat=True))
        self.by_agency: dict[tuple[str, str], list[Trainee]] = defaultdict(list)
        officers = (
            Trainee.objects.filter(user__isnull=True, status=Trainee.Status.ACTIVE)
            .exclude(pk__in=taken)
            .select_related("agency__country", "unit")
            .order_by("agency_id", "badge_number", "id")
        )
        for officer in officers:
            self.by_agency[(officer.agency.country.code, officer.agency.acronym)].append(officer)

    def take(self, key, count, *, window=None, eligible=True) -> list[Trainee]:
        """`count` officers of the agency; with `window` (start, end) only those whose vetting
        is valid for a US-funded class then (or, with eligible=False, only those whose is not)."""
        chosen = []
        pool = self.by_agency.get(key, [])
        for officer in list(pool):
            if len(chosen) == count:
                break
            if window is not None:
                ok = vetting_eligibility(trainee=officer, start=window[0], end=window[1]).eligible
                if ok != eligible:
                    continue
            chosen.append(officer)
            pool.remove(officer)
        return chosen


class _Seeder:
    def __init__(self, *, admin, instructor, today):
        self.admin = admin
        self.instructor = instructor
        self.today = today
        self.officers = _Officers()
        self.agencies = {(a.country.code, a.acronym): a for a in Agency.objects.select_related("country")}
        self.heads = {}
        for staff in AgencyStaff.objects.filter(role=AgencyStaff.Role.HEAD).select_related("user"):
            self.heads.setdefault(staff.agency_id, staff.user)
        self.courses = {
            c.code: c for c in CoursePage.objects.filter(locale__language_code="es").order_by("pk")
        }

    # --- building blocks ------------------------------------------------------------------------

    def session(self, spec: SessionSpec) -> ClassSession:
        starts_on = self.today + spec.start * DAY
        return svc.session_create(
            actor=self.admin,
            course=self.courses[spec.course],
            code=spec.code,
            starts_on=starts_on,
            ends_on=starts_on + (spec.days - 1) * DAY,
            capacity=spec.capacity,
            delivery_mode=spec.mode,
            academy=spec.academy,
            city=spec.city,
            country=Country.objects.get(code=spec.country),
            language=spec.language,
            nomination_deadline=self.today + spec.deadline * DAY if (spec.deadline or 0) >= 0 else None,
            keeps_waiting_list=spec.waiting_list,
            instructors=[self.instructor] if spec.instructor and self.instructor else [],
        )

    def nominate(self, session: ClassSession, key, officers) -> list[Enrollment]:
        if not officers:
            return []
        agency = self.agencies[key]
        return svc.enrollment_nominate(
            actor=self.heads[agency.pk],
            session=session,
            trainees=officers,
            language="en" if key[0] == "BZ" else "es",  # Belize speaks English
        )

    def nominees(self, session: ClassSession, spec: SessionSpec) -> list[Enrollment]:
        window = (session.starts_on, session.ends_on) if session.course.us_funded else None
        picks = [((c, a), self.officers.take((c, a), n, window=window)) for c, a, n in spec.nominees]
        self.prerequisites_completed(session, picks)
        enrollments = []
        for key, officers in picks:
            enrollments += self.nominate(session, key, officers)
        return enrollments

    def prerequisites_completed(self, session: ClassSession, picks) -> None:
        """Officers nominated for a course with prerequisites took them first: one past class
        per prerequisite, which they all completed (nominations need completed prerequisites)."""
        officers = [(key, o) for key, group in picks for o in group]
        for prerequisite in session.course.prerequisites.all():
            course = self.courses.get(prerequisite.code)
            if course is None or not officers:
                continue
            starts_on = self.today - 120 * DAY
            history = svc.session_create(
                actor=self.admin,
                course=course,
                code=f"DEMO-{course.code}-{session.code.removeprefix('DEMO-')}"[:40],
                starts_on=starts_on,
                ends_on=starts_on + 2 * DAY,
                capacity=len(officers),
                delivery_mode=ClassSession.DeliveryMode.ONLINE,
                language=session.language,
            )
            self.move(history, SS.OPEN)
            taken = []
            for key in dict.fromkeys(k for k, _ in officers):
                taken += self.nominate(history, key, [o for k, o in officers if k == key])
            for enrollment in taken:
                svc.enrollment_approve(actor=self.admin, enrollment=enrollment)
            svc.session_update(actor=self.admin, session=history, nomination_deadline=starts_on - 7 * DAY)
            self.move(history, SS.IN_PROGRESS)
            for enrollment in taken:
                svc.enrollment_complete_manually(
                    actor=self.admin, enrollment=enrollment, reason=COMPLETE_REASON
                )
            self.move(history, SS.CLOSED, "Clase concluida; resultados registrados.")

    def move(self, session: ClassSession, to_status: str, reason: str = "") -> None:
        svc.session_transition(actor=self.admin, session=session, to_status=to_status, reason=reason)

    def start(self, session: ClassSession, spec: SessionSpec) -> None:
        """Nominations over: the session gets its past deadline, then starts (enrolling everyone
        approved)."""
        if spec.deadline is not None and spec.deadline < 0:
            svc.session_update(
                actor=self.admin, session=session, nomination_deadline=self.today + spec.deadline * DAY
            )
        self.move(session, SS.IN_PROGRESS)

    def attendance(self, session: ClassSession, enrollments, days, *, first: int = 0) -> None:
        for d, day in enumerate(days, start=first):
            marks = {
                e.pk: ATTENDANCE_CYCLE[(i * 5 + d) % len(ATTENDANCE_CYCLE)] for i, e in enumerate(enrollments)
            }
            svc.attendance_record(actor=self.instructor or self.admin, session=session, on=day, marks=marks)

    # --- the sessions ---------------------------------------------------------------------------

    def seed(self) -> None:
        self.self_paced()
        existing = set(ClassSession.objects.filter(code__startswith="DEMO-").values_list("code", flat=True))
        for spec in SESSIONS:
            if spec.code in existing or spec.course not in self.courses:
                continue
            session = self.session(spec)
            getattr(self, spec.story)(session, spec)

    def class_under_way(self, session, spec):
        """In progress since four days ago: everyone enrolled, one withdrew, attendance taken."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        for enrollment in enrollments:
            svc.enrollment_approve(actor=self.admin, enrollment=enrollment)
        self.start(session, spec)
        gone = enrollments.pop()
        svc.enrollment_withdraw(
            actor=self.heads[gone.trainee.agency_id],
            enrollment=gone,
            reason="Trasladado a otra unidad antes de la fase presencial.",
        )
        past_days = [session.starts_on + i * DAY for i in range((self.today - session.starts_on).days)]
        self.attendance(session, enrollments, past_days)

    def online_class_with_demo_trainees(self, session, spec):
        """In progress, online: a class of officers and the demo trainee accounts, all enrolled;
        trainee1 has done two modules, trainee2 one, trainee3 none yet."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        trainees = self.demo_trainees(free_for=session)
        for trainee in trainees.values():
            enrollments += self.nominate(session, self.key_of(trainee), [trainee])
        for enrollment in enrollments:
            svc.enrollment_approve(actor=self.admin, enrollment=enrollment)
        self.start(session, spec)
        modules = list(session.course.modules())
        for email, done in zip(DEMO_TRAINEE_EMAILS, (2, 1, 0), strict=True):
            if email in trainees:
                for module in modules[:done]:
                    svc.module_complete(user=trainees[email].user, module=module)

    def class_closed(self, session, spec):
        """Closed two months ago: attendance for every day; the exam and the practical sheet
        (`demo_exams.closed_class_results`); most completed, two failed (one attended three days
        of five, one failed the practical), one withdrew after the second day."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        for enrollment in enrollments:
            svc.enrollment_approve(actor=self.admin, enrollment=enrollment)
        self.start(session, spec)
        absent, failed, gone, *passed = enrollments
        for d in range(spec.days):
            day = session.starts_on + d * DAY
            attending = [failed, *passed] + ([gone] if d < 2 else [])
            self.attendance(session, attending, [day], first=d)
            svc.attendance_record(
                actor=self.instructor or self.admin,
                session=session,
                on=day,
                marks={absent.pk: "present" if d < 3 else "absent"},
            )
            if d == 1:
                svc.enrollment_withdraw(
                    actor=self.heads[gone.trainee.agency_id], enrollment=gone, reason="Baja médica."
                )
        # Before the results: the exam (the fourth day) and the practical evaluation (the last).
        closed_class_results(
            session=session, instructor=self.instructor, sat=[failed, *passed], failed_practical=failed
        )
        for enrollment, reason in zip((absent, failed), FAIL_REASONS, strict=True):
            svc.enrollment_fail(actor=self.admin, enrollment=enrollment, reason=reason)
        for enrollment in passed:
            svc.enrollment_complete_manually(actor=self.admin, enrollment=enrollment, reason=COMPLETE_REASON)
        self.move(session, SS.CLOSED, "Clase concluida; resultados registrados.")

    def open_with_decisions(self, session, spec):
        """Open: five places granted, two nominations rejected, the rest (and three officers
        whose vetting is not in order) waiting in the queue."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        for enrollment in enrollments[:5]:
            svc.enrollment_approve(actor=self.admin, enrollment=enrollment)
        for enrollment, reason in zip(enrollments[5:7], REJECT_REASONS, strict=True):
            svc.enrollment_reject(actor=self.admin, enrollment=enrollment, reason=reason)
        window = (session.starts_on, session.ends_on)
        for country, acronym, count in QUEUE_UNVETTED:
            key = (country, acronym)
            self.nominate(session, key, self.officers.take(key, count, window=window, eligible=False))

    def open_and_full(self, session, spec):
        """Open and full: six places granted, the next three on the waiting list; one of the
        six withdrew and the first on the list took the place. Three more wait for a decision."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        for enrollment in enrollments[: session.capacity + 3]:
            svc.enrollment_approve(actor=self.admin, enrollment=enrollment)  # the 7th on: waiting list
        svc.enrollment_withdraw(
            actor=self.heads[enrollments[1].trainee.agency_id],
            enrollment=enrollments[1],
            reason="Asignado a un operativo en las fechas del curso.",
        )

    def open_online(self, session, spec):
        """Open, online: nominations waiting for a decision; one withdrawn by the agency."""
        self.move(session, SS.OPEN)
        enrollments = self.nominees(session, spec)
        svc.enrollment_withdraw(
            actor=self.heads[enrollments[0].trainee.agency_id],
            enrollment=enrollments[0],
            reason="El oficial fue trasladado a otra dependencia.",
        )
        trainee = self.demo_trainees(free_for=session).get(DEMO_TRAINEE_EMAILS[0])
        if trainee is not None:  # trainee1, who completed the prerequisite EVD-130
            self.nominate(session, self.key_of(trainee), [trainee])

    def planned(self, session, spec):
        """Planned: nothing to do yet."""

    def cancelled(self, session, spec):
        """Cancelled: the agency's nominations withdrawn, then the session cancelled."""
        self.move(session, SS.OPEN)
        for enrollment in self.nominees(session, spec):
            svc.enrollment_withdraw(
                actor=self.admin, enrollment=enrollment, reason="La sesión fue cancelada."
            )
        self.move(session, SS.CANCELLED, spec.reason)

    # --- the demo trainee accounts ---------------------------------------------------------------

    def demo_trainees(self, *, free_for: ClassSession | None = None) -> dict[str, Trainee]:
        """The demo trainee accounts; with `free_for`, only those who may be nominated for the
        session (not already nominated for or taking its course, e.g. after clicking around)."""
        trainees = Trainee.objects.filter(user__email__in=DEMO_TRAINEE_EMAILS, status=Trainee.Status.ACTIVE)
        if free_for is not None:
            busy = Enrollment.objects.filter(
                course_key=free_for.course_key, status__in=(S.NOMINATED, S.WAITLISTED, S.APPROVED, S.ENROLLED)
            )
            trainees = trainees.exclude(pk__in=busy.values("trainee_id"))
        return {t.user.email: t for t in trainees.select_related("user", "agency__country")}

    @staticmethod
    def key_of(trainee: Trainee) -> tuple[str, str]:
        return trainee.agency.country.code, trainee.agency.acronym

    def self_paced(self) -> None:
        """The self-paced EVD-130: trainee1 completed it (every module, then the exam: the
        FIN-210 nomination below needs it completed), trainee3 started it."""
        course = self.courses.get("EVD-130")
        if course is None:
            return
        trainees = self.demo_trainees()
        modules = list(course.modules())
        for email, done in ((DEMO_TRAINEE_EMAILS[0], len(modules)), (DEMO_TRAINEE_EMAILS[2], 1)):
            trainee = trainees.get(email)
            if (
                trainee is None
                or Enrollment.objects.filter(trainee=trainee, course_key=course.translation_key).exists()
            ):
                continue
            enrollment = svc.enrollment_self_enroll(user=trainee.user, course=course)
            for module in modules[:done]:
                svc.module_complete(user=trainee.user, module=module)
            if done == len(modules):
                self_paced_exam_passed(enrollment=enrollment, grader=self.admin)


@transaction.atomic
def seed_enrollments(
    *, admin_email: str = DEMO_ADMIN_EMAIL, instructor_email: str = DEMO_INSTRUCTOR_EMAIL
) -> None:
    """Idempotent: the demo class sessions, nominations, enrollments, attendance and progress.
    Expects the demo registry (agencies, heads, officers with vetting) and `seed_courses`."""
    User = get_user_model()
    admin = User.objects.filter(email__iexact=admin_email).first()
    if admin is None:
        return
    instructor = User.objects.filter(email__iexact=instructor_email).first()
    last_step = EnrollmentTransition.objects.aggregate(last=Max("pk"))["last"] or 0
    # After the commit, callbacks run in the order they were registered: quiet first, then the
    # e-mail tasks queued while seeding, then back to normal. Eager Celery would otherwise log
    # each of those (no-op) tasks in the command's output.
    task_log = logging.getLogger("celery.app.trace")
    level = task_log.level
    transaction.on_commit(lambda: task_log.setLevel(logging.WARNING))
    _Seeder(admin=admin, instructor=instructor, today=timezone.localdate()).seed()
    # The demo's history is told to nobody: mark its steps as e-mailed before the e-mail tasks
    # look at them.
    EnrollmentTransition.objects.filter(pk__gt=last_step, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    transaction.on_commit(lambda: task_log.setLevel(level), robust=True)
