import re

import pytest
from django.core import mail
from django.urls import reverse

from rjportal.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_signing_in_with_any_case_of_email_reaches_home(client, pcc_user):
    response = sign_in(client, "PCC@Example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert AuditEvent.objects.filter(action="sign_in", actor=pcc_user).exists()


def test_a_wrong_password_shows_an_error_and_is_audited(client, pcc_user):
    response = sign_in(client, pcc_user.email, "wrong-password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert AuditEvent.objects.filter(action="sign_in_failed").count() == 1
    assert "_auth_user_id" not in client.session


def test_empty_fields_get_messages(client):
    page = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_repeated_failures_lock_the_account_out(client, settings, pcc_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, pcc_user.email, "wrong-password")
    response = sign_in(client, pcc_user.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "tried to sign in too many times" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(client, pcc_user):
    client.force_login(pcc_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="sign_out", actor=pcc_user).exists()


def test_password_reset_emails_a_link_that_sets_a_new_password(client, pcc_user):
    response = client.post(reverse("password_reset"), {"email": "pcc@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your RJ Portal password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"}
    )
    assert response.status_code == 302
    pcc_user.refresh_from_db()
    assert pcc_user.check_password("a brand new passphrase")


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change_needs_the_old_password(client, pcc_user):
    client.force_login(pcc_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not it",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    pcc_user.refresh_from_db()
    assert pcc_user.check_password(TEST_PASSWORD)


def test_password_change_with_the_old_password(client, pcc_user):
    client.force_login(pcc_user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    pcc_user.refresh_from_db()
    assert pcc_user.check_password("another long passphrase")


def test_failures_under_any_spelling_of_the_email_count_towards_one_lockout(client, settings, pcc_user):
    spellings = ["pcc@example.org", "PCC@EXAMPLE.ORG", "  Pcc@Example.org ", "pcc@example.ORG", " PCC@example.org"]
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        sign_in(client, spelling, "wrong-password")
    for spelling in spellings:
        response = sign_in(client, spelling, TEST_PASSWORD)
        assert response.status_code == 429, spelling
        assert "_auth_user_id" not in client.session


def test_someone_created_without_a_password_can_set_one_by_reset(client):
    from rjportal.accounts.services import user_create

    user = user_create(actor=None, email="new.person@example.org", role="pledge_moderator", password=None)
    assert not user.has_usable_password()
    response = client.post(reverse("password_reset"), {"email": "New.Person@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    client.post(form_url, {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"})
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")


def test_a_switched_off_account_gets_no_reset_email(client, pcc_user):
    pcc_user.is_active = False
    pcc_user.save()
    client.post(reverse("password_reset"), {"email": pcc_user.email})
    assert mail.outbox == []
