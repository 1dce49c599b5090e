"""Writes to score sheets and practical results. Every check lives here, so no view, form or
command can skip one; a refused call writes nothing.

Who does what:

- A course's instructors (its `CourseInstructorGroup`) and program administrators write its
  score sheets.
- Only an instructor of the trainee's class session records a result (the issue: "must be an
  instructor of that session"). A program administrator who does not teach the session does
  not evaluate: they were not there. Nobody evaluates themself (an instructor who is also the
  trainee is refused).
- Instructors of the session and program administrators override a result, with a reason; both
  recording and overriding are written to `PracticalAudit` (who, when, before, after, why).

Evaluating a trainee again updates their one result on the sheet (a retake); the audit keeps
what it was. After every write the enrollment is completed if the course's rules are now met.
"""

import decimal
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certification.models import AuditEntry
from certification.roles import is_program_admin
from certification.services_audit import audit_record, audit_target

from .access import is_course_instructor
from .models_enrollment import ClassSession, Enrollment
from .models_practical import PracticalAudit, PracticalItemScore, PracticalResult, ScoreSheet, ScoreSheetItem
from .selectors_practical import EVALUATED_STATUSES

Kind = ScoreSheet.Kind
TRUE_WORDS = {"1", "true", "on", "yes", "pass", "passed"}
FALSE_WORDS = {"0", "false", "off", "no", "fail", "failed", ""}
TWO_PLACES = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    """A finite decimal with at most two places, else None. Booleans are not numbers here."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if not isinstance(value, Decimal) else value
        if not number.is_finite() or number != number.quantize(TWO_PLACES, rounding=decimal.ROUND_DOWN):
            return None
    except (decimal.InvalidOperation, ValueError):  # not a number, or far too large to be a score
        return None
    return number


def _may_author(actor, course) -> None:
    if not (is_program_admin(actor) or is_course_instructor(user=actor, course=course)):
        raise PermissionDenied(_("You do not teach this course."))


def _validated_sheet(
    *, kind: str, title_es: str, title_en: str, items: Sequence[Mapping], pass_threshold
) -> tuple[list[tuple[str, str, Decimal | None, bool]], Decimal | None]:
    """The items as (text_es, text_en, max_points, critical) rows and the threshold, or a
    ValidationError listing every problem. The one set of rules for writing and editing a sheet."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if kind not in Kind.values:
        add("kind", _("Choose a checklist or a points sheet."))
    if not (title_es or "").strip() or not (title_en or "").strip():
        add(
            "title_es" if not (title_es or "").strip() else "title_en", _("Give the title in both languages.")
        )
    if not items:
        add("items", _("A score sheet has at least one item."))
    rows = []
    for number, item in enumerate(items, start=1):
        text_es, text_en = (item.get("text_es") or "").strip(), (item.get("text_en") or "").strip()
        if not text_es or not text_en:
            add("items", _("Item %(n)s: give its text in both languages.") % {"n": number})
        max_points = None
        if kind == Kind.POINTS:
            max_points = _decimal(item.get("max_points"))
            if max_points is None or max_points <= 0:
                add("items", _("Item %(n)s: give its maximum points, a number above zero.") % {"n": number})
        elif item.get("max_points") not in (None, ""):
            add("items", _("Item %(n)s: checklist items have no points.") % {"n": number})
        rows.append((text_es, text_en, max_points, bool(item.get("critical"))))
    threshold = None
    if pass_threshold not in (None, ""):
        threshold = _decimal(pass_threshold)
        if threshold is None or threshold <= 0:
            add("pass_threshold", _("The pass threshold is a number above zero."))
            threshold = None
    if kind == Kind.POINTS and threshold is None and "pass_threshold" not in errors:
        add("pass_threshold", _("A points sheet needs its pass threshold (the minimum total)."))
    if kind == Kind.POINTS and threshold is not None and "items" not in errors:
        total = sum(r[2] for r in rows)
        if threshold > total:
            add(
                "pass_threshold",
                _("The pass threshold is above the %(total)s points possible.") % {"total": total},
            )
    if (
        kind == Kind.CHECKLIST
        and threshold is not None
        and (threshold != threshold.to_integral_value() or threshold > len(rows))
    ):
        add(
            "pass_threshold",
            _("For a checklist the threshold is a whole number of items, at most %(n)s.") % {"n": len(rows)},
        )
    if errors:
        raise ValidationError(errors)
    return rows, threshold


