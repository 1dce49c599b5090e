"""The demo world: the CARSI countries and their agencies. Data only; seed_demo writes it."""

# code, name_es, name_en, time zone
COUNTRIES = [
    ("BZ", "Belice", "Belize", "America/Belize"),
    ("CR", "Costa Rica", "Costa Rica", "America/Costa_Rica"),
    ("SV", "El Salvador", "El Salvador", "America/El_Salvador"),
    ("GT", "Guatemala", "Guatemala", "America/Guatemala"),
    ("HN", "Honduras", "Honduras", "America/Tegucigalpa"),
    ("NI", "Nicaragua", "Nicaragua", "America/Managua"),
    ("PA", "Panamá", "Panama", "America/Panama"),
]

# How each country writes its national ID: name, pattern (groups are the parts), separator of
# the canonical form, example.
NATIONAL_IDS = {
    "BZ": ("SSN", r"(\d{6,9})", "", "000123456"),
    "CR": ("Cédula", r"(\d)[ -]?(\d{4})[ -]?(\d{4})", "-", "1-0234-0567"),
    "SV": ("DUI", r"(\d{8})[ -]?(\d)", "-", "01234567-8"),
    "GT": ("DPI", r"(\d{4})[ -]?(\d{5})[ -]?(\d{4})", " ", "2547 81234 0101"),
    "HN": ("DNI", r"(\d{4})[ -]?(\d{4})[ -]?(\d{5})", "-", "0801-1990-12345"),
    "NI": ("Cédula", r"(\d{3})[ -]?(\d{6})[ -]?(\d{4}[A-Z])", "-", "001-010190-0001A"),
    "PA": ("Cédula", r"(\d{1,2}|PE|E|N|\d{1,2}AV|\d{1,2}PI)[ -](\d{1,4})[ -](\d{1,6})", "-", "8-765-4321"),
}

# country code -> [(acronym, kind, name_es, name_en)]
AGENCIES = {
    "BZ": [
        ("BPD", "police", "Departamento de Policía de Belice", "Belize Police Department"),
        ("CED", "customs", "Departamento de Aduanas e Impuestos", "Customs and Excise Department"),
        (
            "INS",
            "migration",
            "Departamento de Inmigración y Nacionalidad",
            "Immigration and Nationality Department",
        ),
        ("BCG", "navy", "Guardacostas de Belice", "Belize Coast Guard"),
    ],
    "CR": [
        ("FP", "police", "Fuerza Pública", "Public Force"),
        ("SNA", "customs", "Servicio Nacional de Aduanas", "National Customs Service"),
        ("DGME", "migration", "Dirección General de Migración y Extranjería", "Directorate of Migration"),
        ("SNG", "navy", "Servicio Nacional de Guardacostas", "National Coast Guard Service"),
    ],
    "SV": [
        ("PNC", "police", "Policía Nacional Civil", "National Civil Police"),
        ("DGA", "customs", "Dirección General de Aduanas", "Directorate General of Customs"),
        ("DGME", "migration", "Dirección General de Migración y Extranjería", "Directorate of Migration"),
        ("FNES", "navy", "Fuerza Naval de El Salvador", "Salvadoran Navy"),
    ],
    "GT": [
        ("PNC", "police", "Policía Nacional Civil", "National Civil Police"),
        ("SAT", "customs", "Intendencia de Aduanas (SAT)", "Customs Administration (SAT)"),
        ("IGM", "migration", "Instituto Guatemalteco de Migración", "Guatemalan Migration Institute"),
        ("MDN", "navy", "Marina de la Defensa Nacional", "Guatemalan Navy"),
    ],
    "HN": [
        ("PN", "police", "Policía Nacional", "National Police"),
        ("ADUANAS", "customs", "Administración Aduanera de Honduras", "Honduran Customs Administration"),
        ("INM", "migration", "Instituto Nacional de Migración", "National Migration Institute"),
        ("FNH", "navy", "Fuerza Naval de Honduras", "Honduran Navy"),
    ],
    "NI": [
        ("PN", "police", "Policía Nacional", "National Police"),
        ("DGA", "customs", "Dirección General de Servicios Aduaneros", "Directorate of Customs Services"),
        ("DGME", "migration", "Dirección General de Migración y Extranjería", "Directorate of Migration"),
        ("FN", "navy", "Fuerza Naval", "Nicaraguan Navy"),
    ],
    "PA": [
        ("PN", "police", "Policía Nacional", "National Police"),
        ("ANA", "customs", "Autoridad Nacional de Aduanas", "National Customs Authority"),
        ("SNM", "migration", "Servicio Nacional de Migración", "National Migration Service"),
        ("SENAN", "navy", "Servicio Nacional Aeronaval", "National Aeronaval Service"),
    ],
}

