# ruff: noqa: E501 - demo prose: one sentence per line reads better than wrapped strings
"""Demo course content in Spanish and English: `seed_courses()` (idempotent).

Spanish is the source language; every English page is a translation of it (same
`translation_key`), registered with wagtail-localize so that the translation editor and "sync
translated pages" work on the demo content too. Existing pages are left as they are, so
editors' changes survive a re-run.
"""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from wagtail.models import Locale, Page, Site

from certification import services as registry

from . import services
from .models import CourseCatalogPage, CoursePage, ModulePage, ProgramPage

DEMO_INSTRUCTOR_EMAIL = "instructor@demo.carsi.test"


# --- block helpers: each returns the raw stream data of one block ------------------------------


def text(heading, *paragraphs):
    return {"type": "text", "value": {"heading": heading, "text": "".join(f"<p>{p}</p>" for p in paragraphs)}}


def callout(kind, title, body):
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": f"<p>{body}</p>"}}


def procedure(title, *steps):
    return {
        "type": "procedure",
        "value": {"title": title, "steps": [{"instruction": s, "detail": ""} for s in steps]},
    }


def checklist(title, *items):
    return {"type": "checklist", "value": {"title": title, "items": list(items)}}


def case(title, scenario, questions, outcome):
    return {
        "type": "case_study",
        "value": {
            "title": title,
            "scenario": f"<p>{scenario}</p>",
            "questions": questions,
            "outcome": f"<p>{outcome}</p>",
        },
    }


def term(word, definition, source=""):
    return {"type": "glossary_term", "value": {"term": word, "definition": definition, "source": source}}


def check(question, options, correct, feedback):
    return {
        "type": "knowledge_check",
        "value": {
            "question": question,
            "options": [{"text": o, "is_correct": i == correct} for i, o in enumerate(options)],
            "feedback": f"<p>{feedback}</p>",
        },
    }


TRACKS = [
    ("border-security", "Seguridad fronteriza", "Border security", 10),
    ("investigations", "Investigaciones", "Investigations", 20),
]

CATALOGUE = {
    "es": {
        "title": "Catálogo de cursos",
        "slug": "cursos",
        "intro": "Cursos de seguridad fronteriza e investigación para las instituciones de Centroamérica.",
    },
    "en": {
        "title": "Course catalogue",
        "slug": "courses",
        "intro": "Border-security and investigative courses for the agencies of Central America.",
    },
}

CREDENTIALS = [
    ("bsi-101", "Interdicción fronteriza", "Border interdiction", 36),
    ("tip-201", "Investigación de la trata de personas", "Trafficking in persons investigations", 36),
    (
        "border-interdiction-specialist",
        "Especialista en interdicción fronteriza",
        "Border interdiction specialist",
        48,
    ),
]

