# ruff: noqa: E501 - demo prose: one sentence per line reads better than wrapped strings
"""The demo exams' content: one exam per demo course, in Spanish and English (`EXAMS`).

Every question is written once with both languages side by side, so the two copies of an exam
always ask the same thing, with the same choices in the same order and the same answer key.
The questions follow each course's modules in `courses.demo`. Short written answers carry a
good and a weak sample answer, which the demo's officers "write" (see `courses.demo_exams`).
"""

from dataclasses import dataclass

from .models_assessment import Exam, Question

K = Question.Kind
Policy = Exam.ReviewPolicy
Timing = Exam.ReviewTiming

Pair = tuple[str, str]  # (Spanish, English)


@dataclass(frozen=True)
class DemoQuestion:
    topic: str  # a key of the exam's "topics"
    kind: str
    text: Pair
    explanation: Pair
    choices: tuple[tuple[str, str, bool], ...] = ()  # (Spanish, English, correct)
    points: int = 1
    partial_credit: bool = False
    good_answer: Pair = ("", "")  # written answers only: what a well-prepared officer writes...
    weak_answer: Pair = ("", "")  # ...and what a poorly prepared one does


def one(topic: str, text: Pair, choices: list[Pair], right: int, why: Pair) -> DemoQuestion:
    """Single choice: exactly one of `choices` (the one at index `right`) is correct."""
    return DemoQuestion(
        topic=topic,
        kind=K.SINGLE,
        text=text,
        explanation=why,
        choices=tuple((es, en, i == right) for i, (es, en) in enumerate(choices)),
    )


def many(
    topic: str, text: Pair, choices: list[tuple[str, str, bool]], why: Pair, *, partial: bool
) -> DemoQuestion:
    """Multiple choice, two points: all-or-nothing, or with partial credit."""
    return DemoQuestion(
        topic=topic,
        kind=K.MULTIPLE,
        text=text,
        explanation=why,
        choices=tuple(choices),
        points=2,
        partial_credit=partial,
    )


def true_false(topic: str, text: Pair, true: bool, why: Pair) -> DemoQuestion:
    return DemoQuestion(
        topic=topic,
        kind=K.TRUE_FALSE,
        text=text,
        explanation=why,
        choices=(("Verdadero", "True", true), ("Falso", "False", not true)),
    )


def written(topic: str, text: Pair, why: Pair, *, good: Pair, weak: Pair) -> DemoQuestion:
    """A short written answer, two points, scored by an instructor."""
    return DemoQuestion(
        topic=topic,
        kind=K.SHORT_ANSWER,
        text=text,
        explanation=why,
        points=2,
        good_answer=good,
        weak_answer=weak,
    )


# --- BSI-101 Border interdiction ----------------------------------------------------------------

BSI_101 = [
    # Principles of interdiction
    one(
        "principles",
        (
            "¿Quién controla el derecho de una persona a entrar al país?",
            "Who checks a person's right to enter the country?",
        ),
        [
            ("La aduana", "Customs"),
            ("La dirección de migración", "The migration directorate"),
            ("La empresa de transporte", "The transport company"),
            ("La policía municipal", "The municipal police"),
        ],
        1,
        (
            "El control migratorio corresponde a la dirección de migración; la aduana controla las mercancías.",
            "Migration control belongs to the migration directorate; customs controls goods.",
        ),
    ),
    one(
        "principles",
        ("¿Qué controla la aduana en el puesto fronterizo?", "What does customs control at the border post?"),
        [
            ("Las mercancías que cruzan la frontera", "The goods that cross the border"),
            ("Los antecedentes penales de los viajeros", "Travellers' criminal records"),
            ("El derecho de las personas a entrar", "People's right to enter"),
            ("Los horarios de los autobuses", "The bus timetables"),
        ],
        0,
        (
            "La aduana controla las mercancías; migración, a las personas; la policía actúa sobre los delitos.",
            "Customs controls goods; migration, people; the police act on crimes.",
        ),
    ),
    true_false(
        "principles",
        (
            "Interdicción es detener o incautar personas, mercancías o medios de transporte que cruzan una frontera de forma ilegal.",
            "Interdiction means stopping or seizing people, goods or means of transport that cross a border illegally.",
        ),
        True,
        ("Es la definición del curso.", "That is the course's definition."),
    ),
    true_false(
        "principles",
        (
            "Cada institución del puesto puede trabajar sola: coordinarse es opcional.",
            "Each agency at the post can work alone: coordinating is optional.",
        ),
        False,
        (
            "Cada institución tiene su propio mandato; la interdicción funciona cuando se coordinan.",
            "Each agency has its own mandate; interdiction works when they coordinate.",
        ),
    ),
    many(
        "principles",
        (
            "¿Qué instituciones trabajan habitualmente en un puesto fronterizo terrestre?",
            "Which agencies usually work at a land border post?",
        ),
        [
            ("La policía", "The police", True),
            ("La dirección de migración", "The migration directorate", True),
            ("La aduana", "Customs", True),
            (
                "La seguridad privada de la empresa de transporte",
                "The transport company's private security",
                False,
            ),
        ],
        (
            "Policía, migración y aduana; la seguridad privada no ejerce funciones de control fronterizo.",
            "Police, migration and customs; private security has no border-control powers.",
        ),
        partial=False,
    ),
    one(
        "principles",
        (
            "¿Qué faculta al oficial para inspeccionar documentos y remitir un caso a segunda línea?",
            "What empowers the officer to inspect documents and refer a case to second line?",
        ),
        [
            ("La ley de migración de cada país", "Each country's migration law"),
            ("El consentimiento del viajero", "The traveller's consent"),
            ("Una circular de la empresa de transporte", "A circular from the transport company"),
            ("Nada: el control es voluntario", "Nothing: the check is voluntary"),
        ],
        0,
        (
            "La base legal es la ley de migración de cada país; sin ella, la inspección sería arbitraria.",
            "The legal basis is each country's migration law; without it the inspection would be arbitrary.",
        ),
    ),
    one(
        "principles",
        (
            "En la carga de un camión, la aduana encuentra a una persona escondida. ¿Quién se ocupa de su situación migratoria?",
            "Customs finds a person hidden in a lorry's cargo. Who deals with the person's migration status?",
        ),
        [
            ("La dirección de migración", "The migration directorate"),
            ("La aduana, porque la encontró", "Customs, because it found the person"),
            ("La empresa del conductor", "The driver's company"),
            ("Nadie: se le deja continuar", "Nobody: the person is let through"),
        ],
        0,
        (
            "Cada institución actúa según su mandato: la aduana remite a la persona a migración (y a la policía si hay delito).",
            "Each agency acts within its mandate: customs refers the person to migration (and to the police if there is a crime).",
        ),
    ),
    written(
        "principles",
        (
            "Explique en dos o tres oraciones por qué importa la coordinación entre policía, migración y aduana en un puesto fronterizo.",
            "Explain in two or three sentences why coordination between police, migration and customs matters at a border post.",
        ),
        (
            "Cada institución tiene solo una parte del mandato; los casos reales tocan varias a la vez (una víctima escondida en la carga), así que compartir información y remitir casos evita vacíos e inspecciones duplicadas.",
            "Each agency holds only part of the mandate; real cases touch several at once (a victim hidden in cargo), so sharing information and referring cases avoids gaps and duplicated inspections.",
        ),
        good=(
            "Migración controla a las personas, la aduana las mercancías y la policía los delitos. Un mismo caso, como una persona escondida en la carga, toca a las tres; si se coordinan y se remiten los casos no quedan vacíos ni se inspecciona dos veces.",
            "Migration checks people, customs checks goods and the police deal with crimes. One case, such as a person hidden in cargo, touches all three; if they coordinate and refer cases to each other there are no gaps and nobody is inspected twice.",
        ),
        weak=("Porque todos trabajan en el mismo puesto.", "Because they all work at the same post."),
    ),
    # Selecting by risk
    one(
        "risk",
        (
            "¿En qué se basa la selección de a quién inspeccionar?",
            "What is the selection of whom to inspect based on?",
        ),
        [
            (
                "En indicadores observables: la ruta, el documento, el comportamiento y la carga",
                "Observable indicators: the route, the document, the behaviour and the load",
            ),
            ("En la nacionalidad del viajero", "The traveller's nationality"),
            ("En el origen étnico", "Ethnic origin"),
            ("En la apariencia", "Appearance"),
        ],
        0,
        (
            "Se selecciona por indicadores observables, nunca por nacionalidad, origen étnico o apariencia.",
            "Selection rests on observable indicators, never on nationality, ethnic origin or appearance.",
        ),
    ),
    many(
        "risk",
        (
            "¿Cuáles de estos son indicadores que conviene observar?",
            "Which of these are indicators worth watching?",
        ),
        [
            ("Un itinerario sin sentido aparente", "An itinerary that makes no apparent sense", True),
            (
                "Un boleto comprado en efectivo a última hora",
                "A ticket bought in cash at the last minute",
                True,
            ),
            (
                "Nerviosismo desproporcionado ante preguntas sencillas",
                "Nervousness out of proportion to simple questions",
                True,
            ),
            ("La nacionalidad del viajero", "The traveller's nationality", False),
            (
                "Equipaje que no corresponde al propósito del viaje",
                "Luggage that does not fit the purpose of the trip",
                True,
            ),
        ],
        (
            "Los cuatro indicadores de la lista del módulo son conductas o circunstancias; la nacionalidad no es un indicador.",
            "The four indicators in the module's list are behaviours or circumstances; nationality is not an indicator.",
        ),
        partial=True,
    ),
    true_false(
        "risk",
        (
            "Seleccionar viajeros para inspección por su origen étnico es aceptable si se hace con discreción.",
            "Selecting travellers for inspection because of their ethnic origin is acceptable if it is done discreetly.",
        ),
        False,
        (
            "Es discriminación, esté o no a la vista: la selección se basa solo en indicadores observables.",
            "It is discrimination, seen or not: selection rests only on observable indicators.",
        ),
    ),
    one(
        "risk",
        (
            "Un autobús llega a las 3:00; cuatro jóvenes viajan sin equipaje y un adulto responde por todos. ¿Qué hace?",
            "A bus arrives at 3:00; four young people travel without luggage and one adult answers for all of them. What do you do?",
        ),
        [
            (
                "Remito al grupo a segunda línea y entrevisto a cada uno por separado",
                "Refer the group to second line and interview each one separately",
            ),
            (
                "Los dejo pasar: el adulto tiene los documentos en regla",
                "Let them through: the adult's papers are in order",
            ),
            ("Detengo al adulto sin más preguntas", "Arrest the adult without further questions"),
            ("Pido al conductor que responda por ellos", "Ask the driver to vouch for them"),
        ],
        0,
        (
            "Hay indicadores (sin equipaje, un adulto que habla por todos): la segunda línea y las entrevistas separadas permiten confirmarlos.",
            "There are indicators (no luggage, one adult speaking for all): second line and separate interviews let you confirm them.",
        ),
    ),
    one(
        "risk",
        ("¿Por qué deben ser observables los indicadores?", "Why must indicators be observable?"),
        [
            (
                "Para que la decisión pueda explicarse y documentarse",
                "So that the decision can be explained and documented",
            ),
            ("Porque así la inspección es más rápida", "Because it makes the inspection faster"),
            ("Porque lo exige la empresa de transporte", "Because the transport company requires it"),
            ("No es necesario que lo sean", "They need not be"),
        ],
        0,
        (
            "Un indicador observable se puede anotar y revisar después; una impresión personal no.",
            "An observable indicator can be written down and reviewed later; a personal impression cannot.",
        ),
    ),
    true_false(
        "risk",
        (
            "Un solo indicador, como el nerviosismo, basta siempre para detener a una persona.",
            "A single indicator, such as nervousness, is always enough to arrest a person.",
        ),
        False,
        (
            "Los indicadores justifican una revisión más detenida (segunda línea), no una detención.",
            "Indicators justify a closer look (second line), not an arrest.",
        ),
    ),
    many(
        "risk",
        (
            "¿Cuáles NO son criterios válidos para seleccionar a quién inspeccionar?",
            "Which are NOT valid criteria for selecting whom to inspect?",
        ),
        [
            ("La religión del viajero", "The traveller's religion", True),
            ("El color de la piel", "Skin colour", True),
            ("Un documento con señales de alteración", "A document showing signs of alteration", False),
            (
                "Una ruta que no corresponde al propósito declarado",
                "A route that does not fit the declared purpose",
                False,
            ),
        ],
        (
            "Religión y color de piel son discriminación; un documento alterado y una ruta incoherente son indicadores observables.",
            "Religion and skin colour are discrimination; an altered document and an incoherent route are observable indicators.",
        ),
        partial=False,
    ),
    written(
        "risk",
        (
            "Nombre dos indicadores que observaría en un pasajero de autobús y diga por qué importa cada uno.",
            "Name two indicators you would watch for in a bus passenger and say why each one matters.",
        ),
        (
            "Por ejemplo: un boleto comprado en efectivo a última hora (dificulta rastrear el viaje) y equipaje que no corresponde al propósito (contradice lo declarado).",
            "For example: a ticket bought in cash at the last minute (the trip is harder to trace) and luggage that does not fit the purpose (it contradicts what was declared).",
        ),
        good=(
            "Un boleto pagado en efectivo a última hora, porque es típico de quien no quiere dejar rastro; y equipaje que no cuadra con el propósito del viaje, porque contradice lo que declara.",
            "A ticket paid in cash at the last minute, because it is typical of someone who leaves no trail; and luggage that does not match the purpose of the trip, because it contradicts what they say.",
        ),
        weak=("Que parezca extranjero.", "That they look foreign."),
    ),
    # The first-line interview
    one(
        "interview",
        ("¿Qué tipo de pregunta conviene en primera línea?", "Which kind of question suits the first line?"),
        [
            ("Preguntas abiertas y breves", "Short open questions"),
            ("Preguntas de sí o no", "Yes-or-no questions"),
            ("Ninguna pregunta", "No questions at all"),
            ("Un cuestionario escrito", "A written questionnaire"),
        ],
        0,
        (
            "Las preguntas abiertas hacen que la persona dé detalles que pueden compararse.",
            "Open questions make the person give details that can be compared.",
        ),
    ),
    one(
        "interview",
        ("¿Cuánto dura una entrevista de primera línea?", "How long does a first-line interview last?"),
        [
            ("Menos de un minuto", "Under a minute"),
            ("Unos diez minutos", "About ten minutes"),
            ("Lo necesario para obtener una confesión", "As long as it takes to obtain a confession"),
            ("Media hora", "Half an hour"),
        ],
        0,
        (
            "La primera línea es breve; lo que requiere más tiempo pasa a segunda línea.",
            "The first line is brief; whatever needs more time goes to second line.",
        ),
    ),
    one(
        "interview",
        (
            "Después de preguntar el propósito y la duración del viaje, ¿qué hace?",
            "After asking the purpose and length of the trip, what do you do?",
        ),
        [
            (
                "Comparo las respuestas con el documento y el boleto",
                "Compare the answers with the document and the ticket",
            ),
            ("Devuelvo el documento sin mirarlo", "Hand the document back without looking at it"),
            ("Registro todo el equipaje", "Search all the luggage"),
            ("Llamo a la embajada del viajero", "Call the traveller's embassy"),
        ],
        0,
        (
            "Es el tercer paso del procedimiento: comparar lo dicho con el documento y el boleto.",
            "It is the third step of the procedure: compare what was said with the document and the ticket.",
        ),
    ),
    true_false(
        "interview",
        (
            "Nunca retenga el documento de una persona sin informar a su supervisor.",
            "Never keep a person's document without telling your supervisor.",
        ),
        True,
        (
            "Retener un documento sin informar expone al oficial y a la persona; el supervisor debe saberlo.",
            "Keeping a document without telling anyone exposes both the officer and the person; the supervisor must know.",
        ),
    ),
    one(
        "interview",
        (
            "Si algo no concuerda en la entrevista, usted:",
            "If anything is inconsistent in the interview, you:",
        ),
        [
            ("Remite a la persona a segunda línea", "Refer the person to second line"),
            ("Le niega la entrada en el acto", "Refuse entry on the spot"),
            ("Lo pasa por alto si la persona es amable", "Overlook it if the person is polite"),
            ("Le pide una explicación por escrito", "Ask for a written explanation"),
        ],
        0,
        (
            "La primera línea detecta; la segunda línea examina con tiempo y decide.",
            "The first line detects; the second line examines with time and decides.",
        ),
    ),
    many(
        "interview",
        ("¿Con qué compara las respuestas del viajero?", "What do you compare the traveller's answers with?"),
        [
            ("El documento de viaje", "The travel document", True),
            ("El boleto", "The ticket", True),
            ("Los comentarios de otros pasajeros sobre él", "Other passengers' remarks about them", False),
            (
                "Su impresión sobre la nacionalidad del viajero",
                "Your impression of the traveller's nationality",
                False,
            ),
        ],
        (
            "Se compara con lo que puede verificarse: el documento y el boleto.",
            "You compare with what can be verified: the document and the ticket.",
        ),
        partial=True,
    ),
    true_false(
        "interview",
        (
            "Las preguntas abiertas llevan a la persona a dar detalles que pueden compararse.",
            "Open questions lead the person to give details that can be compared.",
        ),
        True,
        (
            "Un «sí» o un «no» no da nada que comparar; un relato sí.",
            "A “yes” or a “no” gives nothing to compare; an account does.",
        ),
    ),
    one(
        "interview",
        ("¿Cuál es una pregunta abierta?", "Which one is an open question?"),
        [
            ("¿Cuál es el propósito de su viaje?", "What is the purpose of your trip?"),
            ("¿Viene usted de turismo?", "Are you here as a tourist?"),
            ("No trae nada que declarar, ¿verdad?", "You have nothing to declare, right?"),
            ("¿Viaja solo?", "Are you travelling alone?"),
        ],
        0,
        (
            "Las otras se contestan con sí o no, y la última además sugiere la respuesta.",
            "The others are answered yes or no, and the third one also suggests the answer.",
        ),
    ),
]

