import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["pages:accessibility", "pages:privacy", "pages:cookies", "login", "password_reset"]


@pytest.mark.parametrize("url_name", PUBLIC_PAGES)
def test_public_pages_need_no_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert "<h1" in response.content.decode()


def test_the_start_page_invites_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert reverse("login") in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected_links", "absent_links"),
    [
        (
            "admin",
            ["dashboard:index", "referrals:teams", "areas:list", "organisations:list", "audit:list", "admin:index"],
            [],
        ),
        (
            "pcc",
            ["dashboard:mine", "referrals:list", "referrals:teams", "areas:list", "organisations:mine"],
            ["audit:list", "admin:index"],
        ),
        (
            "provider",
            ["referrals:list", "areas:list", "organisations:mine"],
            ["dashboard:index", "audit:list", "admin:index"],
        ),
        ("moderator", ["areas:list"], ["dashboard:index", "audit:list", "organisations:mine"]),
    ],
    indirect=["persona"],
)
def test_each_role_home_page_lists_what_it_can_do(client, persona, expected_links, absent_links):
    client.force_login(persona)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.context["role_label"] in page
    for name in expected_links:
        assert f'href="{reverse(name)}"' in page, name
    for name in absent_links:
        assert f'href="{reverse(name)}"' not in page, name


def test_every_link_on_a_role_home_page_opens(client, admin_user, pcc_user, provider_user, moderator_user):
    for user in [admin_user, pcc_user, provider_user, moderator_user]:
        client.force_login(user)
        for task in client.get(reverse("home")).context["tasks"]:
            assert client.get(task["url"], follow=True).status_code == 200, (user.role, task["url"])


def test_healthz_reports_a_healthy_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_not_found_uses_the_service_page(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_server_error_page_renders_without_a_request_context(client):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in page


def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