COURSES = [
    {
        "code": "BSI-101",
        "track": "border-security",
        "level": "basic",
        "hours": 40,
        "delivery_language": "bilingual",
        "modes": ("online", "blended"),
        "us_funded": True,
        "admission": "nominated",
        "credential": "bsi-101",
        "es": {
            "title": "Interdicción fronteriza",
            "slug": "interdiccion-fronteriza",
            "summary": "Control de personas, vehículos y mercancías en los puestos fronterizos terrestres, "
            "en coordinación con migración y aduanas.",
            "objectives": [
                "Aplicar el control en primera y segunda línea.",
                "Seleccionar por riesgo.",
                "Documentar una interdicción.",
            ],
            "modules": [
                (
                    "principios",
                    "Principios de la interdicción",
                    "Qué es interdicción y quién actúa en el puesto.",
                    [
                        text(
                            "El puesto fronterizo",
                            "En el puesto actúan la policía, la dirección de migración y la aduana. Cada institución tiene su mandato; la interdicción funciona cuando se coordinan.",
                            "El control migratorio verifica la identidad y el derecho a entrar; la aduana controla las mercancías.",
                        ),
                        callout(
                            "legal",
                            "Base legal",
                            "La ley de migración de cada país faculta al oficial a inspeccionar documentos y a referir casos a segunda línea.",
                        ),
                        term(
                            "Interdicción",
                            "Acción de detener o incautar personas, mercancías o medios de transporte que cruzan ilegalmente una frontera.",
                        ),
                        check(
                            "¿Quién verifica el derecho de una persona a entrar al país?",
                            ["La aduana", "La dirección de migración", "La empresa de transporte"],
                            1,
                            "El control migratorio corresponde a la dirección de migración; la aduana controla las mercancías.",
                        ),
                    ],
                ),
                (
                    "seleccion-por-riesgo",
                    "Selección por riesgo",
                    "Cómo elegir a quién inspeccionar sin discriminar.",
                    [
                        text(
                            "Indicadores, no perfiles",
                            "La selección se basa en indicadores observables: la ruta, el documento, el comportamiento y la carga. Nunca en la nacionalidad, el origen étnico o la apariencia.",
                        ),
                        checklist(
                            "Indicadores a observar",
                            "Itinerario sin lógica aparente",
                            "Boleto pagado en efectivo a última hora",
                            "Nerviosismo desproporcionado ante preguntas simples",
                            "Equipaje que no corresponde al motivo del viaje",
                        ),
                        case(
                            "El bus nocturno",
                            "Un bus llega al puesto a las 3:00 con 38 pasajeros. Cuatro jóvenes viajan sin equipaje y un adulto responde por todos.",
                            ["¿Qué indicadores observa?", "¿A quién refiere a segunda línea?"],
                            "En segunda línea se comprobó que los jóvenes eran víctimas de trata; el adulto fue detenido.",
                        ),
                    ],
                ),
                (
                    "entrevista-primera-linea",
                    "La entrevista en primera línea",
                    "Preguntas breves que revelan inconsistencias.",
                    [
                        text(
                            "Preguntar bien",
                            "La entrevista en primera línea dura menos de un minuto. Use preguntas abiertas y compare las respuestas con el documento y el boleto.",
                        ),
                        procedure(
                            "Entrevista en primera línea",
                            "Salude y pida el documento de viaje.",
                            "Pregunte el motivo y la duración del viaje.",
                            "Compare las respuestas con el documento y el boleto.",
                            "Refiera a segunda línea si hay inconsistencias.",
                        ),
                        callout(
                            "warning",
                            "Seguridad",
                            "Nunca retenga el documento de una persona sin informar a su supervisor.",
                        ),
                        check(
                            "¿Qué tipo de pregunta conviene en primera línea?",
                            [
                                "Preguntas abiertas y breves",
                                "Preguntas que se responden con sí o no",
                                "Ninguna pregunta",
                            ],
                            0,
                            "Las preguntas abiertas obligan a la persona a dar detalles que se pueden comparar.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Border interdiction",
            "slug": "border-interdiction",
            "summary": "Checking people, vehicles and goods at land border posts, together with migration and customs.",
            "objectives": [
                "Apply first- and second-line checks.",
                "Select by risk.",
                "Document an interdiction.",
            ],
            "modules": [
                (
                    "principles",
                    "Principles of interdiction",
                    "What interdiction is and who acts at the post.",
                    [
                        text(
                            "The border post",
                            "Police, the migration directorate and customs work at the post. Each agency has its own mandate; interdiction works when they coordinate.",
                            "Migration control checks identity and the right to enter; customs controls goods.",
                        ),
                        callout(
                            "legal",
                            "Legal basis",
                            "Each country's migration law empowers the officer to inspect documents and to refer cases to second line.",
                        ),
                        term(
                            "Interdiction",
                            "Stopping or seizing people, goods or means of transport that cross a border illegally.",
                        ),
                        check(
                            "Who checks a person's right to enter the country?",
                            ["Customs", "The migration directorate", "The transport company"],
                            1,
                            "Migration control belongs to the migration directorate; customs controls goods.",
                        ),
                    ],
                ),
                (
                    "risk-selection",
                    "Selecting by risk",
                    "How to choose whom to inspect without discriminating.",
                    [
                        text(
                            "Indicators, not profiles",
                            "Selection rests on observable indicators: the route, the document, the behaviour and the load. Never on nationality, ethnic origin or appearance.",
                        ),
                        checklist(
                            "Indicators to watch",
                            "An itinerary that makes no apparent sense",
                            "A ticket bought in cash at the last minute",
                            "Nervousness out of proportion to simple questions",
                            "Luggage that does not fit the purpose of the trip",
                        ),
                        case(
                            "The night bus",
                            "A bus reaches the post at 3:00 with 38 passengers. Four young people travel without luggage and one adult answers for all of them.",
                            ["Which indicators do you see?", "Whom do you refer to second line?"],
                            "Second line established that the young people were trafficking victims; the adult was arrested.",
                        ),
                    ],
                ),
                (
                    "first-line-interview",
                    "The first-line interview",
                    "Short questions that reveal inconsistencies.",
                    [
                        text(
                            "Asking well",
                            "A first-line interview lasts under a minute. Use open questions and compare the answers with the document and the ticket.",
                        ),
                        procedure(
                            "First-line interview",
                            "Greet the traveller and ask for the travel document.",
                            "Ask the purpose and length of the trip.",
                            "Compare the answers with the document and the ticket.",
                            "Refer to second line if anything is inconsistent.",
                        ),
                        callout(
                            "warning",
                            "Safety",
                            "Never keep a person's document without telling your supervisor.",
                        ),
                        check(
                            "Which kind of question suits the first line?",
                            ["Short open questions", "Yes-or-no questions", "No questions at all"],
                            0,
                            "Open questions make the person give details that can be compared.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "code": "DOC-110",
        "track": "border-security",
        "level": "intermediate",
        "hours": 32,
        "delivery_language": "es",
        "modes": ("online", "in_person"),
        "us_funded": False,
        "admission": "nominated",
        "credential": None,
        "es": {
            "title": "Detección de documentos fraudulentos",
            "slug": "deteccion-de-documentos-fraudulentos",
            "summary": "Examen de pasaportes, visas y documentos de identidad para detectar falsificaciones y alteraciones.",
            "objectives": [
                "Reconocer los elementos de seguridad.",
                "Distinguir falsificación, alteración e impostor.",
                "Usar luz ultravioleta y lupa.",
            ],
            "modules": [
                (
                    "elementos-de-seguridad",
                    "Elementos de seguridad del pasaporte",
                    "Lo que un documento auténtico siempre tiene.",
                    [
                        text(
                            "Capas de seguridad",
                            "Un pasaporte combina elementos en el papel, en la impresión y en la personalización: marcas de agua, tintas ópticamente variables y la página de datos laminada.",
                        ),
                        term(
                            "Zona de lectura mecánica (ZLM)",
                            "Las dos líneas de caracteres al pie de la página de datos que leen las máquinas; deben coincidir con los datos impresos.",
                            "OACI, Documento 9303",
                        ),
                        checklist(
                            "Revise siempre",
                            "Marca de agua a contraluz",
                            "Numeración igual en todas las páginas",
                            "Fotografía integrada, sin bordes levantados",
                            "Zona de lectura mecánica coherente",
                        ),
                    ],
                ),
                (
                    "tipos-de-fraude",
                    "Tipos de fraude documental",
                    "Falsificación, alteración, impostor y documento obtenido con fraude.",
                    [
                        text(
                            "Cuatro formas de fraude",
                            "Una falsificación es un documento enteramente falso. Una alteración modifica un documento auténtico. Un impostor usa el documento auténtico de otra persona. Un documento obtenido con fraude es auténtico pero emitido con datos falsos.",
                        ),
                        case(
                            "La foto cambiada",
                            "Una viajera presenta un pasaporte vigente; el laminado de la página de datos tiene una burbuja junto a la fotografía.",
                            ["¿Qué tipo de fraude sospecha?", "¿Qué examina a continuación?"],
                            "Bajo la lupa se vio el corte del laminado: la foto había sido sustituida.",
                        ),
                        check(
                            "Una persona usa el pasaporte auténtico de su hermano. ¿Qué tipo de fraude es?",
                            ["Falsificación", "Alteración", "Impostor"],
                            2,
                            "El documento es auténtico y no ha sido modificado: quien lo usa no es su titular.",
                        ),
                    ],
                ),
                (
                    "luz-uv-y-lupa",
                    "Examen con luz ultravioleta y lupa",
                    "Un método en pasos para la segunda línea.",
                    [
                        procedure(
                            "Examen en segunda línea",
                            "Compare la fotografía con el rostro de la persona.",
                            "Examine el documento a contraluz.",
                            "Ilumine cada página con luz ultravioleta.",
                            "Revise la impresión con lupa de 10 aumentos.",
                            "Anote cada hallazgo en el formulario.",
                        ),
                        callout(
                            "note",
                            "Papel de referencia",
                            "Bajo luz ultravioleta el papel de seguridad no brilla; el papel común de oficina sí.",
                        ),
                        check(
                            "¿Qué hace el papel común bajo luz ultravioleta?",
                            ["Brilla con intensidad", "No cambia", "Se vuelve transparente"],
                            0,
                            "El papel común contiene blanqueadores ópticos que brillan; el de seguridad no.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Fraudulent document detection",
            "slug": "fraudulent-document-detection",
            "summary": "Examining passports, visas and identity documents to detect counterfeits and alterations.",
            "objectives": [
                "Recognise security features.",
                "Tell counterfeit, alteration and impostor apart.",
                "Use ultraviolet light and a magnifier.",
            ],
            "modules": [
                (
                    "security-features",
                    "Passport security features",
                    "What a genuine document always has.",
                    [
                        text(
                            "Layers of security",
                            "A passport combines features in the paper, in the printing and in the personalisation: watermarks, optically variable inks and the laminated data page.",
                        ),
                        term(
                            "Machine readable zone (MRZ)",
                            "The two lines of characters at the foot of the data page that machines read; they must match the printed data.",
                            "ICAO Document 9303",
                        ),
                        checklist(
                            "Always check",
                            "Watermark against the light",
                            "The same number on every page",
                            "Integrated photograph with no lifted edges",
                            "A consistent machine readable zone",
                        ),
                    ],
                ),
                (
                    "types-of-fraud",
                    "Types of document fraud",
                    "Counterfeit, alteration, impostor and fraudulently obtained documents.",
                    [
                        text(
                            "Four kinds of fraud",
                            "A counterfeit is an entirely false document. An alteration changes a genuine document. An impostor uses another person's genuine document. A fraudulently obtained document is genuine but issued on false data.",
                        ),
                        case(
                            "The swapped photo",
                            "A traveller presents a valid passport; the laminate of the data page has a bubble next to the photograph.",
                            ["Which kind of fraud do you suspect?", "What do you examine next?"],
                            "Under the magnifier the cut in the laminate showed: the photo had been replaced.",
                        ),
                        check(
                            "A person uses their brother's genuine passport. Which kind of fraud is it?",
                            ["Counterfeit", "Alteration", "Impostor"],
                            2,
                            "The document is genuine and unchanged: the person using it is not its holder.",
                        ),
                    ],
                ),
                (
                    "uv-and-magnifier",
                    "Examination with ultraviolet light and magnifier",
                    "A step-by-step method for second line.",
                    [
                        procedure(
                            "Second-line examination",
                            "Compare the photograph with the person's face.",
                            "Examine the document against the light.",
                            "Light every page with ultraviolet light.",
                            "Check the printing with a 10x magnifier.",
                            "Write down every finding on the form.",
                        ),
                        callout(
                            "note",
                            "Reference paper",
                            "Under ultraviolet light security paper does not glow; ordinary office paper does.",
                        ),
                        check(
                            "What does ordinary paper do under ultraviolet light?",
                            ["It glows brightly", "It does not change", "It turns transparent"],
                            0,
                            "Ordinary paper contains optical brighteners that glow; security paper does not.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "code": "VEH-120",
        "track": "border-security",
        "level": "intermediate",
        "hours": 24,
        "delivery_language": "es",
        "modes": ("in_person", "blended"),
        "us_funded": True,
        "admission": "nominated",
        "credential": None,
        "es": {
            "title": "Registro de vehículos y carga",
            "slug": "registro-de-vehiculos-y-carga",
            "summary": "Técnicas seguras para registrar vehículos, contenedores y carga en busca de contrabando y personas ocultas.",
            "objectives": [
                "Registrar con seguridad.",
                "Localizar compartimentos ocultos.",
                "Leer un manifiesto de carga.",
            ],
            "modules": [
                (
                    "seguridad-del-oficial",
                    "Seguridad del oficial durante el registro",
                    "Antes de abrir una puerta.",
                    [
                        callout(
                            "warning",
                            "Primero su seguridad",
                            "Ordene apagar el motor y retirar las llaves antes de acercarse al vehículo.",
                        ),
                        checklist(
                            "Equipo para el registro",
                            "Guantes resistentes a cortes",
                            "Linterna",
                            "Espejo de inspección",
                            "Formulario de registro",
                        ),
                        text(
                            "Un registro, dos oficiales",
                            "Un oficial registra y otro vigila a los ocupantes. Nunca dé la espalda a los ocupantes de un vehículo.",
                        ),
                    ],
                ),
                (
                    "compartimentos-ocultos",
                    "Compartimentos ocultos en vehículos",
                    "Dónde se esconde y cómo se nota.",
                    [
                        text(
                            "Señales de modificación",
                            "Tornillos con marcas de herramienta, soldaduras nuevas, alfombras pegadas y un tanque de combustible que suena hueco indican un compartimento.",
                        ),
                        procedure(
                            "Registro de un vehículo",
                            "Recorra el exterior y compare ambos lados.",
                            "Examine el piso con el espejo.",
                            "Revise el interior de adelante hacia atrás.",
                            "Golpee el tanque y escuche.",
                            "Documente con fotografías.",
                        ),
                        case(
                            "El pick-up con doble fondo",
                            "Un pick-up vacío tiene la plataforma 10 cm más alta de lo normal.",
                            ["¿Qué mide y qué compara?"],
                            "Bajo la plataforma había un compartimento con 40 kg de cocaína.",
                        ),
                    ],
                ),
                (
                    "contenedores-y-manifiestos",
                    "Contenedores y manifiestos de carga",
                    "La documentación dice lo que debería haber.",
                    [
                        text(
                            "Comparar papel y carga",
                            "El manifiesto y el conocimiento de embarque describen la carga, su peso y su origen. Una diferencia de peso o un sello alterado justifica abrir el contenedor.",
                        ),
                        term(
                            "Conocimiento de embarque",
                            "El documento que emite el transportista marítimo por las mercancías embarcadas; es contrato de transporte y título de propiedad.",
                        ),
                        check(
                            "¿Qué justifica abrir un contenedor?",
                            [
                                "Que venga de lejos",
                                "Una diferencia entre el peso declarado y el pesado",
                                "Que sea de color rojo",
                            ],
                            1,
                            "Una diferencia de peso es un indicador objetivo y documentable.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Vehicle and cargo search",
            "slug": "vehicle-and-cargo-search",
            "summary": "Safe techniques to search vehicles, containers and cargo for contraband and concealed people.",
            "objectives": ["Search safely.", "Find hidden compartments.", "Read a cargo manifest."],
            "modules": [
                (
                    "officer-safety",
                    "Officer safety during a search",
                    "Before you open a door.",
                    [
                        callout(
                            "warning",
                            "Your safety first",
                            "Order the engine switched off and the keys removed before you approach the vehicle.",
                        ),
                        checklist(
                            "Search equipment",
                            "Cut-resistant gloves",
                            "Flashlight",
                            "Inspection mirror",
                            "Search form",
                        ),
                        text(
                            "One search, two officers",
                            "One officer searches and the other watches the occupants. Never turn your back on a vehicle's occupants.",
                        ),
                    ],
                ),
                (
                    "hidden-compartments",
                    "Hidden compartments in vehicles",
                    "Where things are hidden and how it shows.",
                    [
                        text(
                            "Signs of modification",
                            "Screws with tool marks, fresh welds, glued carpets and a fuel tank that sounds hollow point to a compartment.",
                        ),
                        procedure(
                            "Searching a vehicle",
                            "Walk round the outside and compare both sides.",
                            "Examine the floor with the mirror.",
                            "Search the inside from front to back.",
                            "Knock on the tank and listen.",
                            "Document with photographs.",
                        ),
                        case(
                            "The pick-up with a false floor",
                            "An empty pick-up's bed is 10 cm higher than normal.",
                            ["What do you measure and compare?"],
                            "Under the bed was a compartment holding 40 kg of cocaine.",
                        ),
                    ],
                ),
                (
                    "containers-and-manifests",
                    "Containers and cargo manifests",
                    "The paperwork says what should be there.",
                    [
                        text(
                            "Compare paper and cargo",
                            "The manifest and the bill of lading describe the cargo, its weight and its origin. A weight difference or a tampered seal justifies opening the container.",
                        ),
                        term(
                            "Bill of lading",
                            "The document a sea carrier issues for goods shipped; it is the contract of carriage and a title to the goods.",
                        ),
                        check(
                            "What justifies opening a container?",
                            [
                                "That it comes from far away",
                                "A difference between declared and weighed weight",
                                "That it is red",
                            ],
                            1,
                            "A weight difference is an objective indicator you can document.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "code": "EVD-130",
        "track": "investigations",
        "level": "basic",
        "hours": 16,
        "delivery_language": "bilingual",
        "modes": ("online", "in_person"),
        "us_funded": False,
        "admission": "self",
        "credential": None,
        "es": {
            "title": "Manejo de evidencias y cadena de custodia",
            "slug": "manejo-de-evidencias",
            "summary": "Cómo recolectar, embalar, registrar y entregar evidencias para que sean válidas ante un tribunal.",
            "objectives": [
                "Mantener la cadena de custodia.",
                "Embalar cada tipo de evidencia.",
                "Preservar evidencia digital.",
            ],
            "modules": [
                (
                    "cadena-de-custodia",
                    "Principios de la cadena de custodia",
                    "Quién tuvo la evidencia, cuándo y para qué.",
                    [
                        text(
                            "Una cadena sin eslabones rotos",
                            "Cada persona que recibe o entrega una evidencia firma el registro de cadena de custodia con la fecha, la hora y el motivo.",
                        ),
                        callout(
                            "legal",
                            "Código Procesal Penal",
                            "Los códigos procesales de la región exigen documentar la cadena de custodia; sin ella, la defensa puede impugnar la prueba.",
                        ),
                        term(
                            "Cadena de custodia",
                            "El registro continuo de la recolección, el traslado, el resguardo y el análisis de una evidencia.",
                        ),
                    ],
                ),
                (
                    "recoleccion-y-embalaje",
                    "Recolección y embalaje",
                    "Cada evidencia en su empaque.",
                    [
                        procedure(
                            "Recolectar una evidencia",
                            "Fotografíe la evidencia en el lugar donde se encontró.",
                            "Use guantes nuevos para cada evidencia.",
                            "Embale en bolsa de papel lo húmedo y en bolsa plástica lo seco.",
                            "Selle, firme y anote el número de caso.",
                            "Registre la entrega en la cadena de custodia.",
                        ),
                        checklist(
                            "Maletín de evidencias",
                            "Guantes",
                            "Bolsas de papel y de plástico",
                            "Cinta de sello",
                            "Marcador permanente",
                            "Formularios de cadena de custodia",
                        ),
                    ],
                ),
                (
                    "evidencia-digital",
                    "Evidencia digital",
                    "Teléfonos y computadoras sin perder datos.",
                    [
                        text(
                            "Aislar y no explorar",
                            "Un teléfono incautado se aísla de la red (modo avión o bolsa de Faraday) y no se explora: cada toque cambia datos.",
                        ),
                        callout(
                            "warning",
                            "No encienda ni apague",
                            "Deje el dispositivo en el estado en que lo encontró y entréguelo al laboratorio.",
                        ),
                        check(
                            "¿Qué hace con un teléfono encendido incautado?",
                            [
                                "Revisar los mensajes",
                                "Aislarlo de la red y entregarlo al laboratorio",
                                "Apagarlo para ahorrar batería",
                            ],
                            1,
                            "Aislarlo evita que se borre a distancia; no explorarlo preserva la evidencia.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Evidence handling and chain of custody",
            "slug": "evidence-handling",
            "summary": "How to collect, package, record and hand over evidence so that a court accepts it.",
            "objectives": [
                "Keep the chain of custody.",
                "Package each kind of evidence.",
                "Preserve digital evidence.",
            ],
            "modules": [
                (
                    "chain-of-custody",
                    "Principles of the chain of custody",
                    "Who had the evidence, when and why.",
                    [
                        text(
                            "A chain with no broken links",
                            "Everyone who receives or hands over evidence signs the chain-of-custody record with the date, the time and the reason.",
                        ),
                        callout(
                            "legal",
                            "Code of Criminal Procedure",
                            "The region's procedural codes require the chain of custody to be documented; without it, the defence can challenge the evidence.",
                        ),
                        term(
                            "Chain of custody",
                            "The continuous record of the collection, transport, storage and analysis of an item of evidence.",
                        ),
                    ],
                ),
                (
                    "collection-and-packaging",
                    "Collection and packaging",
                    "Each item in its own packaging.",
                    [
                        procedure(
                            "Collecting evidence",
                            "Photograph the item where it was found.",
                            "Use new gloves for each item.",
                            "Package wet items in paper bags and dry items in plastic bags.",
                            "Seal, sign and write the case number.",
                            "Record the handover in the chain of custody.",
                        ),
                        checklist(
                            "Evidence kit",
                            "Gloves",
                            "Paper and plastic bags",
                            "Sealing tape",
                            "Permanent marker",
                            "Chain-of-custody forms",
                        ),
                    ],
                ),
                (
                    "digital-evidence",
                    "Digital evidence",
                    "Phones and computers without losing data.",
                    [
                        text(
                            "Isolate, do not explore",
                            "A seized phone is isolated from the network (flight mode or a Faraday bag) and not explored: every touch changes data.",
                        ),
                        callout(
                            "warning",
                            "Do not switch it on or off",
                            "Leave the device as you found it and hand it to the laboratory.",
                        ),
                        check(
                            "What do you do with a seized phone that is switched on?",
                            [
                                "Read the messages",
                                "Isolate it from the network and hand it to the laboratory",
                                "Switch it off to save battery",
                            ],
                            1,
                            "Isolating it prevents remote wiping; not exploring it preserves the evidence.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "code": "TIP-201",
        "track": "investigations",
        "level": "advanced",
        "hours": 40,
        "delivery_language": "es",
        "modes": ("in_person", "blended"),
        "us_funded": True,
        "admission": "nominated",
        "credential": "tip-201",
        "prerequisites": ["EVD-130"],
        "es": {
            "title": "Investigación de la trata de personas",
            "slug": "investigacion-de-la-trata-de-personas",
            "summary": "Identificar víctimas, investigar redes de trata y trabajar con fiscalías y albergues con enfoque en la víctima.",
            "objectives": [
                "Distinguir trata de tráfico ilícito de migrantes.",
                "Reconocer indicadores.",
                "Entrevistar a una víctima sin revictimizarla.",
            ],
            "modules": [
                (
                    "marco-legal",
                    "Marco legal: el Protocolo de Palermo",
                    "Acción, medio y fin.",
                    [
                        callout(
                            "legal",
                            "Protocolo de Palermo, artículo 3",
                            "La trata es la captación, el transporte, el traslado, la acogida o la recepción de personas, por medio de amenaza, fuerza, engaño o abuso, con fines de explotación.",
                        ),
                        term(
                            "Tráfico ilícito de migrantes",
                            "Facilitar la entrada ilegal de una persona a un país a cambio de un beneficio. Es un delito contra el Estado; la trata es un delito contra la persona.",
                            "Protocolo contra el tráfico ilícito de migrantes",
                        ),
                        check(
                            "¿Qué elemento distingue la trata del tráfico ilícito de migrantes?",
                            ["El cruce de frontera", "El fin de explotación", "El pago de dinero"],
                            1,
                            "La trata exige un fin de explotación; puede ocurrir sin cruzar fronteras.",
                        ),
                    ],
                ),
                (
                    "indicadores",
                    "Indicadores de trata",
                    "Lo que la víctima no dice.",
                    [
                        text(
                            "Observar el contexto",
                            "Muchas víctimas no se reconocen como tales. Los indicadores aparecen en el contexto: quién tiene los documentos, quién habla por quién, quién paga.",
                        ),
                        checklist(
                            "Indicadores frecuentes",
                            "Otra persona guarda sus documentos",
                            "No sabe la dirección donde vive o trabaja",
                            "Tiene una deuda que no puede pagar",
                            "Muestra miedo a las autoridades",
                        ),
                        case(
                            "La oferta de empleo",
                            "Tres mujeres viajan con una oferta de trabajo como meseras; el contratista lleva sus pasaportes.",
                            ["¿Qué indicadores observa?", "¿A qué institución refiere el caso?"],
                            "La fiscalía especializada abrió una investigación; las mujeres fueron atendidas en un albergue.",
                        ),
                    ],
                ),
                (
                    "entrevista-centrada-en-la-victima",
                    "Entrevista centrada en la víctima",
                    "Seguridad, confianza y no revictimización.",
                    [
                        text(
                            "La víctima primero",
                            "La entrevista se hace en un lugar seguro, con intérprete si hace falta y con apoyo psicosocial. La víctima no es sospechosa.",
                        ),
                        procedure(
                            "Preparar la entrevista",
                            "Garantice la seguridad física de la víctima.",
                            "Ofrezca intérprete y atención médica.",
                            "Explique quién es usted y qué pasará.",
                            "Pregunte con calma y sin juzgar.",
                            "Coordine con el albergue y la fiscalía.",
                        ),
                        callout(
                            "warning",
                            "No revictimizar",
                            "No obligue a la víctima a repetir su relato ante varias instituciones; coordine una sola entrevista.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Trafficking in persons investigations",
            "slug": "trafficking-in-persons-investigations",
            "summary": "Identifying victims, investigating trafficking networks and working with prosecutors and shelters, victim first.",
            "objectives": [
                "Tell trafficking apart from migrant smuggling.",
                "Recognise indicators.",
                "Interview a victim without revictimising them.",
            ],
            "modules": [
                (
                    "legal-framework",
                    "Legal framework: the Palermo Protocol",
                    "Act, means and purpose.",
                    [
                        callout(
                            "legal",
                            "Palermo Protocol, article 3",
                            "Trafficking is the recruitment, transport, transfer, harbouring or receipt of persons, by threat, force, deception or abuse, for the purpose of exploitation.",
                        ),
                        term(
                            "Migrant smuggling",
                            "Helping a person enter a country illegally for a benefit. It is a crime against the State; trafficking is a crime against the person.",
                            "Protocol against the Smuggling of Migrants",
                        ),
                        check(
                            "Which element sets trafficking apart from migrant smuggling?",
                            ["Crossing a border", "The purpose of exploitation", "Paying money"],
                            1,
                            "Trafficking requires a purpose of exploitation; it can happen without crossing borders.",
                        ),
                    ],
                ),
                (
                    "indicators",
                    "Indicators of trafficking",
                    "What the victim does not say.",
                    [
                        text(
                            "Watch the context",
                            "Many victims do not see themselves as victims. The indicators show in the context: who holds the documents, who speaks for whom, who pays.",
                        ),
                        checklist(
                            "Common indicators",
                            "Someone else keeps their documents",
                            "They do not know where they live or work",
                            "They owe a debt they cannot pay",
                            "They are afraid of the authorities",
                        ),
                        case(
                            "The job offer",
                            "Three women travel with an offer of work as waitresses; the recruiter carries their passports.",
                            ["Which indicators do you see?", "Which institution do you refer the case to?"],
                            "The specialised prosecutor opened an investigation; the women were cared for in a shelter.",
                        ),
                    ],
                ),
                (
                    "victim-centred-interview",
                    "Victim-centred interviewing",
                    "Safety, trust and no revictimisation.",
                    [
                        text(
                            "The victim first",
                            "The interview takes place somewhere safe, with an interpreter if needed and with psychosocial support. The victim is not a suspect.",
                        ),
                        procedure(
                            "Preparing the interview",
                            "Make sure the victim is physically safe.",
                            "Offer an interpreter and medical care.",
                            "Explain who you are and what will happen.",
                            "Ask calmly and without judging.",
                            "Coordinate with the shelter and the prosecutor.",
                        ),
                        callout(
                            "warning",
                            "Do not revictimise",
                            "Do not make the victim repeat their story to several institutions; coordinate a single interview.",
                        ),
                    ],
                ),
            ],
        },
    },
    {
        "code": "FIN-210",
        "track": "investigations",
        "level": "advanced",
        "hours": 36,
        "delivery_language": "es",
        "modes": ("online", "blended"),
        "us_funded": False,
        "admission": "nominated",
        "credential": None,
        "prerequisites": ["EVD-130"],
        "es": {
            "title": "Investigaciones financieras y lavado de dinero",
            "slug": "investigaciones-financieras",
            "summary": "Seguir el dinero de las organizaciones criminales: etapas del lavado, fuentes de información y contrabando de efectivo.",
            "objectives": [
                "Explicar las etapas del lavado de dinero.",
                "Solicitar información financiera.",
                "Detectar contrabando de efectivo en frontera.",
            ],
            "modules": [
                (
                    "etapas-del-lavado",
                    "Etapas del lavado de dinero",
                    "Colocación, estratificación e integración.",
                    [
                        text(
                            "De efectivo a patrimonio",
                            "El lavado convierte ganancias ilícitas en bienes de apariencia legal, en tres etapas: colocación, estratificación e integración.",
                        ),
                        term(
                            "Estratificación",
                            "Serie de operaciones (transferencias, empresas de fachada, compras y ventas) que alejan el dinero de su origen ilícito.",
                        ),
                        check(
                            "¿En qué etapa entra el efectivo ilícito al sistema financiero?",
                            ["Colocación", "Estratificación", "Integración"],
                            0,
                            "La colocación es la entrada del efectivo: depósitos fraccionados, casas de cambio, negocios con mucho efectivo.",
                        ),
                    ],
                ),
                (
                    "seguir-el-dinero",
                    "Seguir el dinero: fuentes de información",
                    "Registros públicos, bancos y la unidad de inteligencia financiera.",
                    [
                        text(
                            "Fuentes abiertas y cerradas",
                            "Los registros de la propiedad, de comercio y de vehículos son abiertos. La información bancaria se obtiene con orden judicial o por medio de la unidad de inteligencia financiera.",
                        ),
                        checklist(
                            "Antes de solicitar información bancaria",
                            "Número de caso y delito investigado",
                            "Personas y cuentas identificadas",
                            "Período de tiempo preciso",
                            "Autorización judicial o fiscal",
                        ),
                        callout(
                            "legal",
                            "Unidad de inteligencia financiera",
                            "Los bancos reportan operaciones sospechosas a la unidad de inteligencia financiera, que comparte análisis con la fiscalía según la ley de cada país.",
                        ),
                    ],
                ),
                (
                    "contrabando-de-efectivo",
                    "Contrabando de efectivo en fronteras",
                    "El dinero también cruza la frontera.",
                    [
                        case(
                            "La maleta del comerciante",
                            "Un viajero declara 2.000 dólares; el escáner muestra bloques compactos en el forro de su maleta.",
                            ["¿Qué pregunta y qué registra?", "¿A quién informa?"],
                            "Se hallaron 180.000 dólares sin declarar; la unidad de inteligencia financiera vinculó el dinero a una red de narcotráfico.",
                        ),
                        procedure(
                            "Hallazgo de efectivo no declarado",
                            "Cuente el dinero frente al viajero y un testigo.",
                            "Fotografíe los billetes y el escondite.",
                            "Levante el acta con los montos por denominación.",
                            "Informe a la fiscalía y a la unidad de inteligencia financiera.",
                        ),
                        check(
                            "¿Qué indica dinero escondido en el forro de una maleta?",
                            ["Un olvido", "La intención de ocultarlo", "Una práctica bancaria normal"],
                            1,
                            "Ocultar el dinero muestra la intención de evadir el control y justifica una investigación.",
                        ),
                    ],
                ),
            ],
        },
        "en": {
            "title": "Financial investigations and money laundering",
            "slug": "financial-investigations",
            "summary": "Following criminal organisations' money: the stages of laundering, sources of information and cash smuggling.",
            "objectives": [
                "Explain the stages of money laundering.",
                "Request financial information.",
                "Detect cash smuggling at the border.",
            ],
            "modules": [
                (
                    "stages-of-laundering",
                    "Stages of money laundering",
                    "Placement, layering and integration.",
                    [
                        text(
                            "From cash to wealth",
                            "Laundering turns illicit profits into assets that look legal, in three stages: placement, layering and integration.",
                        ),
                        term(
                            "Layering",
                            "A series of transactions (transfers, front companies, purchases and sales) that distance the money from its illicit origin.",
                        ),
                        check(
                            "At which stage does illicit cash enter the financial system?",
                            ["Placement", "Layering", "Integration"],
                            0,
                            "Placement is the cash going in: split deposits, exchange houses, cash-heavy businesses.",
                        ),
                    ],
                ),
                (
                    "follow-the-money",
                    "Follow the money: sources of information",
                    "Public registers, banks and the financial intelligence unit.",
                    [
                        text(
                            "Open and closed sources",
                            "Property, company and vehicle registers are open. Banking information is obtained with a court order or through the financial intelligence unit.",
                        ),
                        checklist(
                            "Before requesting banking information",
                            "Case number and offence under investigation",
                            "People and accounts identified",
                            "A precise period of time",
                            "Judicial or prosecutorial authorisation",
                        ),
                        callout(
                            "legal",
                            "Financial intelligence unit",
                            "Banks report suspicious transactions to the financial intelligence unit, which shares analysis with prosecutors as each country's law allows.",
                        ),
                    ],
                ),
                (
                    "cash-smuggling",
                    "Cash smuggling at borders",
                    "Money crosses borders too.",
                    [
                        case(
                            "The trader's suitcase",
                            "A traveller declares 2,000 dollars; the scanner shows compact blocks in the lining of the suitcase.",
                            ["What do you ask and what do you search?", "Whom do you inform?"],
                            "180,000 undeclared dollars were found; the financial intelligence unit linked the money to a drug-trafficking network.",
                        ),
                        procedure(
                            "Finding undeclared cash",
                            "Count the money in front of the traveller and a witness.",
                            "Photograph the notes and the hiding place.",
                            "Write the report with the amounts by denomination.",
                            "Inform the prosecutor and the financial intelligence unit.",
                        ),
                        check(
                            "What does money hidden in a suitcase lining show?",
                            ["Forgetfulness", "An intention to conceal it", "Normal banking practice"],
                            1,
                            "Hiding the money shows an intention to evade control and justifies an investigation.",
                        ),
                    ],
                ),
            ],
        },
    },
]

PROGRAM = {
    "credential": "border-interdiction-specialist",
    "courses": [("BSI-101", True), ("DOC-110", True), ("VEH-120", False)],
    "es": {
        "title": "Programa de especialista en interdicción fronteriza",
        "slug": "especialista-en-interdiccion-fronteriza",
        "summary": "Tres cursos que forman al oficial de primera y segunda línea de un puesto fronterizo.",
    },
    "en": {
        "title": "Border interdiction specialist program",
        "slug": "border-interdiction-specialist",
        "summary": "Three courses that prepare the first- and second-line officer of a border post.",
    },
}


DEMO_NAMESPACE = uuid.UUID("5b0e2f43-8c1d-4b6a-9a57-3e1f0c2d9b11")


def _with_ids(blocks: list[dict], key: str) -> list[dict]:
    """Stream data with stable block and list-item ids, the same in both languages, so that
    wagtail-localize matches each English string to its Spanish source."""
    result = []
    for i, block in enumerate(blocks):
        block_id = str(uuid.uuid5(DEMO_NAMESPACE, f"{key}/{i}"))
        value = dict(block["value"])
        for name, item in value.items():
            if isinstance(item, list):
                value[name] = [
                    {
                        "type": "item",
                        "value": v,
                        "id": str(uuid.uuid5(DEMO_NAMESPACE, f"{block_id}/{name}/{j}")),
                    }
                    for j, v in enumerate(item)
                ]
        result.append({"type": block["type"], "value": value, "id": block_id})
    return result


def _objectives(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _course_fields(spec: dict) -> dict:
    return {
        "level": spec["level"],
        "delivery_language": spec["delivery_language"],
        "online": "online" in spec["modes"],
        "in_person": "in_person" in spec["modes"],
        "blended": "blended" in spec["modes"],
        "us_funded": spec["us_funded"],
        "admission": spec["admission"],
    }


@transaction.atomic
def seed_courses(*, instructor_email: str | None = DEMO_INSTRUCTOR_EMAIL) -> CourseCatalogPage:
    """Idempotent: tracks, credentials, the catalogue in both languages, six courses with
    their modules, one program, the review workflow, and the demo instructor on two courses.
    Expects the site (locales and home pages) to exist: run `site_setup` first."""
    es, en = Locale.objects.get(language_code="es"), Locale.objects.get(language_code="en")
    home_es = Site.objects.get(is_default_site=True).root_page.specific
    home_en = home_es.get_translation(en)

    tracks = {
        slug: services.track_upsert(slug=slug, name_es=n_es, name_en=n_en, sort_order=o)
        for slug, n_es, n_en, o in TRACKS
    }
    credentials = {
        code: registry.credential_upsert(code=code, name_es=n_es, name_en=n_en, validity_months=months)
        for code, n_es, n_en, months in CREDENTIALS
    }
    catalogue_es = CourseCatalogPage.objects.child_of(home_es).first() or services.catalogue_ensure(
        home=home_es, **CATALOGUE["es"]
    )
    if not CourseCatalogPage.objects.child_of(home_en).exists():
        services.catalogue_ensure(home=home_en, **CATALOGUE["en"])

    courses: dict[str, CoursePage] = {}
    for spec in COURSES:
        course = CoursePage.objects.filter(code=spec["code"], locale=es).first()
        if course is None:
            course = services.course_create(
                catalogue=catalogue_es,
                title=spec["es"]["title"],
                slug=spec["es"]["slug"],
                code=spec["code"],
                track=tracks[spec["track"]],
                hours=spec["hours"],
                summary=spec["es"]["summary"],
                objectives=_objectives(spec["es"]["objectives"]),
                credential=credentials.get(spec["credential"]) if spec["credential"] else None,
                prerequisites=[courses[code] for code in spec.get("prerequisites", [])],
                **_course_fields(spec),
            )
        courses[spec["code"]] = course
        if course.get_translation_or_none(en) is None:
            course_en = services.page_translate(
                page=course,
                locale=en,
                fields={
                    "title": spec["en"]["title"],
                    "slug": spec["en"]["slug"],
                    "summary": spec["en"]["summary"],
                    "objectives": _objectives(spec["en"]["objectives"]),
                },
            )
            services.translation_register(source=course, translation=course_en)
        for (slug_es, title_es, summary_es, body_es), (slug_en, title_en, summary_en, body_en) in zip(
            spec["es"]["modules"], spec["en"]["modules"], strict=True
        ):
            module = ModulePage.objects.child_of(course).filter(slug=slug_es).first()
            if module is None:
                module = services.module_create(
                    course=course,
                    title=title_es,
                    slug=slug_es,
                    summary=summary_es,
                    body=_with_ids(body_es, f"{spec['code']}/{slug_es}"),
                    duration_minutes=30,
                )
            if module.get_translation_or_none(en) is None:
                module_en = services.page_translate(
                    page=module,
                    locale=en,
                    fields={
                        "title": title_en,
                        "slug": slug_en,
                        "summary": summary_en,
                        "body": _with_ids(body_en, f"{spec['code']}/{slug_es}"),
                    },
                )
                services.translation_register(source=module, translation=module_en)

    program = ProgramPage.objects.child_of(catalogue_es).filter(slug=PROGRAM["es"]["slug"]).first()
    if program is None:
        program = services.program_create(
            catalogue=catalogue_es,
            title=PROGRAM["es"]["title"],
            slug=PROGRAM["es"]["slug"],
            summary=PROGRAM["es"]["summary"],
            credential=credentials[PROGRAM["credential"]],
            courses=[(courses[code], required) for code, required in PROGRAM["courses"]],
        )
    if program.get_translation_or_none(en) is None:
        program_en = services.page_translate(page=program, locale=en, fields=PROGRAM["en"])
        services.translation_register(source=program, translation=program_en)

    services.courses_setup()
    if instructor_email:
        instructor = get_user_model().objects.filter(email__iexact=instructor_email).first()
        if instructor is not None:
            for code in ("BSI-101", "DOC-110"):
                services.course_assign_instructor(course=courses[code], user=instructor)
    return Page.objects.get(pk=catalogue_es.pk).specific