def _items_create(sheet: ScoreSheet, rows) -> None:
    ScoreSheetItem.objects.bulk_create(
        ScoreSheetItem(sheet=sheet, position=n, text_es=es, text_en=en, max_points=points, critical=critical)
        for n, (es, en, points, critical) in enumerate(rows, start=1)
    )


@transaction.atomic
def scoresheet_create(
    *,
    actor,
    course,
    title_es: str,
    title_en: str,
    kind: str,
    items: Sequence[Mapping],
    pass_threshold=None,
    instructions_es: str = "",
    instructions_en: str = "",
    is_required: bool = True,
    published: bool = False,
) -> ScoreSheet:
    """A course's instructor or a program administrator writes a score sheet with its items
    (each a mapping of text_es, text_en, and for points sheets max_points; critical optional).
    Checklist: `pass_threshold` is the minimum number of items passed (None: all of them).
    Points: it is the minimum total, at most the sum of the items' maximum points."""
    _may_author(actor, course)
    rows, threshold = _validated_sheet(
        kind=kind, title_es=title_es, title_en=title_en, items=items, pass_threshold=pass_threshold
    )
    sheet = ScoreSheet(
        course=course,
        course_key=course.translation_key,
        title_es=title_es.strip(),
        title_en=title_en.strip(),
        instructions_es=instructions_es,
        instructions_en=instructions_en,
        kind=kind,
        pass_threshold=threshold,
        is_required=is_required,
        published=published,
        created_by=actor,
    )
    sheet.full_clean()
    sheet.save()
    _items_create(sheet, rows)
    return sheet


@transaction.atomic
def scoresheet_update(
    *,
    actor,
    sheet: ScoreSheet,
    title_es: str,
    title_en: str,
    kind: str,
    items: Sequence[Mapping],
    pass_threshold=None,
    instructions_es: str = "",
    instructions_en: str = "",
    is_required: bool = True,
    published: bool = False,
) -> ScoreSheet:
    """Edits or publishes a score sheet, by the same rules as writing one. Once a trainee has
    been scored on it, only its wording, instructions and publication change: how it is scored
    (kind, items, points, critical items, threshold) would silently change recorded results."""
    sheet = ScoreSheet.objects.select_for_update().get(pk=sheet.pk)
    _may_author(actor, sheet.course)
    rows, threshold = _validated_sheet(
        kind=kind, title_es=title_es, title_en=title_en, items=items, pass_threshold=pass_threshold
    )
    current = list(sheet.items.order_by("position", "id"))
    if PracticalResult.objects.filter(sheet=sheet).exists():
        scoring = [(item.max_points, item.critical) for item in current]
        if (
            kind != sheet.kind
            or threshold != sheet.pass_threshold
            or [(points, critical) for _es, _en, points, critical in rows] != scoring
        ):
            raise ValidationError(
                {
                    "items": _(
                        "Trainees have been scored on this sheet: only its wording, instructions and "
                        "publication can change. Write a new sheet to score differently."
                    )
                }
            )
        for item, (text_es, text_en, _points, _critical) in zip(current, rows, strict=True):
            if (item.text_es, item.text_en) != (text_es, text_en):
                item.text_es, item.text_en = text_es, text_en
                item.save(update_fields=["text_es", "text_en"])
    else:
        sheet.items.all().delete()
        _items_create(sheet, rows)
    sheet.title_es, sheet.title_en = title_es.strip(), title_en.strip()
    sheet.instructions_es, sheet.instructions_en = instructions_es, instructions_en
    sheet.kind, sheet.pass_threshold = kind, threshold
    sheet.is_required, sheet.published = is_required, published
    sheet.full_clean()
    sheet.save()
    return sheet