# --- DOC-110 Fraudulent document detection ---------------------------------------------------------

DOC_110 = [
    # Passport security features
    one(
        "features",
        ("¿Qué es la zona de lectura mecánica (ZLM)?", "What is the machine readable zone (MRZ)?"),
        [
            (
                "Las dos líneas de caracteres al pie de la página de datos que leen las máquinas",
                "The two lines of characters at the foot of the data page that machines read",
            ),
            ("La marca de agua de la página de datos", "The data page's watermark"),
            ("El chip de la tapa del pasaporte", "The chip in the passport's cover"),
            ("El sello de entrada del último viaje", "The entry stamp of the last trip"),
        ],
        0,
        (
            "Documento 9303 de la OACI: dos líneas legibles por máquina que deben coincidir con los datos impresos.",
            "ICAO Document 9303: two machine-readable lines that must match the printed data.",
        ),
    ),
    true_false(
        "features",
        (
            "Los datos de la zona de lectura mecánica deben coincidir con los datos impresos en la página de datos.",
            "The data in the machine readable zone must match the data printed on the data page.",
        ),
        True,
        (
            "Una ZLM que no coincide indica alteración o falsificación.",
            "An MRZ that does not match points to alteration or counterfeiting.",
        ),
    ),
    many(
        "features",
        ("¿Qué revisa siempre en un pasaporte?", "What do you always check in a passport?"),
        [
            ("La marca de agua a contraluz", "The watermark against the light", True),
            ("El mismo número en todas las páginas", "The same number on every page", True),
            (
                "La fotografía integrada, sin bordes levantados",
                "The integrated photograph, with no lifted edges",
                True,
            ),
            ("Una zona de lectura mecánica coherente", "A consistent machine readable zone", True),
            (
                "El precio que pagó el viajero por el pasaporte",
                "The price the traveller paid for the passport",
                False,
            ),
        ],
        (
            "Son los cuatro puntos de la lista del módulo; el precio no dice nada de la autenticidad.",
            "These are the four points of the module's checklist; the price says nothing about authenticity.",
        ),
        partial=True,
    ),
    one(
        "features",
        (
            "¿Qué documento de la OACI fija la norma de los documentos de viaje de lectura mecánica?",
            "Which ICAO document sets the standard for machine readable travel documents?",
        ),
        [
            ("El Documento 9303", "Document 9303"),
            ("El Documento 4444", "Document 4444"),
            ("El Anexo 17", "Annex 17"),
            ("El Convenio de Viena", "The Vienna Convention"),
        ],
        0,
        (
            "El Doc 9303 regula los documentos de viaje de lectura mecánica; el 4444 trata del tránsito aéreo y el Anexo 17 de la seguridad de la aviación.",
            "Doc 9303 governs machine readable travel documents; Doc 4444 is about air traffic and Annex 17 about aviation security.",
        ),
    ),
    one(
        "features",
        (
            "¿Dónde están las medidas de seguridad de un pasaporte?",
            "Where are a passport's security features?",
        ),
        [
            (
                "En el papel, en la impresión y en la personalización",
                "In the paper, the printing and the personalisation",
            ),
            ("Solo en la fotografía", "Only in the photograph"),
            ("Solo en la tapa", "Only in the cover"),
            ("En el sobre en que se entregó", "In the envelope it was delivered in"),
        ],
        0,
        (
            "La seguridad es por capas: papel, impresión y personalización (por ejemplo, la página de datos laminada).",
            "Security comes in layers: paper, printing and personalisation (for example the laminated data page).",
        ),
    ),
    true_false(
        "features",
        (
            "La tinta ópticamente variable cambia de color al inclinar el documento.",
            "Optically variable ink changes colour when the document is tilted.",
        ),
        True,
        (
            "Por eso no puede reproducirse con una fotocopiadora o una impresora común.",
            "That is why it cannot be reproduced with a photocopier or an ordinary printer.",
        ),
    ),
    one(
        "features",
        (
            "¿Qué sugiere un borde levantado alrededor de la fotografía de la página de datos?",
            "What does a lifted edge around the data page's photograph suggest?",
        ),
        [
            ("Una sustitución de la fotografía", "A substituted photograph"),
            ("Desgaste normal, sin importancia", "Normal wear, of no importance"),
            ("Que el pasaporte es nuevo", "That the passport is new"),
            ("Un error de la oficina emisora", "An error by the issuing office"),
        ],
        0,
        (
            "La fotografía integrada no debe tener bordes levantados; si los tiene, se examina con lupa en busca de un corte en el laminado.",
            "The integrated photograph must have no lifted edges; if it has, you examine the laminate under the magnifier for a cut.",
        ),
    ),
    # Types of document fraud
    one(
        "fraud",
        (
            "Una persona usa el pasaporte auténtico de su hermano. ¿Qué tipo de fraude es?",
            "A person uses their brother's genuine passport. Which kind of fraud is it?",
        ),
        [
            ("Falsificación total", "Counterfeit"),
            ("Alteración", "Alteration"),
            ("Impostor", "Impostor"),
            ("Obtenido con fraude", "Fraudulently obtained"),
        ],
        2,
        (
            "El documento es auténtico y no ha cambiado: quien lo usa no es su titular.",
            "The document is genuine and unchanged: the person using it is not its holder.",
        ),
    ),
    one(
        "fraud",
        ("Un documento enteramente falso es:", "An entirely false document is:"),
        [
            ("Una falsificación total", "A counterfeit"),
            ("Una alteración", "An alteration"),
            ("Un caso de impostor", "An impostor case"),
            ("Un documento obtenido con fraude", "A fraudulently obtained document"),
        ],
        0,
        (
            "La falsificación total fabrica el documento entero; la alteración modifica uno auténtico.",
            "A counterfeit makes the whole document; an alteration changes a genuine one.",
        ),
    ),
    one(
        "fraud",
        (
            "Un pasaporte auténtico emitido con una partida de nacimiento falsa es:",
            "A genuine passport issued on a false birth certificate is:",
        ),
        [
            ("Un documento obtenido con fraude", "A fraudulently obtained document"),
            ("Una falsificación total", "A counterfeit"),
            ("Una alteración", "An alteration"),
            ("Un caso de impostor", "An impostor case"),
        ],
        0,
        (
            "El documento es auténtico, pero se emitió con datos falsos.",
            "The document is genuine, but it was issued on false data.",
        ),
    ),
    one(
        "fraud",
        (
            "El laminado de la página de datos tiene una burbuja junto a la fotografía. ¿Qué sospecha?",
            "The laminate of the data page has a bubble next to the photograph. What do you suspect?",
        ),
        [
            ("Una alteración: la fotografía fue sustituida", "An alteration: the photograph was replaced"),
            ("Un impostor", "An impostor"),
            ("Un documento obtenido con fraude", "A fraudulently obtained document"),
            ("Nada: es un defecto de fábrica", "Nothing: it is a manufacturing defect"),
        ],
        0,
        (
            "Es el caso del módulo: con la lupa se vio el corte en el laminado y la foto sustituida.",
            "It is the module's case: under the magnifier the cut in the laminate showed and the photo had been replaced.",
        ),
    ),
    true_false(
        "fraud",
        (
            "Un documento obtenido con fraude supera el examen de sus medidas de seguridad.",
            "A fraudulently obtained document passes an examination of its security features.",
        ),
        True,
        (
            "Es auténtico: el fraude está en los datos con que se solicitó; se descubre verificando la identidad y los registros.",
            "It is genuine: the fraud lies in the data used to apply; it is uncovered by checking identity and records.",
        ),
    ),
    many(
        "fraud",
        (
            "¿Cuáles son alteraciones de un documento auténtico?",
            "Which of these are alterations of a genuine document?",
        ),
        [
            ("Sustituir la fotografía", "Replacing the photograph", True),
            ("Cambiar la fecha de nacimiento", "Changing the date of birth", True),
            ("Imprimir un pasaporte completamente falso", "Printing an entirely false passport", False),
            ("Usar el pasaporte de otra persona", "Using another person's passport", False),
        ],
        (
            "Alterar es modificar un documento auténtico; imprimir uno falso es falsificación total y usar el de otro es impostor.",
            "Altering means changing a genuine document; printing a false one is counterfeiting and using someone else's is an impostor case.",
        ),
        partial=False,
    ),
    true_false(
        "fraud",
        (
            "A un impostor se le detecta comparando la fotografía con su rostro y preguntándole por los datos del documento.",
            "An impostor can be detected by comparing the photograph with their face and asking about the data in the document.",
        ),
        True,
        (
            "El documento es auténtico; lo que falla es la relación entre el documento y la persona.",
            "The document is genuine; what fails is the link between the document and the person.",
        ),
    ),
    written(
        "fraud",
        (
            "Un viajero presenta un pasaporte auténtico y sin alterar, pero la foto se le parece solo vagamente. ¿Qué fraude sospecha y cómo lo confirma?",
            "A traveller presents a genuine, unaltered passport but the photo only vaguely looks like them. Which fraud do you suspect and how do you confirm it?",
        ),
        (
            "Impostor. Se comparan rasgos que no cambian con la edad (orejas, nariz, distancia entre los ojos), se pregunta por datos que el titular sabría y se compara la firma.",
            "Impostor. Compare features that do not change with age (ears, nose, distance between the eyes), ask for data the holder would know and compare the signature.",
        ),
        good=(
            "Un impostor. Comparo las orejas, la nariz y los ojos con la foto, le pregunto la fecha y el lugar de nacimiento y le pido que firme para comparar la firma.",
            "An impostor. I compare the ears, nose and eyes with the photo, ask the date and place of birth and have them sign to compare the signature.",
        ),
        weak=("Falsificación; lo miro con la lámpara.", "A counterfeit; I look at it under the lamp."),
    ),
    # Examination with ultraviolet light and magnifier
    one(
        "examination",
        (
            "¿Qué hace el papel común bajo la luz ultravioleta?",
            "What does ordinary paper do under ultraviolet light?",
        ),
        [
            ("Brilla intensamente", "It glows brightly"),
            ("No cambia", "It does not change"),
            ("Se vuelve transparente", "It turns transparent"),
            ("Se oscurece por completo", "It turns completely dark"),
        ],
        0,
        (
            "El papel común contiene blanqueadores ópticos que brillan; el papel de seguridad no.",
            "Ordinary paper contains optical brighteners that glow; security paper does not.",
        ),
    ),
    one(
        "examination",
        ("¿Con qué revisa la impresión del documento?", "What do you check the document's printing with?"),
        [
            ("Con una lupa de 10 aumentos", "A 10x magnifier"),
            ("A simple vista", "The naked eye"),
            ("Con la linterna del teléfono", "The phone's flashlight"),
            ("Con el lector de la zona de lectura mecánica", "The machine readable zone reader"),
        ],
        0,
        (
            "La lupa de 10 aumentos muestra si la impresión es de seguridad (líneas finas continuas) o de impresora (puntos).",
            "The 10x magnifier shows whether the printing is security printing (fine continuous lines) or from a printer (dots).",
        ),
    ),
    one(
        "examination",
        (
            "¿Cuál es el primer paso del examen en segunda línea?",
            "What is the first step of the second-line examination?",
        ),
        [
            (
                "Comparar la fotografía con el rostro de la persona",
                "Compare the photograph with the person's face",
            ),
            ("Iluminar todas las páginas con luz ultravioleta", "Light every page with ultraviolet light"),
            ("Anotar los hallazgos en el formulario", "Write down the findings on the form"),
            ("Devolver el documento", "Hand the document back"),
        ],
        0,
        (
            "El procedimiento empieza por la persona: un documento auténtico puede llevarlo un impostor.",
            "The procedure starts with the person: a genuine document can be carried by an impostor.",
        ),
    ),
    true_false(
        "examination",
        (
            "El papel de seguridad no brilla bajo la luz ultravioleta.",
            "Security paper does not glow under ultraviolet light.",
        ),
        True,
        (
            "Carece de blanqueadores ópticos; es la referencia del examen.",
            "It has no optical brighteners; it is the examination's reference.",
        ),
    ),
    many(
        "examination",
        ("¿Qué incluye el examen en segunda línea?", "What does the second-line examination include?"),
        [
            ("Examinar el documento a contraluz", "Examining the document against the light", True),
            ("Iluminar cada página con luz ultravioleta", "Lighting every page with ultraviolet light", True),
            ("Revisar la impresión con lupa", "Checking the printing with a magnifier", True),
            ("Anotar cada hallazgo en el formulario", "Writing down every finding on the form", True),
            (
                "Devolver el documento al viajero entre un paso y otro",
                "Handing the document back to the traveller between steps",
                False,
            ),
        ],
        (
            "Son los pasos del procedimiento; el documento no se devuelve hasta terminar.",
            "These are the procedure's steps; the document is not handed back until the end.",
        ),
        partial=True,
    ),
    one(
        "examination",
        (
            "¿Por qué se anota cada hallazgo en el formulario?",
            "Why is every finding written down on the form?",
        ),
        [
            (
                "Para que pueda revisarse y sirva como prueba si hay proceso",
                "So that it can be reviewed and serve as evidence if there is a prosecution",
            ),
            ("Para llenar el tiempo de espera", "To fill the waiting time"),
            ("Porque el viajero lo pide", "Because the traveller asks for it"),
            ("No hace falta anotarlos", "There is no need to write them down"),
        ],
        0,
        (
            "Lo que no está escrito no puede revisarse ni presentarse ante el fiscal.",
            "What is not written down cannot be reviewed or put before the prosecutor.",
        ),
    ),
    written(
        "examination",
        (
            "Describa en orden los pasos del examen en segunda línea de un pasaporte.",
            "Describe in order the steps of the second-line examination of a passport.",
        ),
        (
            "Comparar la foto con el rostro, examinar a contraluz, iluminar cada página con luz ultravioleta, revisar la impresión con lupa de 10 aumentos y anotar cada hallazgo.",
            "Compare the photo with the face, examine against the light, light every page with ultraviolet light, check the printing with a 10x magnifier and write down every finding.",
        ),
        good=(
            "Primero comparo la foto con la cara; luego miro el documento a contraluz, paso la luz ultravioleta por todas las páginas, reviso la impresión con la lupa de 10x y anoto todo en el formulario.",
            "First I compare the photo with the face; then I look at the document against the light, pass the ultraviolet light over every page, check the printing with the 10x magnifier and write everything down on the form.",
        ),
        weak=("Lo reviso con la lámpara y lo devuelvo.", "I check it with the lamp and hand it back."),
    ),
]

