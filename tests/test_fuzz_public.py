"""The public surfaces, fuzzed: whatever anyone sends to the verification page, form and API, the
login form or the password reset (any Unicode, NULs, 10,000 characters, percent-encoding, odd
headers), the answer is never a server error, and the API answers JSON.

Property-based (hypothesis). Runs in both legs: on PostgreSQL a NUL that reached a query would
be a 500. Each example starts with an empty cache, so the rate limits (30 a minute per address)
do not hide what happens behind them; a 429 is still an acceptable answer.
"""

import json
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certification import services as registry
from certification.models import Certificate
from certification.services_certificates import certificate_issue, verification_code_display

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LONG = 10_000

# Text of every kind: any code point (NUL and other controls included), the awkward ones more
# often, very long strings, and text that is already percent-encoded (valid or not).
awkward = st.sampled_from(
    ["\x00", "%00", "%", "%zz", "%C0%AF", "%ff", "\ufeff", "\u202e", "\ud7ff", "\U0001f46e", "ñ", "/", "\\"]
)
any_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(awkward, st.text(max_size=8)), max_size=12).map("".join),
    st.builds(lambda piece, n: (piece * n)[:LONG], st.text(min_size=1, max_size=3), st.just(LONG)),
    st.text(max_size=60).map(lambda text: quote(text, safe="")),
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_ACCEPT_LANGUAGE": st.one_of(any_text, st.sampled_from(["en", "es-GT,es;q=0.9", "*;q=x"])),
        "HTTP_ACCEPT": st.one_of(any_text, st.just("application/json")),
        "HTTP_X_REQUESTED_WITH": st.just("XMLHttpRequest"),
    },
)


def header_safe(value: str) -> str:
    # A WSGI server hands headers over as latin-1 text without line breaks or NULs.
    return value.encode("latin-1", "replace").decode("latin-1").translate({0: None, 10: None, 13: None})


def sent_headers(extra: dict) -> dict:
    return {name: header_safe(value) for name, value in extra.items()}


def segment(text: str) -> str:
    """Any text as one path segment ("/" and all included, percent-encoded)."""
    return quote(text, safe="") or "%20"


@pytest.fixture
def code(world):
    """A real certificate's code, so that some fuzzed inputs find it."""
    credential = registry.credential_upsert(
        code="fuzz", name_es="Verificación", name_en="Verification", validity_months=12
    )
    certificate = certificate_issue(
        trainee=world.trainee_a,
        credential=credential,
        award_key="fuzz:1",
        source=Certificate.Source.COURSE,
        evidence={"trainee_name": world.trainee_a.full_name},
    )
    return certificate.verification_code


def typed_variants(code: str):
    """The real code as a person might type it: hyphens, spaces, case, junk around it."""
    return st.builds(
        lambda shown, lower, pad_left, pad_right: pad_left + (shown.lower() if lower else shown) + pad_right,
        st.sampled_from([code, verification_code_display(code), " ".join(code)]),
        st.booleans(),
        st.sampled_from(["", " ", "\t", "\x00", "-"]),
        st.sampled_from(["", " ", "\n", "\x00", "-", "Z"]),
    )


def fresh() -> Client:
    cache.clear()  # rate-limit counters
    return Client()


def assert_no_server_error(response):
    assert response.status_code < 500, response.content[:500]


# --- verification -------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_verification_form_never_fails(code, data):
    typed = data.draw(st.one_of(any_text, typed_variants(code)), label="code")
    extra = data.draw(headers, label="headers")
    client = fresh()
    response = client.get("/es/verify/", {"code": typed}, **sent_headers(extra))
    assert_no_server_error(response)
    assert response.status_code in (200, 302, 400, 429)
    # Its form is GET only: a POST is refused, not a crash.
    assert_no_server_error(client.post("/es/verify/", {"code": typed}))


@FUZZ
@given(data=st.data())
def test_the_verification_page_never_fails(code, data):
    typed = data.draw(st.one_of(any_text, typed_variants(code)), label="code")
    extra = data.draw(headers, label="headers")
    client = fresh()
    for prefix in ("/es/verify/", "/en/verify/", "/verify/"):  # the QR's link has no language
        response = client.get(f"{prefix}{segment(typed)}/", **sent_headers(extra))
        assert_no_server_error(response)
        # 400: a redirect to the language's page that would be absurdly long.
        assert response.status_code in (200, 301, 302, 400, 404, 429)


@FUZZ
@given(data=st.data())
def test_the_verification_api_never_fails_and_answers_json(code, data):
    typed = data.draw(st.one_of(any_text, typed_variants(code)), label="code")
    extra = data.draw(headers, label="headers")
    response = fresh().get(f"/api/v1/verify/{segment(typed)}/", **sent_headers(extra))
    assert_no_server_error(response)
    if typed and "/" not in typed:  # the URL names the API's view: its own answers, in JSON
        assert response.status_code in (200, 404, 429)
        assert response["Content-Type"].startswith("application/json")
        body = json.loads(response.content)
        assert body.get("status") in {"valid", "expired", "suspended", "revoked", "superseded", "unknown"} | {
            "rate_limited"
        }


def test_a_real_code_is_found_however_it_is_typed(code, client):
    # The generator above reaches the success path too; checked once here, plainly.
    assert (
        client.get(f"/api/v1/verify/{verification_code_display(code).lower()}/").json()["status"] == "valid"
    )


# --- login and password reset ---------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_the_login_form_never_fails(world, data):
    login = data.draw(st.one_of(any_text, st.just(world.officer_user_a.email)), label="login")
    password = data.draw(st.one_of(any_text, st.just(world.password)), label="password")
    next_url = data.draw(st.one_of(st.none(), any_text, st.just("https://example.org/")), label="next")
    extra = data.draw(headers, label="headers")
    client = fresh()
    query = "" if next_url is None else f"?next={quote(next_url, safe='')}"
    page = client.get(f"/es/accounts/login/{query}", **sent_headers(extra))
    assert_no_server_error(page)
    form = {"login": login, "password": password, "remember": data.draw(any_text, label="remember")}
    if next_url is not None:
        form["next"] = next_url
    response = client.post(f"/es/accounts/login/{query}", form, **sent_headers(extra))
    assert_no_server_error(response)
    if response.status_code == 302:  # signed in: only with the real e-mail and password, and
        assert (login.strip().lower(), password) == (world.officer_user_a.email, world.password)
        assert not response["Location"].startswith(("http://", "https://", "//"))  # never elsewhere


@FUZZ
@given(data=st.data())
def test_the_password_reset_never_fails(world, data):
    email = data.draw(st.one_of(any_text, st.just(world.officer_user_a.email)), label="email")
    extra = data.draw(headers, label="headers")
    client = fresh()
    assert_no_server_error(client.get("/es/accounts/password/reset/", **sent_headers(extra)))
    response = client.post("/es/accounts/password/reset/", {"email": email}, **sent_headers(extra))
    assert_no_server_error(response)
    assert response.status_code in (200, 302, 400, 429)  # 400: a bad address, asked for as JSON


@FUZZ
@given(data=st.data())
def test_the_password_reset_link_never_fails(world, data):
    # The link e-mailed for a reset: /accounts/password/reset/key/<uidb36>-<key>/, typed or mangled.
    uid = data.draw(st.one_of(st.text("0123456789abcdefghijklmnopqrstuvwxyz", max_size=40), any_text))
    key = data.draw(any_text, label="key")
    response = fresh().get(f"/es/accounts/password/reset/key/{segment(uid)}-{segment(key)}/")
    assert_no_server_error(response)
    assert response.status_code in (200, 301, 302, 404)
