"""The catalogue: filters, and full-text search over courses and modules in both languages,
accents ignored. Runs on SQLite (FTS5) and on PostgreSQL (its full-text search)."""

import pytest

pytestmark = pytest.mark.django_db


def codes(response) -> list[str]:
    return [course.code for course in response.context["courses"]]


def modules(response) -> list[str]:
    return [module.title for module in response.context["module_hits"]]


def test_search_ignores_accents_in_both_directions_and_stays_in_the_visitors_language(client, demo):
    # Spanish content says "migración"; the query leaves the accent out, or shouts it.
    assert "BSI-101" in codes(client.get("/es/cursos/", {"q": "migracion"}))
    assert "BSI-101" in codes(client.get("/es/cursos/", {"q": "MIGRACIÓN"}))
    # Content without the accent found by a query with one ("tráfico ilícito" in the text).
    response = client.get("/es/cursos/", {"q": "trafico ilicito"})
    assert codes(response) == ["TIP-201"]
    assert "Marco legal: el Protocolo de Palermo" in modules(response)
    # ñ folds too: "señales" in the vehicle course.
    assert "VEH-120" in codes(client.get("/es/cursos/", {"q": "senales"}))

    english = client.get("/en/courses/", {"q": "laundering"})
    assert codes(english) == ["FIN-210"]
    assert all(c.locale.language_code == "en" for c in english.context["courses"])
    assert codes(client.get("/es/cursos/", {"q": "laundering"})) == []  # not in the Spanish text


def test_search_finds_modules_and_their_course(client, demo):
    response = client.get("/en/courses/", {"q": "Faraday"})
    assert modules(response) == ["Digital evidence"]
    assert codes(response) == ["EVD-130"]
    html = response.content.decode()
    assert "Digital evidence" in html and "EVD-130" in html

    response = client.get("/es/cursos/", {"q": "faraday"})
    assert modules(response) == ["Evidencia digital"]


def test_a_search_with_no_match_says_so(client, demo):
    response = client.get("/en/courses/", {"q": "zzzyzx"})
    assert codes(response) == []
    assert "No course matches these filters." in response.content.decode()


def test_filters(client, demo):
    everything = codes(client.get("/en/courses/"))
    assert sorted(everything) == ["BSI-101", "DOC-110", "EVD-130", "FIN-210", "TIP-201", "VEH-120"]
    assert codes(client.get("/en/courses/", {"track": "investigations"})) == ["EVD-130", "FIN-210", "TIP-201"]
    assert codes(client.get("/en/courses/", {"level": "advanced"})) == ["FIN-210", "TIP-201"]
    assert codes(client.get("/es/cursos/", {"language": "bilingual"})) == ["BSI-101", "EVD-130"]
    assert codes(client.get("/es/cursos/", {"mode": "in_person"})) == [
        "DOC-110",
        "EVD-130",
        "TIP-201",
        "VEH-120",
    ]
    combined = client.get("/es/cursos/", {"track": "border-security", "mode": "blended", "q": "contenedor"})
    assert codes(combined) == ["VEH-120"]
    # An unknown filter value is ignored, not an error.
    response = client.get("/es/cursos/", {"level": "expert"})
    assert response.status_code == 200
    assert sorted(codes(response)) == sorted(everything)


def test_the_catalogue_lists_programs_and_course_facts(client, demo):
    html = client.get("/en/courses/").content.decode()
    assert "Border interdiction specialist program" in html
    assert "Border security" in html  # the track in English
    html = client.get("/es/cursos/").content.decode()
    assert "Programa de especialista en interdicción fronteriza" in html
    assert "Seguridad fronteriza" in html