# --- VEH-120 Vehicle and cargo search --------------------------------------------------------------

VEH_120 = [
    # Officer safety during a search
    one(
        "safety",
        ("Antes de acercarse al vehículo, usted:", "Before approaching the vehicle, you:"),
        [
            (
                "Ordena apagar el motor y retirar las llaves",
                "Order the engine switched off and the keys removed",
            ),
            ("Abre el maletero", "Open the boot"),
            ("Pide el manifiesto de carga", "Ask for the cargo manifest"),
            ("Se coloca detrás del vehículo", "Stand behind the vehicle"),
        ],
        0,
        (
            "Con el motor apagado y sin llaves, el vehículo no puede arrancar contra el oficial.",
            "With the engine off and the keys out, the vehicle cannot be driven at the officer.",
        ),
    ),
    one(
        "safety",
        ("En un registro con dos oficiales, el segundo:", "In a search by two officers, the second officer:"),
        [
            ("Vigila a los ocupantes", "Watches the occupants"),
            ("Registra el otro lado del vehículo", "Searches the other side of the vehicle"),
            ("Llena el formulario en la patrulla", "Fills in the form in the patrol car"),
            ("Dirige el tránsito", "Directs the traffic"),
        ],
        0,
        (
            "Un oficial registra y el otro vigila a los ocupantes.",
            "One officer searches and the other watches the occupants.",
        ),
    ),
    true_false(
        "safety",
        (
            "Puede darle la espalda a los ocupantes si el vehículo es pequeño.",
            "You may turn your back on the occupants if the vehicle is small.",
        ),
        False,
        (
            "Nunca se le da la espalda a los ocupantes de un vehículo, sea cual sea su tamaño.",
            "Never turn your back on a vehicle's occupants, whatever its size.",
        ),
    ),
    many(
        "safety",
        ("¿Qué equipo lleva para un registro?", "Which equipment do you bring to a search?"),
        [
            ("Guantes anticorte", "Cut-resistant gloves", True),
            ("Linterna", "A flashlight", True),
            ("Espejo de inspección", "An inspection mirror", True),
            ("Formulario de registro", "The search form", True),
            (
                "Su teléfono personal para grabar a los ocupantes",
                "Your personal phone to film the occupants",
                False,
            ),
        ],
        (
            "Es la lista del módulo; las fotografías se toman con el equipo oficial para el informe.",
            "That is the module's list; photographs are taken with official equipment for the report.",
        ),
        partial=False,
    ),
    one(
        "safety",
        ("¿Por qué se usan guantes anticorte?", "Why are cut-resistant gloves worn?"),
        [
            (
                "Para protegerse de agujas, hojas y bordes cortantes ocultos",
                "To protect against hidden needles, blades and sharp edges",
            ),
            ("Para no ensuciar el vehículo", "To keep the vehicle clean"),
            ("Porque forman parte del uniforme de gala", "Because they are part of the dress uniform"),
            ("Para no dejar huellas en el volante", "To leave no prints on the steering wheel"),
        ],
        0,
        (
            "Las manos entran en espacios que no se ven: los guantes anticorte protegen de lo que hay dentro.",
            "Hands go into spaces you cannot see: cut-resistant gloves protect against what is inside.",
        ),
    ),
    true_false(
        "safety",
        (
            "Durante el registro, los ocupantes deben permanecer donde el oficial que vigila pueda verlos.",
            "During the search, the occupants must stay where the watching officer can see them.",
        ),
        True,
        (
            "Así el oficial que registra puede concentrarse sin perder la seguridad.",
            "That way the searching officer can concentrate without giving up safety.",
        ),
    ),
    written(
        "safety",
        (
            "Explique cómo se reparten el trabajo dos oficiales durante el registro de un vehículo y por qué.",
            "Explain how two officers share the work during a vehicle search, and why.",
        ),
        (
            "Uno registra y el otro vigila a los ocupantes sin perderlos de vista; así el que registra se concentra y ambos están protegidos de una agresión o una fuga.",
            "One searches and the other watches the occupants without losing sight of them; that way the searcher can concentrate and both are protected from an attack or an escape.",
        ),
        good=(
            "Uno hace el registro y el otro vigila todo el tiempo a los ocupantes, para que no ataquen ni huyan mientras el primero está concentrado en el vehículo.",
            "One does the search and the other watches the occupants all the time, so they do not attack or run while the first one is busy with the vehicle.",
        ),
        weak=("Los dos registran para terminar antes.", "Both search so they finish sooner."),
    ),
    # Hidden compartments in vehicles
    many(
        "compartments",
        ("¿Qué señales indican un compartimiento oculto?", "Which signs point to a hidden compartment?"),
        [
            ("Tornillos con marcas de herramienta", "Screws with tool marks", True),
            ("Soldaduras recientes", "Fresh welds", True),
            ("Alfombras pegadas", "Glued carpets", True),
            ("Un tanque de combustible que suena hueco", "A fuel tank that sounds hollow", True),
            ("Barro en las llantas", "Mud on the tyres", False),
        ],
        (
            "Son señales de modificación; el barro solo dice por dónde pasó el vehículo.",
            "These are signs of modification; mud only says where the vehicle has been.",
        ),
        partial=True,
    ),
    one(
        "compartments",
        (
            "La plataforma de un pick-up vacío está 10 cm más alta de lo normal. ¿Qué hace?",
            "An empty pick-up's bed is 10 cm higher than normal. What do you do?",
        ),
        [
            (
                "Mido la altura por fuera y la profundidad por dentro, y las comparo",
                "Measure the height outside and the depth inside, and compare them",
            ),
            ("Lo dejo pasar: está vacío", "Let it through: it is empty"),
            ("Registro solo la cabina", "Search only the cab"),
            ("Pido al conductor que lo explique por escrito", "Ask the driver to explain it in writing"),
        ],
        0,
        (
            "La diferencia entre medidas exteriores e interiores revela el doble fondo; en el caso del módulo había 40 kg de cocaína.",
            "The difference between outside and inside measurements reveals the false floor; in the module's case it held 40 kg of cocaine.",
        ),
    ),
    one(
        "compartments",
        (
            "¿Cuál es el primer paso del registro de un vehículo?",
            "What is the first step of a vehicle search?",
        ),
        [
            ("Rodear el exterior y comparar ambos lados", "Walk round the outside and compare both sides"),
            ("Registrar el interior", "Search the inside"),
            ("Golpear el tanque", "Knock on the tank"),
            ("Tomar las fotografías", "Take the photographs"),
        ],
        0,
        (
            "Comparar ambos lados muestra asimetrías que orientan el resto del registro.",
            "Comparing both sides shows asymmetries that guide the rest of the search.",
        ),
    ),
    one(
        "compartments",
        ("¿Con qué examina el piso del vehículo?", "What do you examine the vehicle's floor with?"),
        [
            ("Con el espejo de inspección", "The inspection mirror"),
            ("Con luz ultravioleta", "Ultraviolet light"),
            ("Con una lupa", "A magnifier"),
            ("No se examina", "It is not examined"),
        ],
        0,
        (
            "El espejo permite ver los bajos sin meterse debajo del vehículo.",
            "The mirror lets you see underneath without getting under the vehicle.",
        ),
    ),
    true_false(
        "compartments",
        (
            "Golpear el tanque de combustible puede revelar un compartimiento: suena distinto.",
            "Knocking on the fuel tank can reveal a compartment: it sounds different.",
        ),
        True,
        (
            "Un tanque con compartimiento suena hueco donde debería haber combustible.",
            "A tank with a compartment sounds hollow where there should be fuel.",
        ),
    ),
    one(
        "compartments",
        ("¿Cuál es el último paso del procedimiento?", "What is the last step of the procedure?"),
        [
            ("Documentar con fotografías", "Document with photographs"),
            ("Rodear el exterior", "Walk round the outside"),
            ("Examinar el piso con el espejo", "Examine the floor with the mirror"),
            ("Devolver las llaves", "Hand the keys back"),
        ],
        0,
        (
            "Las fotografías documentan el hallazgo y el estado del vehículo.",
            "The photographs document the finding and the state of the vehicle.",
        ),
    ),
    true_false(
        "compartments",
        (
            "El interior del vehículo se registra de atrás hacia adelante.",
            "The inside of the vehicle is searched from back to front.",
        ),
        False,
        (
            "Se registra de adelante hacia atrás, de forma sistemática, para no dejar zonas sin revisar.",
            "It is searched from front to back, systematically, so that no area is left unchecked.",
        ),
    ),
    # Containers and cargo manifests
    one(
        "containers",
        ("¿Qué justifica abrir un contenedor?", "What justifies opening a container?"),
        [
            (
                "Una diferencia entre el peso declarado y el pesado",
                "A difference between the declared and the weighed weight",
            ),
            ("Que venga de lejos", "That it comes from far away"),
            ("Que sea rojo", "That it is red"),
            ("Que el conductor esté cansado", "That the driver is tired"),
        ],
        0,
        (
            "La diferencia de peso es un indicador objetivo que puede documentarse.",
            "A weight difference is an objective indicator you can document.",
        ),
    ),
    one(
        "containers",
        ("El conocimiento de embarque es:", "The bill of lading is:"),
        [
            (
                "El documento que emite el transportista marítimo: contrato de transporte y título de las mercancías",
                "The document a sea carrier issues: the contract of carriage and a title to the goods",
            ),
            ("El recibo de los impuestos pagados en aduana", "The receipt for the duties paid at customs"),
            ("La licencia del conductor", "The driver's licence"),
            ("El permiso de circulación del camión", "The lorry's registration"),
        ],
        0,
        ("Es la definición del glosario del módulo.", "That is the module's glossary definition."),
    ),
    true_false(
        "containers",
        (
            "Un precinto manipulado es razón objetiva para abrir un contenedor.",
            "A tampered seal is an objective reason to open a container.",
        ),
        True,
        (
            "Como la diferencia de peso, es un hecho verificable y documentable.",
            "Like a weight difference, it is a fact you can verify and document.",
        ),
    ),
    many(
        "containers",
        (
            "¿Qué describen el manifiesto y el conocimiento de embarque?",
            "What do the manifest and the bill of lading describe?",
        ),
        [
            ("La carga", "The cargo", True),
            ("Su peso", "Its weight", True),
            ("Su origen", "Its origin", True),
            ("Los antecedentes penales del conductor", "The driver's criminal record", False),
        ],
        (
            "Describen la carga, su peso y su origen; comparar el papel con la carga es el método del módulo.",
            "They describe the cargo, its weight and its origin; comparing paper and cargo is the module's method.",
        ),
        partial=True,
    ),
    one(
        "containers",
        ("¿Por qué conviene basarse en indicadores objetivos?", "Why rely on objective indicators?"),
        [
            (
                "Porque pueden documentarse y justifican la decisión",
                "Because they can be documented and justify the decision",
            ),
            ("Porque son más rápidos de inventar", "Because they are quicker to make up"),
            ("Porque el importador los prefiere", "Because the importer prefers them"),
            ("No conviene", "It is not worth it"),
        ],
        0,
        (
            "Abrir un contenedor tiene costos; la decisión debe poder explicarse ante el importador y el juez.",
            "Opening a container has costs; the decision must be explainable to the importer and to a judge.",
        ),
    ),
    written(
        "containers",
        (
            "El peso declarado de un contenedor es 12 000 kg y la báscula marca 14 300 kg. ¿Qué hace y qué anota?",
            "A container's declared weight is 12,000 kg and the scale shows 14,300 kg. What do you do and what do you record?",
        ),
        (
            "La diferencia de 2 300 kg justifica la inspección: se revisa el precinto, se compara con el manifiesto y el conocimiento de embarque, se abre y se inspecciona, y se anotan pesos, número de precinto y hallazgos, con fotografías.",
            "The 2,300 kg difference justifies an inspection: check the seal, compare with the manifest and the bill of lading, open and inspect, and record the weights, the seal number and the findings, with photographs.",
        ),
        good=(
            "Hay 2 300 kg de más: reviso el precinto, comparo con el manifiesto y el conocimiento de embarque, abro el contenedor y anoto los dos pesos, el número de precinto y lo encontrado, con fotos.",
            "There are 2,300 kg too many: I check the seal, compare with the manifest and the bill of lading, open the container and record both weights, the seal number and what I find, with photos.",
        ),
        weak=("Lo dejo pasar; la báscula puede fallar.", "I let it through; the scale may be wrong."),
    ),
]