def _grade(sheet: ScoreSheet, items: list[ScoreSheetItem], values: dict) -> tuple[bool, Decimal, int]:
    """(passed, total points, items passed) by the rules in `models_practical`'s docstring."""
    if sheet.kind == Kind.CHECKLIST:
        passed_count = sum(1 for item in items if values[item.pk])
        criticals_ok = all(values[item.pk] for item in items if item.critical)
        needed = sheet.pass_threshold if sheet.pass_threshold is not None else len(items)
        return criticals_ok and passed_count >= needed, Decimal(0), passed_count
    total = sum((values[item.pk] for item in items), Decimal(0))
    criticals_ok = all(values[item.pk] > 0 for item in items if item.critical)
    passed_count = sum(1 for item in items if values[item.pk] > 0)
    return criticals_ok and total >= sheet.pass_threshold, total, passed_count


def _snapshot(result: PracticalResult | None, scores: Mapping | None = None) -> dict:
    if result is None:
        return {}
    if scores is None:
        scores = {s.item_id: (s.passed if s.points is None else s.points) for s in result.scores.all()}
    return {
        "passed": result.passed,
        "total_points": str(result.total_points),
        "items_passed": result.items_passed,
        "override_passed": result.override_passed,
        "evaluator": result.evaluator_id,
        "notes": result.notes,
        "scores": {str(k): (v if isinstance(v, bool) else str(v)) for k, v in sorted(scores.items())},
    }


def _check_evaluator(*, evaluator, enrollment: Enrollment) -> None:
    session = enrollment.session
    if session is None or not session.instructors.filter(pk=evaluator.pk).exists():
        raise PermissionDenied(
            _("Only an instructor of the trainee's class session records a practical result.")
        )
    if enrollment.trainee.user_id is not None and enrollment.trainee.user_id == evaluator.pk:
        raise PermissionDenied(_("Nobody evaluates themself."))


@transaction.atomic
def practical_record(
    *, evaluator, enrollment: Enrollment, sheet: ScoreSheet, scores: Mapping, notes: str = ""
) -> PracticalResult:
    """An instructor of the enrollment's session records the trainee's result on a sheet:
    `scores` maps every item id of the sheet to its value (checklist: passed or not; points: a
    number from zero to the item's maximum). Everything is checked first and every problem
    reported at once; nothing is written when one is found. Recording again replaces the
    result (audited). Then the enrollment is completed if the course's rules are met."""
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("session", "trainee")
        .get(pk=enrollment.pk)
    )
    _check_evaluator(evaluator=evaluator, enrollment=enrollment)
    errors = []
    if enrollment.session.status not in (ClassSession.Status.IN_PROGRESS, ClassSession.Status.CLOSED):
        errors.append(_("Practical evaluations are recorded in a session that has started."))
    if enrollment.status not in EVALUATED_STATUSES:
        errors.append(
            _("This trainee is not taking the course (%(status)s).")
            % {"status": enrollment.get_status_display()}
        )
    if sheet.course_key != enrollment.course_key or not sheet.published:
        errors.append(_("This score sheet is not one of the course's published sheets."))
    items = list(sheet.items.order_by("position", "id"))
    by_id = {item.pk: item for item in items}
    values: dict[int, object] = {}
    bad: set[int] = set()
    for raw_id, raw in scores.items():
        item_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
        if item_id is None and isinstance(raw_id, str) and raw_id.strip().isdigit():
            item_id = int(raw_id)
        item = by_id.get(item_id)
        if item is None:
            errors.append(_("Item %(id)s is not on this score sheet.") % {"id": raw_id})
            continue
        label = f"{item.position}. {item.text}"
        bad.add(item.pk)
        if sheet.kind == Kind.CHECKLIST:
            word = raw if isinstance(raw, bool) else str(raw).strip().lower()
            if isinstance(word, bool):
                values[item.pk] = word
                bad.discard(item.pk)
            elif word in TRUE_WORDS | FALSE_WORDS:
                values[item.pk] = word in TRUE_WORDS
                bad.discard(item.pk)
            else:
                errors.append(
                    _("“%(item)s”: “%(value)s” is not pass or fail.") % {"item": label, "value": raw}
                )
            continue
        number = _decimal(raw)
        if number is None:
            errors.append(
                _("“%(item)s”: “%(value)s” is not a number (at most two decimals).")
                % {"item": label, "value": raw}
            )
        elif number < 0:
            errors.append(_("“%(item)s”: a score cannot be negative.") % {"item": label})
        elif number > item.max_points:
            errors.append(
                _("“%(item)s”: %(value)s is more than its %(max)s points.")
                % {"item": label, "value": number, "max": item.max_points}
            )
        else:
            values[item.pk] = number
            bad.discard(item.pk)
    for item in items:
        if item.pk not in values and item.pk not in bad:
            errors.append(_("“%(item)s” was not scored.") % {"item": f"{item.position}. {item.text}"})
    if errors:
        raise ValidationError(errors)
    passed, total, passed_count = _grade(sheet, items, values)
    result = PracticalResult.objects.filter(enrollment=enrollment, sheet=sheet).first()
    before = _snapshot(result)
    if result is None:
        result = PracticalResult(enrollment=enrollment, sheet=sheet)
    result.evaluator = evaluator
    result.evaluated_at = timezone.now()
    result.passed, result.total_points, result.items_passed = passed, total, passed_count
    result.notes = notes or ""
    result.save()
    result.scores.all().delete()
    PracticalItemScore.objects.bulk_create(
        PracticalItemScore(
            result=result,
            item_id=item_id,
            passed=value if sheet.kind == Kind.CHECKLIST else None,
            points=value if sheet.kind == Kind.POINTS else None,
        )
        for item_id, value in values.items()
    )
    PracticalAudit.objects.create(
        actor=evaluator,
        action=PracticalAudit.Action.RESCORE if before else PracticalAudit.Action.RECORD,
        result=result,
        before=before,
        after=_snapshot(result, values),
    )
    from .services_enrollment import enrollment_complete_if_done

    enrollment_complete_if_done(enrollment=enrollment)
    return result


