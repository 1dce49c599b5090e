"""What a completed enrollment earns: the course's credential, and the credential of every
program whose required courses the officer has now all completed. Certificates are issued by
`certification.services_certificates.certificate_issue` (once per award), with a frozen
snapshot of the evidence: `certification.evidence.evidence_snapshot`, with what is known here
about the course, session and results."""

from django.utils import translation

from certification.evidence import evidence_snapshot
from certification.models import Certificate, Credential, Trainee
from certification.services_certificates import certificate_issue

from .models import CoursePage, ProgramCourse, ProgramPage
from .models_enrollment import Enrollment


def _titles(model, translation_key) -> dict[str, str]:
    """A page's title in each language it is published in ("es", "en")."""
    pages = model.objects.live().filter(translation_key=translation_key)
    return dict(pages.values_list("locale__language_code", "title"))


def enrollment_evidence(*, enrollment: Enrollment, credential: Credential) -> dict:
    """The frozen record of a completed course: exactly what the certificate will say."""
    course = enrollment.course
    titles = _titles(CoursePage, enrollment.course_key)
    evidence = evidence_snapshot(
        trainee=enrollment.trainee,
        credential=credential,
        award={
            "course_code": course.code,
            "course_title_es": titles.get("es") or course.title,
            "course_title_en": titles.get("en") or titles.get("es") or course.title,
            "hours": course.hours,
            "completed_on": enrollment.completed_at.date().isoformat() if enrollment.completed_at else "",
            "score_percent": _best_score(enrollment),
        },
    )
    session = enrollment.session
    if session is not None:
        with translation.override("es"):
            mode_es = session.get_delivery_mode_display()
        with translation.override("en"):
            mode_en = session.get_delivery_mode_display()
        evidence.update(
            {
                "session_code": session.code,
                "session_start": session.starts_on.isoformat(),
                "session_end": session.ends_on.isoformat(),
                "place": ", ".join(p for p in (session.academy, session.city) if p),
                "place_country_code": session.country.code if session.country_id else "",
                "delivery_mode_es": str(mode_es),
                "delivery_mode_en": str(mode_en),
                "instructors": [
                    u.get_full_name() or u.email for u in session.instructors.order_by("last_name")
                ],
            }
        )
    return evidence


def _best_score(enrollment: Enrollment):
    """The best exam score of the enrollment (percent, an instructor's override counting), or
    None when it took no exam."""
    from django.db.models.functions import Coalesce

    from .models_assessment import Attempt

    best = (
        Attempt.objects.filter(enrollment=enrollment, submitted_at__isnull=False)
        .annotate(score=Coalesce("override_score_percent", "score_percent"))
        .exclude(score__isnull=True)
        .order_by("-score")
        .values_list("score", flat=True)
        .first()
    )
    return float(best) if best is not None else None


def enrollment_award(*, enrollment: Enrollment) -> list[Certificate]:
    """Issues what a completed enrollment earns (idempotent: each award has one key). Called by
    the completion service inside its transaction; the PDFs render after commit."""
    if enrollment.status != Enrollment.Status.COMPLETED:
        return []
    enrollment = Enrollment.objects.select_related(
        "trainee__agency__country", "course__credential", "session__country"
    ).get(pk=enrollment.pk)
    issued = []
    credential = enrollment.course.credential
    if credential is not None and credential.is_active:
        issued.append(
            certificate_issue(
                trainee=enrollment.trainee,
                credential=credential,
                award_key=f"enrollment:{enrollment.pk}",
                source=Certificate.Source.COURSE,
                evidence=enrollment_evidence(enrollment=enrollment, credential=credential),
                course_key=enrollment.course_key,
            )
        )
    issued.extend(_program_awards(trainee=enrollment.trainee, course_key=enrollment.course_key))
    return issued


def _program_awards(*, trainee: Trainee, course_key) -> list[Certificate]:
    """Programs (one copy each) that include the course and award a credential: when every
    required course is completed, the program's certificate is issued (once per officer)."""
    course_ids = CoursePage.objects.filter(translation_key=course_key).values("pk")
    program_ids = ProgramCourse.objects.filter(course_id__in=course_ids).values("program_id")
    programs = {}
    for program in (
        ProgramPage.objects.live()
        .filter(pk__in=program_ids, credential__isnull=False, credential__is_active=True)
        .select_related("credential")
        .order_by("pk")
    ):
        programs.setdefault(program.translation_key, program)
    issued = []
    for program in programs.values():
        required = set(
            ProgramCourse.objects.filter(program=program, is_required=True).values_list(
                "course__translation_key", flat=True
            )
        )
        done = set(
            Enrollment.objects.filter(
                trainee=trainee, status=Enrollment.Status.COMPLETED, course_key__in=required
            ).values_list("course_key", flat=True)
        )
        if not required or required - done:
            continue
        titles = _titles(ProgramPage, program.translation_key)
        hours = CoursePage.objects.filter(
            pk__in=ProgramCourse.objects.filter(program=program).values("course_id")
        )
        evidence = evidence_snapshot(
            trainee=trainee,
            credential=program.credential,
            award={
                # The certificate prints a program's title where a course's would be.
                "course_title_es": titles.get("es") or program.title,
                "course_title_en": titles.get("en") or titles.get("es") or program.title,
                "hours": sum(c.hours for c in hours if c.translation_key in required),
                "courses": sorted(
                    CoursePage.objects.filter(translation_key__in=required)
                    .values_list("code", flat=True)
                    .distinct()
                ),
            },
        )
        issued.append(
            certificate_issue(
                trainee=trainee,
                credential=program.credential,
                award_key=f"program:{program.translation_key}:{trainee.pk}",
                source=Certificate.Source.PROGRAM,
                evidence=evidence,
            )
        )
    return issued