# --- EVD-130 Evidence handling and chain of custody -------------------------------------------------

EVD_130 = [
    # Principles of the chain of custody
    one(
        "custody",
        ("¿Qué es la cadena de custodia?", "What is the chain of custody?"),
        [
            (
                "El registro continuo de la recolección, el traslado, el almacenamiento y el análisis de un indicio",
                "The continuous record of the collection, transport, storage and analysis of an item of evidence",
            ),
            ("La lista de sospechosos de un caso", "The list of suspects in a case"),
            ("El inventario anual de la bodega de evidencias", "The evidence room's annual inventory"),
            ("La orden de un juez para registrar un lugar", "A judge's order to search a place"),
        ],
        0,
        ("Es la definición del glosario del curso.", "That is the course glossary's definition."),
    ),
    one(
        "custody",
        ("¿Quién firma el registro de cadena de custodia?", "Who signs the chain-of-custody record?"),
        [
            (
                "Cada persona que recibe o entrega el indicio",
                "Everyone who receives or hands over the evidence",
            ),
            ("Solo el investigador del caso", "Only the case investigator"),
            ("Solo el juez", "Only the judge"),
            ("Nadie: basta con el sello", "Nobody: the seal is enough"),
        ],
        0,
        (
            "Cada eslabón firma: así se sabe quién tuvo el indicio en todo momento.",
            "Every link signs: that way it is known who had the evidence at every moment.",
        ),
    ),
    many(
        "custody",
        (
            "¿Qué anota quien recibe o entrega un indicio?",
            "What does whoever receives or hands over evidence write down?",
        ),
        [
            ("La fecha", "The date", True),
            ("La hora", "The time", True),
            ("El motivo del traslado", "The reason for the handover", True),
            (
                "Su opinión sobre la culpabilidad del sospechoso",
                "Their opinion of the suspect's guilt",
                False,
            ),
        ],
        (
            "Fecha, hora y motivo, con la firma; las opiniones no forman parte del registro.",
            "Date, time and reason, with the signature; opinions are no part of the record.",
        ),
        partial=True,
    ),
    true_false(
        "custody",
        (
            "Sin una cadena de custodia documentada, la defensa puede impugnar la prueba.",
            "Without a documented chain of custody, the defence can challenge the evidence.",
        ),
        True,
        (
            "Los códigos procesales de la región exigen documentarla.",
            "The region's procedural codes require it to be documented.",
        ),
    ),
    true_false(
        "custody",
        (
            "Si el indicio no sale de la misma unidad policial, no hace falta registrar los traslados.",
            "If the evidence stays within the same police unit, handovers need not be recorded.",
        ),
        False,
        (
            "Todo traslado se registra, también dentro de la misma unidad: cada persona es un eslabón.",
            "Every handover is recorded, within the same unit too: each person is a link.",
        ),
    ),
    one(
        "custody",
        (
            "En el registro faltan seis horas entre la recolección y la entrega al laboratorio. ¿Qué consecuencia puede tener?",
            "Six hours are missing in the record between collection and delivery to the laboratory. What can follow?",
        ),
        [
            (
                "La defensa puede sostener que el indicio pudo alterarse o cambiarse",
                "The defence can argue that the evidence may have been altered or swapped",
            ),
            ("Ninguna, si el sello parece intacto", "None, if the seal looks intact"),
            ("Ninguna: el laboratorio corrige el registro", "None: the laboratory corrects the record"),
            ("Que el caso pase a otra fiscalía", "That the case goes to another prosecutor's office"),
        ],
        0,
        (
            "Un eslabón sin registro es justamente lo que la defensa busca.",
            "A link without a record is exactly what the defence looks for.",
        ),
    ),
    one(
        "custody",
        (
            "¿Qué norma exige documentar la cadena de custodia?",
            "Which rules require the chain of custody to be documented?",
        ),
        [
            ("Los códigos procesales penales de la región", "The region's codes of criminal procedure"),
            ("Solo los reglamentos internos de cada unidad", "Only each unit's internal regulations"),
            ("Ninguna: es una buena práctica", "None: it is good practice"),
            ("Las normas de la OACI", "ICAO standards"),
        ],
        0,
        (
            "Es una exigencia procesal, no solo una buena práctica.",
            "It is a procedural requirement, not just good practice.",
        ),
    ),
    written(
        "custody",
        (
            "¿Qué es un «eslabón roto» en la cadena de custodia y qué puede causar en juicio?",
            "What is a “broken link” in the chain of custody and what can it cause at trial?",
        ),
        (
            "Un periodo o un traslado sin registrar (quién, cuándo, por qué). La defensa puede sostener que el indicio se alteró o sustituyó y el tribunal puede excluirlo o darle menos valor.",
            "A period or a handover that was not recorded (who, when, why). The defence can argue the evidence was altered or replaced, and the court may exclude it or give it less weight.",
        ),
        good=(
            "Es un momento en que nadie registró quién tenía el indicio. En juicio la defensa dirá que pudo cambiarse y el juez puede no aceptarlo como prueba.",
            "It is a moment when nobody recorded who had the evidence. At trial the defence will say it could have been swapped and the judge may not accept it as evidence.",
        ),
        weak=("Cuando se rompe la bolsa.", "When the bag breaks."),
    ),
    # Collection and packaging
    one(
        "packaging",
        ("¿En qué se embalan los indicios húmedos?", "What are wet items packaged in?"),
        [
            ("En bolsas de papel", "Paper bags"),
            ("En bolsas plásticas", "Plastic bags"),
            ("En frascos herméticos", "Airtight jars"),
            ("Sin embalaje", "No packaging"),
        ],
        0,
        (
            "El papel deja respirar el indicio; el plástico guarda la humedad y el moho lo degrada.",
            "Paper lets the item breathe; plastic keeps the moisture in and mould degrades it.",
        ),
    ),
    one(
        "packaging",
        (
            "¿Qué hace primero al encontrar un indicio?",
            "What do you do first when you find an item of evidence?",
        ),
        [
            ("Fotografiarlo donde se encontró", "Photograph it where it was found"),
            ("Embalarlo", "Package it"),
            ("Sellarlo", "Seal it"),
            ("Llevarlo a la patrulla", "Take it to the patrol car"),
        ],
        0,
        (
            "La fotografía fija la posición original antes de tocar nada.",
            "The photograph records the original position before anything is touched.",
        ),
    ),
    true_false(
        "packaging",
        (
            "Puede usar el mismo par de guantes para todos los indicios de una escena si se ven limpios.",
            "You may use the same pair of gloves for every item at a scene if they look clean.",
        ),
        False,
        (
            "Guantes nuevos para cada indicio: lo que no se ve también contamina.",
            "New gloves for each item: what you cannot see contaminates too.",
        ),
    ),
    many(
        "packaging",
        ("¿Qué se hace con cada embalaje?", "What is done with each package?"),
        [
            ("Sellarlo", "Seal it", True),
            ("Firmarlo", "Sign it", True),
            ("Escribir el número de caso", "Write the case number", True),
            (
                "Escribir el nombre del sospechoso como culpable",
                "Write the suspect's name as the culprit",
                False,
            ),
        ],
        (
            "Sellar, firmar y escribir el número de caso; el embalaje no juzga a nadie.",
            "Seal, sign and write the case number; the package judges nobody.",
        ),
        partial=False,
    ),
    many(
        "packaging",
        ("¿Qué lleva el maletín de evidencias?", "What goes in the evidence kit?"),
        [
            ("Guantes", "Gloves", True),
            ("Bolsas de papel y de plástico", "Paper and plastic bags", True),
            ("Cinta de sellado", "Sealing tape", True),
            ("Marcador permanente", "A permanent marker", True),
            ("Ambientador", "Air freshener", False),
        ],
        ("Es la lista del módulo.", "That is the module's checklist."),
        partial=True,
    ),
    one(
        "packaging",
        ("¿En qué se embalan los indicios secos?", "What are dry items packaged in?"),
        [
            ("En bolsas plásticas", "Plastic bags"),
            ("En bolsas de papel mojadas", "Wet paper bags"),
            ("En el bolsillo del uniforme", "The uniform's pocket"),
            ("En cualquier caja disponible", "Any box at hand"),
        ],
        0,
        ("Húmedos en papel, secos en plástico.", "Wet items in paper, dry items in plastic."),
    ),
    one(
        "packaging",
        ("¿Cuál es el último paso de la recolección?", "What is the last step of collection?"),
        [
            ("Registrar la entrega en la cadena de custodia", "Record the handover in the chain of custody"),
            ("Fotografiar el indicio", "Photograph the item"),
            ("Cambiarse los guantes", "Change gloves"),
            ("Informar a la prensa", "Inform the press"),
        ],
        0,
        (
            "Con la entrega registrada, el indicio entra en la cadena de custodia.",
            "With the handover recorded, the item enters the chain of custody.",
        ),
    ),
    # Digital evidence
    one(
        "digital",
        (
            "¿Qué hace con un teléfono incautado que está encendido?",
            "What do you do with a seized phone that is switched on?",
        ),
        [
            (
                "Lo aíslo de la red y lo entrego al laboratorio",
                "Isolate it from the network and hand it to the laboratory",
            ),
            ("Leo los mensajes", "Read the messages"),
            ("Lo apago para ahorrar batería", "Switch it off to save battery"),
            ("Se lo devuelvo al dueño", "Give it back to its owner"),
        ],
        0,
        (
            "Aislarlo impide el borrado remoto; no explorarlo preserva la prueba.",
            "Isolating it prevents remote wiping; not exploring it preserves the evidence.",
        ),
    ),
    one(
        "digital",
        ("¿Para qué sirve una bolsa Faraday?", "What is a Faraday bag for?"),
        [
            (
                "Bloquea las señales de radio: el teléfono no puede conectarse",
                "It blocks radio signals: the phone cannot connect",
            ),
            ("Carga la batería", "It charges the battery"),
            ("Cifra los datos", "It encrypts the data"),
            ("Protege el teléfono de golpes", "It protects the phone from knocks"),
        ],
        0,
        (
            "Sin conexión, nadie puede borrar ni modificar el contenido a distancia.",
            "Without a connection, nobody can wipe or change the content remotely.",
        ),
    ),
    true_false(
        "digital",
        (
            "Revisar un teléfono incautado «solo para mirar» no cambia sus datos.",
            "Looking through a seized phone “just to see” does not change its data.",
        ),
        False,
        (
            "Cada toque cambia datos: registros, fechas de acceso, notificaciones.",
            "Every touch changes data: logs, access dates, notifications.",
        ),
    ),
    true_false(
        "digital",
        (
            "El dispositivo se deja como se encontró: no se enciende ni se apaga.",
            "The device is left as it was found: it is neither switched on nor off.",
        ),
        True,
        (
            "Encender o apagar puede activar bloqueos o cifrado y perder datos en memoria.",
            "Switching it on or off can trigger locks or encryption and lose data held in memory.",
        ),
    ),
    many(
        "digital",
        ("¿Qué anota al incautar un dispositivo?", "What do you record when seizing a device?"),
        [
            ("Si estaba encendido o apagado", "Whether it was on or off", True),
            ("Dónde y cómo se encontró", "Where and how it was found", True),
            ("Marca, modelo e IMEI o número de serie", "Make, model and IMEI or serial number", True),
            ("El PIN que adivinó probando códigos", "The PIN you guessed by trying codes", False),
        ],
        (
            "Se registra su estado e identificación; probar códigos altera el dispositivo y puede bloquearlo.",
            "Its state and identity are recorded; trying codes alters the device and may lock it.",
        ),
        partial=True,
    ),
    one(
        "digital",
        (
            "¿Por qué se aísla de la red un teléfono incautado?",
            "Why is a seized phone isolated from the network?",
        ),
        [
            ("Para impedir que se borre a distancia", "To prevent it being wiped remotely"),
            ("Para ahorrar batería", "To save battery"),
            ("Para que el dueño no pueda llamar", "So the owner cannot call"),
            ("Para poder leer los mensajes tranquilo", "To read the messages in peace"),
        ],
        0,
        ("El riesgo principal es el borrado remoto.", "The main risk is remote wiping."),
    ),
    written(
        "digital",
        (
            "En una escena encuentra una computadora portátil encendida. ¿Qué hace y qué evita?",
            "At a scene you find a laptop that is switched on. What do you do and what do you avoid?",
        ),
        (
            "Fotografiar la pantalla y el estado, no explorarla ni apagarla, aislarla de la red según las instrucciones del laboratorio, anotar su estado y entregarla registrando la cadena de custodia.",
            "Photograph the screen and its state, neither explore nor shut it down, isolate it from the network as the laboratory instructs, record its state and hand it over recording the chain of custody.",
        ),
        good=(
            "Fotografío la pantalla, no toco nada ni la apago, la desconecto de la red como indica el laboratorio, anoto cómo estaba y la entrego con su cadena de custodia.",
            "I photograph the screen, touch nothing and do not shut it down, take it off the network as the laboratory says, write down how it was and hand it over with its chain of custody.",
        ),
        weak=("La apago y me la llevo.", "I switch it off and take it."),
    ),
]

