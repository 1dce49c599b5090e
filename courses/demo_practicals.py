# ruff: noqa: E501 - demo prose: one sentence per line reads better than wrapped strings
"""Demo score sheets and practical results (called from `courses.demo_exams`).

Three published, required sheets, written through `services_practical.scoresheet_create` by the
demo instructor (the courses they teach) or the demo administrator: a checklist with critical
items for DOC-110, points with a pass threshold for BSI-101 and VEH-120. Results are recorded
through `practical_record` by the demo instructor, who teaches the sessions concerned.
"""

import datetime
import random

from .models_enrollment import Enrollment
from .models_practical import PracticalAudit, PracticalResult, ScoreSheet
from .services_practical import practical_record, scoresheet_create

Kind = ScoreSheet.Kind

SHEETS = {
    "DOC-110": {
        "kind": Kind.CHECKLIST,
        "title": ("Examen de un pasaporte en segunda línea", "Second-line examination of a passport"),
        "instructions": (
            "El instructor entrega tres pasaportes de muestra, uno de ellos alterado. El participante los examina en 15 minutos con luz ultravioleta y lupa. Los ítems críticos deben aprobarse siempre; en total se requieren 6 de 8.",
            "The instructor hands over three sample passports, one of them altered. The trainee examines them in 15 minutes with ultraviolet light and a magnifier. Critical items must always be passed; 6 of 8 are needed in all.",
        ),
        "pass_threshold": 6,
        "by": "instructor",
        "items": [
            (
                "Compara la fotografía con el rostro de la persona",
                "Compares the photograph with the person's face",
                None,
                True,
            ),
            (
                "Examina el documento a contraluz (marca de agua)",
                "Examines the document against the light (watermark)",
                None,
                False,
            ),
            (
                "Ilumina cada página con luz ultravioleta",
                "Lights every page with ultraviolet light",
                None,
                False,
            ),
            (
                "Revisa la impresión con lupa de 10 aumentos",
                "Checks the printing with a 10x magnifier",
                None,
                False,
            ),
            (
                "Verifica que la zona de lectura mecánica coincida con los datos impresos",
                "Checks that the machine readable zone matches the printed data",
                None,
                False,
            ),
            (
                "Detecta la alteración del pasaporte de muestra",
                "Detects the alteration in the sample passport",
                None,
                True,
            ),
            (
                "Clasifica correctamente el tipo de fraude",
                "Classifies the type of fraud correctly",
                None,
                False,
            ),
            ("Anota cada hallazgo en el formulario", "Writes every finding down on the form", None, True),
        ],
    },
    "BSI-101": {
        "kind": Kind.POINTS,
        "title": ("Ejercicio práctico: control en primera línea", "Practical exercise: first-line check"),
        "instructions": (
            "Escenario simulado en el puesto: tres viajeros (actores), uno con indicadores de riesgo. Se aprueba con 70 de 100 puntos y ningún ítem crítico en cero.",
            "A simulated scenario at the post: three travellers (actors), one showing risk indicators. Passed with 70 of 100 points and no critical item at zero.",
        ),
        "pass_threshold": 70,
        "by": "instructor",
        "items": [
            (
                "Saluda y solicita el documento de viaje",
                "Greets the traveller and asks for the travel document",
                10,
                False,
            ),
            (
                "Pregunta el propósito y la duración del viaje con preguntas abiertas",
                "Asks the purpose and length of the trip with open questions",
                15,
                False,
            ),
            (
                "Compara las respuestas con el documento y el boleto",
                "Compares the answers with the document and the ticket",
                20,
                True,
            ),
            (
                "Identifica los indicadores de riesgo del escenario",
                "Identifies the scenario's risk indicators",
                20,
                False,
            ),
            (
                "Remite a segunda línea ante una inconsistencia",
                "Refers to second line when something is inconsistent",
                20,
                True,
            ),
            (
                "Trato respetuoso, sin selección discriminatoria",
                "Respectful treatment, no discriminatory selection",
                15,
                True,
            ),
        ],
    },
    "VEH-120": {
        "kind": Kind.POINTS,
        "title": ("Registro de un vehículo", "Vehicle search"),
        "instructions": (
            "En parejas, sobre un vehículo preparado con un compartimiento oculto. Se aprueba con 75 de 100 puntos y ningún ítem crítico en cero.",
            "In pairs, on a vehicle prepared with a hidden compartment. Passed with 75 of 100 points and no critical item at zero.",
        ),
        "pass_threshold": 75,
        "by": "admin",  # the demo instructor does not teach VEH-120
        "items": [
            (
                "Ordena apagar el motor y retirar las llaves",
                "Orders the engine switched off and the keys removed",
                15,
                True,
            ),
            (
                "El compañero vigila a los ocupantes en todo momento",
                "The partner watches the occupants at all times",
                15,
                True,
            ),
            (
                "Rodea el vehículo y compara ambos lados",
                "Walks round the vehicle and compares both sides",
                10,
                False,
            ),
            (
                "Examina el piso con el espejo de inspección",
                "Examines the floor with the inspection mirror",
                15,
                False,
            ),
            (
                "Registra el interior de adelante hacia atrás",
                "Searches the inside from front to back",
                15,
                False,
            ),
            ("Encuentra el compartimiento preparado", "Finds the prepared compartment", 20, False),
            ("Documenta con fotografías y formulario", "Documents with photographs and the form", 10, False),
        ],
    },
}