@transaction.atomic
def practical_override(
    *, actor, result: PracticalResult, passed: bool | None, reason: str
) -> PracticalResult:
    """An instructor of the session or a program administrator sets the result that counts
    (`passed` True or False; None removes the override), with a reason. Audited."""
    result = (
        PracticalResult.objects.select_for_update(of=("self",))
        .select_related("enrollment__session", "enrollment__trainee", "sheet")
        .get(pk=result.pk)
    )
    enrollment = result.enrollment
    if not is_program_admin(actor):
        _check_evaluator(evaluator=actor, enrollment=enrollment)
    elif enrollment.trainee.user_id is not None and enrollment.trainee.user_id == actor.pk:
        raise PermissionDenied(_("Nobody evaluates themself."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the override.")})
    if passed is not None and not isinstance(passed, bool):
        raise ValidationError({"passed": _("Choose passed or failed.")})
    if result.override_passed is passed:
        return result
    before = _snapshot(result)
    result.override_passed = passed
    result.override_reason = reason.strip() if passed is not None else ""
    result.overridden_by = actor if passed is not None else None
    result.overridden_at = timezone.now() if passed is not None else None
    result.save(update_fields=["override_passed", "override_reason", "overridden_by", "overridden_at"])
    after = _snapshot(result)
    PracticalAudit.objects.create(
        actor=actor,
        action=PracticalAudit.Action.OVERRIDE,
        result=result,
        before=before,
        after=after,
        reason=reason.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.PRACTICAL_OVERRIDE,
        agency_id=enrollment.trainee.agency_id,
        target=audit_target(
            enrollment.trainee.full_name,
            enrollment.session.code if enrollment.session_id else "",
            result.sheet.title_es,
        ),
        details={
            "result": result.pk,
            "sheet": result.sheet_id,
            "before": before,
            "after": after,
            "reason": reason.strip(),
        },
    )
    from .services_enrollment import enrollment_complete_if_done

    enrollment_complete_if_done(enrollment=enrollment)
    return result