# --- TIP-201 Trafficking in persons investigations -------------------------------------------------

TIP_201 = [
    # Legal framework: the Palermo Protocol
    one(
        "legal",
        (
            "¿Qué elemento distingue la trata de personas del tráfico ilícito de migrantes?",
            "Which element sets trafficking in persons apart from migrant smuggling?",
        ),
        [
            ("El fin de explotación", "The purpose of exploitation"),
            ("Cruzar una frontera", "Crossing a border"),
            ("Pagar dinero", "Paying money"),
            ("Viajar con documentos falsos", "Travelling on false documents"),
        ],
        0,
        (
            "La trata exige un fin de explotación y puede ocurrir sin cruzar fronteras.",
            "Trafficking requires a purpose of exploitation; it can happen without crossing borders.",
        ),
    ),
    many(
        "legal",
        (
            "¿Cuáles son los elementos de la trata según el artículo 3 del Protocolo de Palermo?",
            "What are the elements of trafficking under article 3 of the Palermo Protocol?",
        ),
        [
            (
                "La acción: captar, transportar, trasladar, acoger o recibir personas",
                "The act: recruiting, transporting, transferring, harbouring or receiving persons",
                True,
            ),
            (
                "Los medios: amenaza, fuerza, engaño o abuso",
                "The means: threat, force, deception or abuse",
                True,
            ),
            ("El fin de explotación", "The purpose of exploitation", True),
            ("Cruzar una frontera internacional", "Crossing an international border", False),
        ],
        (
            "Acción, medios y fin; el cruce de fronteras no es un elemento de la trata.",
            "Act, means and purpose; crossing a border is not an element of trafficking.",
        ),
        partial=True,
    ),
    true_false(
        "legal",
        (
            "La trata puede ocurrir sin cruzar ninguna frontera.",
            "Trafficking can happen without crossing any border.",
        ),
        True,
        (
            "La trata interna existe y es frecuente en la región.",
            "Internal trafficking exists and is common in the region.",
        ),
    ),
    true_false(
        "legal",
        (
            "El tráfico ilícito de migrantes es un delito contra la persona y la trata un delito contra el Estado.",
            "Migrant smuggling is a crime against the person and trafficking a crime against the State.",
        ),
        False,
        (
            "Es al revés: el tráfico es un delito contra el Estado; la trata, contra la persona.",
            "It is the other way round: smuggling is a crime against the State; trafficking, against the person.",
        ),
    ),
    one(
        "legal",
        ("¿Qué instrumento define la trata de personas?", "Which instrument defines trafficking in persons?"),
        [
            (
                "El Protocolo de Palermo (Naciones Unidas, 2000)",
                "The Palermo Protocol (United Nations, 2000)",
            ),
            (
                "La Convención de Viena sobre relaciones consulares",
                "The Vienna Convention on Consular Relations",
            ),
            ("El Convenio de Chicago", "The Chicago Convention"),
            ("El Documento 9303 de la OACI", "ICAO Document 9303"),
        ],
        0,
        (
            "El Protocolo para prevenir, reprimir y sancionar la trata de personas complementa la Convención de Palermo.",
            "The Protocol to Prevent, Suppress and Punish Trafficking in Persons supplements the Palermo Convention.",
        ),
    ),
    one(
        "legal",
        (
            "Una persona pagó a un coyote para cruzar, llegó a su destino y es libre de irse. ¿Qué delito hay?",
            "A person paid a smuggler to cross, reached their destination and is free to leave. Which crime is it?",
        ),
        [
            ("Tráfico ilícito de migrantes", "Migrant smuggling"),
            ("Trata de personas", "Trafficking in persons"),
            ("Ninguno", "None"),
            ("Lavado de dinero", "Money laundering"),
        ],
        0,
        (
            "No hay fin de explotación: la relación terminó al cruzar. Si después la explotan, pasa a ser trata.",
            "There is no purpose of exploitation: the relationship ended at the crossing. If they are exploited afterwards, it becomes trafficking.",
        ),
    ),
    one(
        "legal",
        ("¿Cuál de estos es un «medio» de la trata?", "Which of these is a “means” of trafficking?"),
        [
            ("El engaño", "Deception"),
            ("El trabajo ofrecido", "The job offered"),
            ("El país de destino", "The destination country"),
            ("El medio de transporte", "The means of transport"),
        ],
        0,
        (
            "Los medios son la amenaza, la fuerza, el engaño o el abuso; el trabajo y el destino son circunstancias.",
            "The means are threat, force, deception or abuse; the job and the destination are circumstances.",
        ),
    ),
    written(
        "legal",
        (
            "Explique la diferencia entre trata de personas y tráfico ilícito de migrantes.",
            "Explain the difference between trafficking in persons and migrant smuggling.",
        ),
        (
            "La trata busca explotar a la persona (con acción y medios), es un delito contra la persona y no exige cruzar fronteras; el tráfico es ayudar a entrar ilegalmente a cambio de un beneficio, es un delito contra el Estado y termina con el cruce.",
            "Trafficking aims to exploit the person (through an act and means), is a crime against the person and needs no border crossing; smuggling is helping someone enter illegally for a benefit, is a crime against the State and ends with the crossing.",
        ),
        good=(
            "En la trata el fin es explotar a la víctima, con engaño o fuerza, y puede ser dentro del país; es un delito contra la persona. El tráfico es cobrar por hacer entrar a alguien ilegalmente; es contra el Estado y termina al cruzar.",
            "In trafficking the purpose is to exploit the victim, through deception or force, and it can happen within the country; it is a crime against the person. Smuggling is charging to bring someone in illegally; it is against the State and ends at the crossing.",
        ),
        weak=("La trata es más grave.", "Trafficking is more serious."),
    ),
    # Indicators of trafficking
    many(
        "indicators",
        ("¿Cuáles son indicadores frecuentes de trata?", "Which are common indicators of trafficking?"),
        [
            ("Otra persona guarda sus documentos", "Someone else keeps their documents", True),
            ("No sabe dónde vive o trabaja", "They do not know where they live or work", True),
            ("Tiene una deuda que no puede pagar", "They owe a debt they cannot pay", True),
            ("Teme a las autoridades", "They are afraid of the authorities", True),
            (
                "Viaja con boleto de regreso pagado por ella misma",
                "They travel on a return ticket they paid for themselves",
                False,
            ),
        ],
        (
            "Son los indicadores de la lista del módulo.",
            "These are the indicators in the module's checklist.",
        ),
        partial=True,
    ),
    true_false(
        "indicators",
        ("Muchas víctimas no se reconocen como víctimas.", "Many victims do not see themselves as victims."),
        True,
        (
            "Por eso los indicadores se buscan en el contexto, no en lo que la víctima dice.",
            "That is why the indicators are sought in the context, not in what the victim says.",
        ),
    ),
    one(
        "indicators",
        (
            "Tres mujeres viajan con una oferta de trabajo como meseras; el reclutador lleva sus pasaportes. ¿A quién remite el caso?",
            "Three women travel with an offer of work as waitresses; the recruiter carries their passports. Whom do you refer the case to?",
        ),
        [
            ("A la fiscalía especializada", "The specialised prosecutor"),
            ("A migración, para deportarlas", "Migration, to deport them"),
            ("Al consulado del reclutador", "The recruiter's consulate"),
            ("A nadie: tienen oferta de trabajo", "Nobody: they have a job offer"),
        ],
        0,
        (
            "En el caso del módulo, la fiscalía especializada abrió la investigación y las mujeres fueron atendidas en un albergue.",
            "In the module's case, the specialised prosecutor opened an investigation and the women were cared for in a shelter.",
        ),
    ),
    one(
        "indicators",
        ("¿Dónde se ven los indicadores de trata?", "Where do the indicators of trafficking show?"),
        [
            (
                "En el contexto: quién guarda los documentos, quién habla por quién, quién paga",
                "In the context: who holds the documents, who speaks for whom, who pays",
            ),
            ("Solo en la declaración de la víctima", "Only in the victim's statement"),
            ("En la nacionalidad de las personas", "In the people's nationality"),
            ("En el tipo de equipaje", "In the type of luggage"),
        ],
        0,
        ("Es el texto del módulo «Observe el contexto».", "That is the module's text “Watch the context”."),
    ),
    true_false(
        "indicators",
        (
            "Si la persona dice que aceptó, no puede tratarse de trata.",
            "If the person says they agreed, it cannot be trafficking.",
        ),
        False,
        (
            "Cuando se usaron medios como el engaño o el abuso, el consentimiento de la víctima no cuenta (art. 3 b).",
            "When means such as deception or abuse were used, the victim's consent is irrelevant (art. 3 b).",
        ),
    ),
    one(
        "indicators",
        (
            "Una persona responde siempre por todo el grupo. Eso indica:",
            "One person always answers for the whole group. That suggests:",
        ),
        [
            ("Control sobre los demás", "Control over the others"),
            ("Cortesía", "Courtesy"),
            ("Que los demás no hablan el idioma, nada más", "Only that the others do not speak the language"),
            ("Que es el guía turístico", "That they are the tour guide"),
        ],
        0,
        (
            "Quien habla por los demás puede estar controlándolos; se entrevista a cada uno por separado.",
            "Someone who speaks for the others may be controlling them; interview each one separately.",
        ),
    ),
    many(
        "indicators",
        (
            "¿Cuáles son indicadores de control sobre una persona?",
            "Which are indicators that a person is controlled?",
        ),
        [
            ("Otra persona habla por ella", "Someone else speaks for them", True),
            ("Otra persona paga todo por ella", "Someone else pays for everything", True),
            ("Elige dónde alojarse", "They choose where to stay", False),
            ("Lleva su propio pasaporte", "They carry their own passport", False),
        ],
        (
            "Hablar y pagar por otro son formas de control; elegir el alojamiento y llevar el propio pasaporte indican libertad.",
            "Speaking and paying for someone are forms of control; choosing one's lodging and carrying one's own passport show freedom.",
        ),
        partial=False,
    ),
    one(
        "indicators",
        (
            "Identifica a una posible víctima en el puesto. ¿Qué es lo primero?",
            "You identify a possible victim at the post. What comes first?",
        ),
        [
            (
                "Su seguridad, separándola de quien parece controlarla",
                "Their safety, separating them from whoever seems to control them",
            ),
            ("Obtener una confesión del tratante", "Getting a confession from the trafficker"),
            ("Deportarla", "Deporting them"),
            ("Tomar su declaración delante del grupo", "Taking their statement in front of the group"),
        ],
        0,
        (
            "La víctima primero: seguridad antes que investigación.",
            "The victim first: safety before the investigation.",
        ),
    ),
    # Victim-centred interviewing
    one(
        "interview",
        ("¿Dónde se entrevista a una víctima?", "Where is a victim interviewed?"),
        [
            ("En un lugar seguro", "Somewhere safe"),
            ("En la sala de detenidos", "In the holding cell"),
            ("En el puesto, delante de los demás viajeros", "At the post, in front of the other travellers"),
            ("Donde diga el reclutador", "Wherever the recruiter says"),
        ],
        0,
        (
            "Seguridad, confianza y no revictimización: la entrevista se hace en un lugar seguro.",
            "Safety, trust and no revictimisation: the interview takes place somewhere safe.",
        ),
    ),
    true_false(
        "interview",
        (
            "A la víctima se la trata como sospechosa hasta que se demuestre lo contrario.",
            "The victim is treated as a suspect until proven otherwise.",
        ),
        False,
        ("La víctima no es sospechosa.", "The victim is not a suspect."),
    ),
    one(
        "interview",
        ("¿Cómo se evita la revictimización?", "How is revictimisation avoided?"),
        [
            (
                "Coordinando una sola entrevista entre instituciones",
                "By coordinating a single interview between institutions",
            ),
            (
                "Con una entrevista distinta en cada institución",
                "With a separate interview at each institution",
            ),
            (
                "Pidiéndole que escriba su historia varias veces",
                "By asking them to write their story several times",
            ),
            ("Confrontándola con el tratante", "By confronting them with the trafficker"),
        ],
        0,
        (
            "Repetir la historia ante varias instituciones revictimiza; se coordina una sola entrevista.",
            "Repeating the story to several institutions revictimises; a single interview is coordinated.",
        ),
    ),
    many(
        "interview",
        ("¿Qué incluye la preparación de la entrevista?", "What does preparing the interview include?"),
        [
            (
                "Asegurar que la víctima está físicamente a salvo",
                "Making sure the victim is physically safe",
                True,
            ),
            ("Ofrecer intérprete y atención médica", "Offering an interpreter and medical care", True),
            ("Explicar quién es usted y qué va a pasar", "Explaining who you are and what will happen", True),
            (
                "Coordinar con el albergue y la fiscalía",
                "Coordinating with the shelter and the prosecutor",
                True,
            ),
            (
                "Prometer un permiso de residencia a cambio de su declaración",
                "Promising a residence permit in exchange for their statement",
                False,
            ),
        ],
        (
            "Son los pasos del procedimiento; prometer beneficios que no dependen del oficial compromete a la víctima y al caso.",
            "These are the procedure's steps; promising benefits the officer cannot grant compromises the victim and the case.",
        ),
        partial=True,
    ),
    one(
        "interview",
        ("La víctima solo habla q'eqchi'. ¿Qué hace?", "The victim only speaks Q'eqchi'. What do you do?"),
        [
            ("Consigo un intérprete", "Get an interpreter"),
            ("Le pido a otro miembro del grupo que traduzca", "Ask another member of the group to translate"),
            ("Sigo en español despacio", "Carry on slowly in Spanish"),
            ("Suspendo la entrevista para siempre", "Call off the interview for good"),
        ],
        0,
        (
            "Se ofrece intérprete; alguien del grupo puede ser parte de la red que la controla.",
            "An interpreter is offered; someone from the group may belong to the network controlling them.",
        ),
    ),
    true_false(
        "interview",
        (
            "Durante la entrevista debe haber apoyo psicosocial disponible.",
            "Psychosocial support should be available during the interview.",
        ),
        True,
        ("Es parte del enfoque centrado en la víctima.", "It is part of the victim-centred approach."),
    ),
    one(
        "interview",
        ("¿Cómo se pregunta?", "How do you ask?"),
        [
            ("Con calma y sin juzgar", "Calmly and without judging"),
            ("Presionando para encontrar contradicciones", "Pressing to find contradictions"),
            ("Rápido, para terminar pronto", "Quickly, to finish soon"),
            ("Con preguntas que sugieran la respuesta", "With questions that suggest the answer"),
        ],
        0,
        ("Es el cuarto paso del procedimiento.", "That is the fourth step of the procedure."),
    ),
    written(
        "interview",
        (
            "Nombre tres medidas que evitan la revictimización durante una investigación.",
            "Name three measures that prevent revictimisation during an investigation.",
        ),
        (
            "Por ejemplo: una sola entrevista coordinada; un lugar seguro con intérprete y apoyo psicosocial; tratarla como víctima y no como sospechosa; coordinar con el albergue y la fiscalía.",
            "For example: a single coordinated interview; a safe place with an interpreter and psychosocial support; treating them as a victim, not a suspect; coordinating with the shelter and the prosecutor.",
        ),
        good=(
            "Hacer una sola entrevista coordinada con la fiscalía, en un lugar seguro con intérprete y apoyo psicosocial, y no tratarla como sospechosa.",
            "Holding a single interview coordinated with the prosecutor, somewhere safe with an interpreter and psychosocial support, and not treating them as a suspect.",
        ),
        weak=("Tratarla bien.", "Treating them well."),
    ),
]

