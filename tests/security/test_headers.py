"""Security headers on every response: every classified URL for a visitor and for signed-in
users of several roles, whatever the answer (page, file, JSON, redirect, refusal, 404), the
admin interfaces, static files, the API, errors and a refused CSRF check, served over HTTPS
behind the proxy as in production."""

import pytest
from django.test import Client

from tests.portal.test_url_matrix import OWN, ROLE_USERS, url_for

pytestmark = pytest.mark.django_db

EXTRA = [
    ("get", "/"),
    ("get", "/no-such-page/"),
    ("get", "/accounts/login/"),
    ("get", "/admin/"),
    ("get", "/django-admin/"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/static/portal/css/site.css"),
]


@pytest.fixture
def production_transport(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    return {"HTTP_X_FORWARDED_PROTO": "https"}


def missing_headers(path: str, response) -> list[str]:
    headers = response.headers
    problems = []
    policy = headers.get("Content-Security-Policy", "")
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors", "base-uri"):
        if directive not in policy:
            problems.append(f"CSP without {directive}")
    if "max-age=31536000" not in headers.get("Strict-Transport-Security", ""):
        problems.append("no HSTS")
    if headers.get("Referrer-Policy") != "same-origin":
        problems.append("no referrer policy")
    frame = headers.get("X-Frame-Options")
    # The Wagtail admin frames its own previews; everything else may never be framed.
    if frame != "DENY" and not (path.startswith("/admin/") and frame == "SAMEORIGIN"):
        problems.append(f"X-Frame-Options {frame}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    return problems


@pytest.mark.parametrize("user_key", ["anonymous", "supervisee", "caseworker", "official"])
def test_every_response_carries_the_security_headers(
    world, objects, client_for, production_transport, user_key
):
    attr = ROLE_USERS[user_key]
    client = client_for(getattr(world, attr)) if attr else Client()
    requests = [
        (method, url_for(route, objects, kind)) for route, (_c, _r, method, kind) in OWN.items()
    ]
    failures = []
    for method, url in [*requests, *EXTRA]:
        response = getattr(client, method)(url, **production_transport)
        problems = missing_headers(url, response)
        if problems:
            failures.append(f"{method.upper()} {url} ({response.status_code}): {problems}")
    assert failures == []


def test_static_files_and_a_refused_csrf_check_carry_them_too(world, production_transport):
    client = Client(enforce_csrf_checks=True)
    static = client.get("/static/portal/css/site.css", **production_transport)
    assert static.status_code == 200 and missing_headers("/static/", static) == []
    response = client.post("/accounts/login/", {"login": "x"}, **production_transport)
    assert response.status_code == 403
    assert missing_headers("/accounts/login/", response) == []
