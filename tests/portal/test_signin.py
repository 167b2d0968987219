"""Sign-in: login methods, MFA for staff, first-login password change, session lifetimes."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from portal import demo
from portal.middleware import SESSION_LAST_SEEN, SESSION_STARTED
from portal.models import Membership
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def post_login(client, login, password):
    return client.post(LOGIN, {"login": login, "password": password})


@pytest.mark.parametrize(
    "login", ["supervisee", "13800000009", "+86 138-0000-0009", "zs@example.org"]
)
def test_supervisee_signs_in_by_username_phone_or_email(world, login):
    user = world.supervisee_user
    user.phone = "+8613800000009"
    user.email = "zs@example.org"
    user.save()
    client = Client()
    response = post_login(client, login, "pw-supervisee")
    assert response.status_code == 302
    assert response.url == reverse("workspace")
    page = client.get(reverse("workspace"))
    assert page.status_code == 200
    assert "张三丰" in page.content.decode()


def test_wrong_password_is_refused_in_chinese(world):
    response = post_login(Client(), "supervisee", "wrong-password")
    assert response.status_code == 200
    assert "不正确" in response.content.decode()


def test_staff_must_answer_the_second_factor(world):
    client = Client()
    response = post_login(client, "caseworker", "pw-caseworker")
    assert response.status_code == 302
    assert "/2fa/authenticate" in response.url
    assert client.get(reverse("workspace")).status_code == 302  # not signed in yet
    _secret, code = demo.current_totp(world.caseworker)
    response = client.post(response.url, {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("workspace")).status_code == 200


def test_staff_without_mfa_are_sent_to_enrol_first(world):
    newcomer = make_user("new_caseworker", "caseworker", world.zhongxin_office, mfa=False)
    client = Client()
    assert post_login(client, "new_caseworker", "pw-new_caseworker").status_code == 302
    for url in (reverse("workspace"), reverse("supervisee_list")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    assert client.get("/api/v1/supervisees").status_code == 403
    # Enrolment asks for the password once more, then shows the authenticator set-up.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": "pw-new_caseworker"})
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "secret" in page.context or "totp_url" in page.context
    assert newcomer.memberships.count() == 1


def test_non_staff_roles_need_no_second_factor(world):
    client = Client()
    assert post_login(client, "mentor", "pw-mentor").status_code == 302
    assert client.get(reverse("workspace")).status_code == 200


def test_initial_password_must_be_changed_first(world, client_for):
    caseworker = client_for(world.caseworker)
    response = caseworker.post(reverse("supervisee_account", args=[world.kuangqu_person.pk]))
    assert response.status_code == 404  # another office's person
    response = caseworker.post(reverse("supervisee_account", args=[world.minor.pk]))
    assert response.status_code == 200
    account = response.context["account"]
    password = response.context["password"]
    assert password in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")

    person = Client()
    assert post_login(person, account.username, password).status_code == 302
    response = person.get(reverse("workspace"))
    assert response.url == reverse("account_change_password")
    response = person.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "a-new-Pass-2026", "password2": "a-new-Pass-2026"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert not account.must_change_password
    assert person.get(reverse("workspace")).status_code == 200


def _age_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_staff_idle_timeout_is_fifteen_minutes(world, client_for):
    client = client_for(world.caseworker)
    assert client.get(reverse("workspace")).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 14 * 60})
    assert client.get(reverse("workspace")).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 16 * 60})
    response = client.get(reverse("workspace"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_supervisee_idle_timeout_is_sixty_minutes(world, client_for):
    client = client_for(world.supervisee_user)
    _age_session(client, **{SESSION_LAST_SEEN: 30 * 60})
    assert client.get(reverse("workspace")).status_code == 200
    _age_session(client, **{SESSION_LAST_SEEN: 61 * 60})
    assert client.get(reverse("workspace")).status_code == 302


def test_absolute_timeout_ends_even_an_active_session(world, client_for, settings):
    client = client_for(world.supervisee_user)
    _age_session(client, **{SESSION_STARTED: settings.PORTAL_SESSION_ABSOLUTE_TIMEOUT + 5})
    assert client.get(reverse("workspace")).status_code == 302


def test_logout_ends_every_session_of_the_user(world, client_for):
    phone, laptop = client_for(world.supervisee_user), client_for(world.supervisee_user)
    assert phone.get(reverse("workspace")).status_code == 200
    assert laptop.get(reverse("workspace")).status_code == 200
    phone.post(reverse("account_logout"))
    assert laptop.get(reverse("workspace")).status_code == 302


def test_idle_expiry_on_one_device_leaves_the_others(world, client_for):
    phone, laptop = client_for(world.supervisee_user), client_for(world.supervisee_user)
    _age_session(phone, **{SESSION_LAST_SEEN: 2 * 60 * 60})
    assert phone.get(reverse("workspace")).status_code == 302
    assert laptop.get(reverse("workspace")).status_code == 200


def test_deactivation_ends_sessions(world, client_for):
    client = client_for(world.official)
    assert client.get(reverse("supervisee_list")).status_code == 200
    world.official.is_active = False
    world.official.save()
    assert client.get(reverse("supervisee_list")).status_code == 302


def test_volunteer_registers_and_waits_for_approval(world, client_for):
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "username": "laojiaoshi",
            "phone": "13912345678",
            "email": "",
            "password1": "Volunteer-2026!",
            "password2": "Volunteer-2026!",
            "full_name": "钱老师",
            "volunteer_group": world.volunteers.pk,
            "motivation": "退休教师",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    membership = Membership.objects.get(user__username="laojiaoshi")
    assert membership.status == Membership.Status.PENDING
    assert membership.user.phone == "+8613912345678"
    page = client.get(reverse("workspace")).content.decode()
    assert "五老志愿服务队" in page

    # An official of another city cannot see or decide it; the city's official can.
    jining = client_for(world.jining_official)
    decide = reverse("volunteer_application_decide", args=[membership.pk])
    assert jining.post(decide, {"decision": "approve"}).status_code == 404
    official = client_for(world.official)
    assert "钱老师" in official.get(reverse("volunteer_applications")).content.decode()
    assert official.post(decide, {"decision": "approve"}).status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.decided_by == world.official


def test_repeated_failed_logins_are_rate_limited(world):
    client = Client()
    for _ in range(5):
        post_login(client, "supervisee", "wrong-password")
    response = post_login(client, "supervisee", "pw-supervisee")
    assert response.status_code == 200  # still refused, even with the right password
    assert client.get(reverse("workspace")).status_code == 302


def test_admin_interfaces_sign_in_through_allauth(world):
    client = Client()
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    response = client.get("/django-admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)


def test_failed_logins_are_counted_per_client_behind_the_trusted_proxy(world, settings):
    """Behind one reverse proxy, the limit counts the address the proxy saw, not the proxy's
    own address (which every client shares) nor what a client wrote into the header itself."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    def attempt(client_address: str, login: str, password: str, sent_header: str = ""):
        forwarded = f"{sent_header}, {client_address}" if sent_header else client_address
        client = Client(HTTP_X_FORWARDED_FOR=forwarded, **proxy)
        client.post(LOGIN, {"login": login, "password": password})
        return client.get(reverse("workspace")).status_code == 200  # signed in?

    for number in range(10):  # one address tries many names
        assert not attempt("203.0.113.5", f"nobody{number}", "guess")
    assert not attempt("203.0.113.5", "supervisee", "pw-supervisee")  # that address is stopped
    # Writing another address into the header does not get round it.
    assert not attempt("203.0.113.5", "supervisee", "pw-supervisee", sent_header="198.51.100.1")
    # Another client behind the same proxy is not stopped with it.
    assert attempt("203.0.113.6", "supervisee", "pw-supervisee")