# --- FIN-210 Financial investigations and money laundering -----------------------------------------

FIN_210 = [
    # Stages of money laundering
    one(
        "stages",
        (
            "¿En qué etapa entra el efectivo ilícito al sistema financiero?",
            "At which stage does illicit cash enter the financial system?",
        ),
        [
            ("Colocación", "Placement"),
            ("Estratificación", "Layering"),
            ("Integración", "Integration"),
            ("Ninguna", "None"),
        ],
        0,
        (
            "La colocación es la entrada del efectivo: depósitos fraccionados, casas de cambio, negocios con mucho efectivo.",
            "Placement is the cash going in: split deposits, exchange houses, cash-heavy businesses.",
        ),
    ),
    one(
        "stages",
        ("La estratificación es:", "Layering is:"),
        [
            (
                "Una serie de operaciones que alejan el dinero de su origen ilícito",
                "A series of transactions that distance the money from its illicit origin",
            ),
            ("El depósito del efectivo en un banco", "Depositing the cash in a bank"),
            ("La compra final de bienes de lujo", "The final purchase of luxury goods"),
            ("El conteo del dinero incautado", "Counting the seized money"),
        ],
        0,
        (
            "Transferencias, empresas fachada, compras y ventas: cada paso hace más difícil seguir el rastro.",
            "Transfers, front companies, purchases and sales: each step makes the trail harder to follow.",
        ),
    ),
    one(
        "stages",
        ("¿Qué ocurre en la integración?", "What happens in integration?"),
        [
            (
                "El dinero vuelve como patrimonio de apariencia legal: inmuebles, empresas, inversiones",
                "The money comes back as apparently legal wealth: property, businesses, investments",
            ),
            ("El efectivo se fracciona en depósitos pequeños", "The cash is split into small deposits"),
            ("El dinero se transfiere entre muchas cuentas", "The money is moved between many accounts"),
            ("El dinero se declara en la frontera", "The money is declared at the border"),
        ],
        0,
        ("Es la última etapa: de efectivo a patrimonio.", "It is the last stage: from cash to wealth."),
    ),
    true_false(
        "stages",
        (
            "Fraccionar depósitos por debajo del umbral de reporte es una técnica de colocación.",
            "Splitting deposits below the reporting threshold is a placement technique.",
        ),
        True,
        (
            "El fraccionamiento («pitufeo») busca que el efectivo entre al sistema sin generar reportes.",
            "Structuring (“smurfing”) tries to get cash into the system without triggering reports.",
        ),
    ),
    many(
        "stages",
        ("¿Cuáles son ejemplos de colocación?", "Which are examples of placement?"),
        [
            ("Depósitos fraccionados", "Split deposits", True),
            ("Cambio de divisas en casas de cambio", "Exchanging currency at exchange houses", True),
            (
                "Mezclar el efectivo con las ventas de un negocio",
                "Mixing the cash with a business's takings",
                True,
            ),
            (
                "Comprar una casa con un préstamo que paga una empresa fachada",
                "Buying a house with a loan repaid by a front company",
                False,
            ),
        ],
        (
            "Las tres primeras meten el efectivo al sistema; la compra de la casa es integración.",
            "The first three put cash into the system; buying the house is integration.",
        ),
        partial=True,
    ),
    true_false(
        "stages",
        (
            "El lavado de dinero solo ocurre a través de bancos.",
            "Money laundering only happens through banks.",
        ),
        False,
        (
            "También por casas de cambio, negocios, bienes raíces, vehículos y contrabando de efectivo.",
            "Also through exchange houses, businesses, real estate, vehicles and cash smuggling.",
        ),
    ),
    written(
        "stages",
        (
            "Describa las tres etapas del lavado de dinero con un ejemplo de cada una.",
            "Describe the three stages of money laundering with an example of each.",
        ),
        (
            "Colocación: el efectivo entra al sistema (depósitos fraccionados). Estratificación: operaciones que alejan el dinero de su origen (transferencias entre empresas fachada). Integración: vuelve como patrimonio legal (compra de inmuebles).",
            "Placement: the cash enters the system (split deposits). Layering: transactions that distance the money from its origin (transfers between front companies). Integration: it comes back as legal wealth (buying property).",
        ),
        good=(
            "Colocación, cuando se deposita el efectivo en montos pequeños; estratificación, cuando se mueve entre cuentas de empresas fachada; integración, cuando se compra una finca o un negocio con ese dinero.",
            "Placement, when the cash is deposited in small amounts; layering, when it is moved between front companies' accounts; integration, when a farm or a business is bought with that money.",
        ),
        weak=("Depositar, guardar y gastar.", "Deposit, keep and spend."),
    ),
    # Follow the money: sources of information
    one(
        "sources",
        ("¿Cuáles son fuentes abiertas?", "Which are open sources?"),
        [
            (
                "Los registros de la propiedad, mercantil y de vehículos",
                "The property, company and vehicle registers",
            ),
            ("Los estados de cuenta bancarios", "Bank statements"),
            ("Los reportes de operaciones sospechosas", "Suspicious transaction reports"),
            ("Las escuchas telefónicas", "Phone intercepts"),
        ],
        0,
        (
            "Los registros públicos son abiertos; la información bancaria y los reportes no.",
            "Public registers are open; banking information and reports are not.",
        ),
    ),
    one(
        "sources",
        ("¿Cómo se obtiene la información bancaria?", "How is banking information obtained?"),
        [
            (
                "Con orden judicial o a través de la unidad de inteligencia financiera",
                "With a court order or through the financial intelligence unit",
            ),
            ("Preguntando informalmente al gerente del banco", "By asking the bank manager informally"),
            ("En las redes sociales del sospechoso", "From the suspect's social networks"),
            ("Pidiéndosela al sospechoso", "By asking the suspect for it"),
        ],
        0,
        (
            "Es información protegida: solo por las vías legales.",
            "It is protected information: only through legal channels.",
        ),
    ),
    many(
        "sources",
        (
            "¿Qué necesita antes de solicitar información bancaria?",
            "What do you need before requesting banking information?",
        ),
        [
            (
                "El número de caso y el delito investigado",
                "The case number and the offence under investigation",
                True,
            ),
            ("Las personas y cuentas identificadas", "The people and accounts identified", True),
            ("Un periodo de tiempo preciso", "A precise period of time", True),
            ("La autorización judicial o fiscal", "Judicial or prosecutorial authorisation", True),
            ("El consentimiento del sospechoso", "The suspect's consent", False),
        ],
        (
            "Es la lista del módulo; el consentimiento del sospechoso no se pide ni hace falta.",
            "That is the module's checklist; the suspect's consent is neither asked for nor needed.",
        ),
        partial=False,
    ),
    true_false(
        "sources",
        (
            "Los bancos reportan las operaciones sospechosas a la unidad de inteligencia financiera.",
            "Banks report suspicious transactions to the financial intelligence unit.",
        ),
        True,
        ("Así lo explica el módulo.", "As the module explains."),
    ),
    one(
        "sources",
        (
            "¿Con quién comparte sus análisis la unidad de inteligencia financiera?",
            "Whom does the financial intelligence unit share its analysis with?",
        ),
        [
            (
                "Con la fiscalía, según lo permita la ley de cada país",
                "Prosecutors, as each country's law allows",
            ),
            ("Con la prensa", "The press"),
            ("Con el sospechoso", "The suspect"),
            ("Con cualquier policía que lo pida", "Any police officer who asks"),
        ],
        0,
        (
            "La información financiera es reservada; se comparte con la fiscalía por los cauces legales.",
            "Financial information is confidential; it is shared with prosecutors through legal channels.",
        ),
    ),
    true_false(
        "sources",
        (
            "Puede solicitar «todas las cuentas de todos los vecinos del pueblo» para buscar algo.",
            "You may request “all the accounts of everyone in town” to look for something.",
        ),
        False,
        (
            "La solicitud se limita a personas, cuentas y un periodo precisos, ligados a un caso.",
            "A request is limited to precise people, accounts and period, tied to a case.",
        ),
    ),
    one(
        "sources",
        (
            "¿Dónde averigua quiénes son los socios de una empresa?",
            "Where do you find out who owns a company?",
        ),
        [
            ("En el registro mercantil", "The company register"),
            ("En el registro de vehículos", "The vehicle register"),
            ("En el registro civil de nacimientos", "The civil register of births"),
            ("En la guía telefónica", "The phone book"),
        ],
        0,
        (
            "El registro mercantil es una fuente abierta con socios, representantes y capital.",
            "The company register is an open source with partners, officers and capital.",
        ),
    ),
    # Cash smuggling at borders
    one(
        "cash",
        (
            "¿Qué muestra el dinero escondido en el forro de una maleta?",
            "What does money hidden in a suitcase lining show?",
        ),
        [
            ("Intención de ocultarlo", "An intention to conceal it"),
            ("Un descuido", "Forgetfulness"),
            ("Una práctica bancaria normal", "Normal banking practice"),
            ("Que el viajero es comerciante", "That the traveller is a trader"),
        ],
        0,
        (
            "Esconder el dinero muestra intención de eludir el control y justifica una investigación.",
            "Hiding the money shows an intention to evade control and justifies an investigation.",
        ),
    ),
    one(
        "cash",
        ("¿Cómo se cuenta el dinero hallado?", "How is the money found counted?"),
        [
            ("Delante del viajero y de un testigo", "In front of the traveller and a witness"),
            ("A solas en la oficina", "Alone in the office"),
            ("Al día siguiente en el banco", "The next day at the bank"),
            ("No se cuenta: se pesa", "It is not counted: it is weighed"),
        ],
        0,
        (
            "Contar delante de testigos protege al oficial y a la prueba.",
            "Counting before witnesses protects the officer and the evidence.",
        ),
    ),
    many(
        "cash",
        ("¿Qué incluye el informe del hallazgo?", "What goes in the report of the find?"),
        [
            ("Los montos por denominación", "The amounts by denomination", True),
            (
                "Fotografías de los billetes y del escondite",
                "Photographs of the notes and the hiding place",
                True,
            ),
            ("Lo que declaró el viajero", "What the traveller declared", True),
            ("Un cálculo aproximado, «mucho dinero»", "A rough estimate, “a lot of money”", False),
        ],
        (
            "El informe es preciso: montos por denominación, fotografías y la declaración frente a lo hallado.",
            "The report is precise: amounts by denomination, photographs and the declaration against what was found.",
        ),
        partial=True,
    ),
    one(
        "cash",
        ("¿A quién informa del hallazgo?", "Whom do you inform of the find?"),
        [
            (
                "A la fiscalía y a la unidad de inteligencia financiera",
                "The prosecutor and the financial intelligence unit",
            ),
            ("Solo a la aerolínea", "Only the airline"),
            ("A nadie, si el viajero paga una multa", "Nobody, if the traveller pays a fine"),
            ("Al banco del viajero", "The traveller's bank"),
        ],
        0,
        (
            "En el caso del módulo, la unidad de inteligencia financiera vinculó el dinero con una red de narcotráfico.",
            "In the module's case, the financial intelligence unit linked the money to a drug-trafficking network.",
        ),
    ),
    true_false(
        "cash",
        (
            "Declarar en la frontera una suma grande de efectivo es, en sí mismo, un delito.",
            "Declaring a large sum of cash at the border is itself a crime.",
        ),
        False,
        (
            "La obligación es declarar; lo que se sanciona es no declarar o declarar falsamente.",
            "The duty is to declare; what is punished is not declaring or declaring falsely.",
        ),
    ),
    written(
        "cash",
        (
            "Un viajero declara 2 000 dólares; el escáner muestra bloques compactos en el forro de la maleta. Enumere lo que hace.",
            "A traveller declares 2,000 dollars; the scanner shows compact blocks in the suitcase lining. List what you do.",
        ),
        (
            "Registrar la maleta, contar el dinero delante del viajero y de un testigo, fotografiar billetes y escondite, redactar el informe con montos por denominación e informar a la fiscalía y a la unidad de inteligencia financiera.",
            "Search the suitcase, count the money in front of the traveller and a witness, photograph the notes and the hiding place, write the report with amounts by denomination and inform the prosecutor and the financial intelligence unit.",
        ),
        good=(
            "Abro el forro, cuento el dinero delante del viajero y un testigo, fotografío los billetes y el escondite, hago el informe por denominación y aviso a la fiscalía y a la UIF.",
            "I open the lining, count the money in front of the traveller and a witness, photograph the notes and the hiding place, write the report by denomination and tell the prosecutor and the FIU.",
        ),
        weak=("Le pregunto de dónde sacó el dinero.", "I ask where the money came from."),
    ),
]