def seed_sheets(*, courses: dict, admin, instructor) -> dict[str, ScoreSheet]:
    """The demo sheets (created once; an existing sheet of the same title is left as it is).
    `courses` maps course codes to their Spanish pages. Returns the sheets by course code."""
    sheets = {}
    for code, spec in SHEETS.items():
        course = courses.get(code)
        author = instructor if spec["by"] == "instructor" and instructor is not None else admin
        if course is None or author is None:
            continue
        sheet = ScoreSheet.objects.filter(
            course_key=course.translation_key, title_es=spec["title"][0]
        ).first()
        if sheet is None:
            sheet = scoresheet_create(
                actor=author,
                course=course,
                title_es=spec["title"][0],
                title_en=spec["title"][1],
                kind=spec["kind"],
                pass_threshold=spec["pass_threshold"],
                instructions_es=spec["instructions"][0],
                instructions_en=spec["instructions"][1],
                items=[
                    {"text_es": es, "text_en": en, "max_points": points, "critical": critical}
                    for es, en, points, critical in spec["items"]
                ],
                is_required=True,
                published=True,
            )
        sheets[code] = sheet
    return sheets


def sheet_of(course_key) -> ScoreSheet | None:
    """The course's demo sheet (the first published one)."""
    return ScoreSheet.objects.filter(course_key=course_key, published=True).order_by("pk").first()


def scores_for(sheet: ScoreSheet, *, passes: bool, rng: random.Random) -> dict[int, object]:
    """A plausible score for every item of the sheet. Passing: every critical item passed and a
    comfortable total (a checklist may miss one ordinary item). Failing: a critical item missed
    (checklist) or a total under the threshold (points)."""
    items = list(sheet.items.order_by("position", "id"))
    if sheet.kind == Kind.CHECKLIST:
        values = {item.pk: True for item in items}
        ordinary = [item for item in items if not item.critical]
        if passes:
            if ordinary and rng.random() < 0.5:
                values[rng.choice(ordinary).pk] = False
        else:
            critical = [item for item in items if item.critical]
            values[rng.choice(critical or items).pk] = False
            if ordinary:
                values[rng.choice(ordinary).pk] = False
        return values
    share = rng.uniform(0.85, 0.95) if passes else rng.uniform(0.45, 0.6)
    values = {}
    for item in items:
        top = float(item.max_points)
        got = round(top * (share + rng.uniform(-0.05, 0.05)))
        values[item.pk] = max(round(top / 2), min(int(top), got))  # no item at zero: the total decides
    return values


def record(
    *, evaluator, enrollment: Enrollment, sheet: ScoreSheet, passes: bool, rng, notes: str = "", at=None
) -> PracticalResult:
    """Records the enrollment's result on the sheet through the service. With `at` (a past
    moment), the result is dated then: see `_date`."""
    result = practical_record(
        evaluator=evaluator,
        enrollment=enrollment,
        sheet=sheet,
        scores=scores_for(sheet, passes=passes, rng=rng),
        notes=notes,
    )
    if at is not None:
        _date(result, at)
    return result


def _date(result: PracticalResult, at: datetime.datetime) -> None:
    # `practical_record` stamps the wall clock (it takes no `now=`). A closed class's sheets
    # were scored on its last day, weeks ago: the demo moves the result and its audit entries to
    # that moment, so the history reads in the order it happened.
    PracticalResult.objects.filter(pk=result.pk).update(evaluated_at=at)
    PracticalAudit.objects.filter(result=result).update(created_at=at)