# Officers with a login: (country, agency acronym, given names, first surname, second surname,
# sex, national ID, badge)
TRAINEE_ACCOUNTS = [
    ("GT", "PNC", "María José", "Pérez", "Gómez", "F", "2547 81234 0101", "PNC-10432"),
    ("HN", "PN", "José Ángel", "Núñez", "O'Connor", "M", "0801-1990-12345", "PN-2231"),
    ("PA", "SENAN", "Ana Lucía", "Castillo-Ríos", "", "F", "8-765-4321", "SENAN-0781"),
]

# Units per agency kind.
UNITS = {
    "police": ["Unidad de Fronteras", "Aeropuerto Internacional", "División de Investigación Criminal"],
    "customs": ["Aduana Marítima", "Aduana Terrestre", "Unidad de Análisis de Riesgo"],
    "migration": ["Control Migratorio Aeroportuario", "Puestos Fronterizos", "Verificación de Documentos"],
    "navy": ["Guardacostas del Pacífico", "Guardacostas del Caribe", "Inteligencia Naval"],
}

RANKS = {
    "police": ["Agente", "Subinspector", "Inspector", "Comisario"],
    "customs": ["Oficial Aduanero", "Verificador", "Supervisor", "Jefe de Sección"],
    "migration": ["Delegado", "Inspector Migratorio", "Supervisor", "Jefe de Puesto"],
    "navy": ["Marinero", "Cabo", "Sargento", "Teniente de Fragata"],
}

GIVEN_NAMES_F = [
    "María José",
    "Ana Lucía",
    "Karla",
    "Sofía",
    "Dulce María",
    "Rocío",
    "Iris Yolanda",
    "Mayra",
    "Lesly",
    "Wendy Carolina",
    "Itzel",
    "Xiomara",
    "Ángela",
    "Fátima",
    "Nohemí",
]
GIVEN_NAMES_M = [
    "José Ángel",
    "Juan Carlos",
    "Luis Fernando",
    "Óscar",
    "Marvin",
    "Edwin Rolando",
    "Nelson",
    "Walter",
    "Héctor Manuel",
    "Kevin",
    "Elmer",
    "Francisco Javier",
    "Iván",
    "Rubén Darío",
    "Noé",
]
SURNAMES = [
    "Pérez",
    "López",
    "García",
    "Hernández",
    "Martínez",
    "Rodríguez",
    "González",
    "Ramírez",
    "Castillo",
    "Morales",
    "Flores",
    "Núñez",
    "Zúñiga",
    "Aguilar",
    "Orellana",
    "Sandoval",
    "Mejía",
    "Quiñónez",
    "Peña",
    "Chávez",
    "Cruz",
    "Ordóñez",
    "Villatoro",
    "Ávila",
    "Solórzano",
    "Muñoz",
    "Cáceres",
    "De León",
    "Barrios",
    "Ixcot",
    "Tzul",
    "Yat",
    "Cal",
    "Coc",
    "O'Neill",
    "Castro-Ruiz",
]

OFFICERS_PER_AGENCY = 30