# --- the exams ---------------------------------------------------------------------------------------

EXAMS = {
    "BSI-101": {
        "title": ("Examen final: interdicción fronteriza", "Final exam: border interdiction"),
        "topics": {
            "principles": ("Principios", "Principles"),
            "risk": ("Selección por riesgo", "Selecting by risk"),
            "interview": ("Entrevista en primera línea", "First-line interview"),
        },
        # 15 of 24: four of each topic, the other three from the rest of the pool.
        "questions_per_attempt": 15,
        "per_topic": {"principles": 4, "risk": 4, "interview": 4},
        "pass_mark_percent": 70,
        "time_limit_minutes": 30,
        "max_attempts": 2,
        "min_delay_minutes": 60,
        "review_policy": Policy.ANSWERS_WITH_EXPLANATIONS,
        "review_timing": Timing.IMMEDIATELY,
        "questions": BSI_101,
    },
    "DOC-110": {
        "title": ("Examen de detección de documentos fraudulentos", "Fraudulent document detection exam"),
        "topics": {
            "features": ("Medidas de seguridad", "Security features"),
            "fraud": ("Tipos de fraude", "Types of fraud"),
            "examination": ("Examen en segunda línea", "Second-line examination"),
        },
        "questions_per_attempt": None,  # every question, shuffled
        "per_topic": {},
        "pass_mark_percent": 75,
        "time_limit_minutes": 40,
        "max_attempts": 3,
        "min_delay_minutes": 24 * 60,
        "review_policy": Policy.ANSWERS,
        "review_timing": Timing.AFTER_SESSION_CLOSES,
        "questions": DOC_110,
    },
    "VEH-120": {
        "title": ("Examen de registro de vehículos y carga", "Vehicle and cargo search exam"),
        "topics": {
            "safety": ("Seguridad del oficial", "Officer safety"),
            "compartments": ("Compartimientos ocultos", "Hidden compartments"),
            "containers": ("Contenedores y manifiestos", "Containers and manifests"),
        },
        "questions_per_attempt": None,
        "per_topic": {},
        "pass_mark_percent": 70,
        "time_limit_minutes": 25,
        "max_attempts": 1,
        "min_delay_minutes": 0,
        "review_policy": Policy.SCORE_ONLY,
        "review_timing": Timing.IMMEDIATELY,
        "questions": VEH_120,
    },
    "EVD-130": {
        "title": ("Evaluación: manejo de evidencias", "Assessment: evidence handling"),
        "topics": {
            "custody": ("Cadena de custodia", "Chain of custody"),
            "packaging": ("Recolección y embalaje", "Collection and packaging"),
            "digital": ("Evidencia digital", "Digital evidence"),
        },
        "questions_per_attempt": 15,  # 15 of 22 at random
        "per_topic": {},
        "pass_mark_percent": 70,
        "time_limit_minutes": 30,
        "max_attempts": 3,
        "min_delay_minutes": 30,
        "review_policy": Policy.ANSWERS_WITH_EXPLANATIONS,
        "review_timing": Timing.IMMEDIATELY,
        "questions": EVD_130,
    },
    "TIP-201": {
        "title": (
            "Examen final: investigación de la trata de personas",
            "Final exam: trafficking in persons investigations",
        ),
        "topics": {
            "legal": ("Marco legal", "Legal framework"),
            "indicators": ("Indicadores", "Indicators"),
            "interview": ("Entrevista centrada en la víctima", "Victim-centred interviewing"),
        },
        "questions_per_attempt": 16,
        "per_topic": {"legal": 5, "indicators": 5, "interview": 5},
        "pass_mark_percent": 80,
        "time_limit_minutes": 35,
        "max_attempts": 2,
        "min_delay_minutes": 24 * 60,
        "review_policy": Policy.ANSWERS,
        "review_timing": Timing.AFTER_SESSION_CLOSES,
        "questions": TIP_201,
    },
    "FIN-210": {
        "title": ("Examen de investigaciones financieras", "Financial investigations exam"),
        "topics": {
            "stages": ("Etapas del lavado", "Stages of laundering"),
            "sources": ("Fuentes de información", "Sources of information"),
            "cash": ("Contrabando de efectivo", "Cash smuggling"),
        },
        "questions_per_attempt": None,
        "per_topic": {},
        "pass_mark_percent": 70,
        "time_limit_minutes": 30,
        "max_attempts": 2,
        "min_delay_minutes": 120,
        "review_policy": Policy.SCORE_ONLY,
        "review_timing": Timing.IMMEDIATELY,
        "questions": FIN_210,
    },
}
