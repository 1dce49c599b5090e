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
