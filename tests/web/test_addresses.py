"""The visitor's address behind proxies: trusted only when configured, and then the address
the outermost trusted proxy saw, never one the visitor wrote into X-Forwarded-For."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from rjportal.web.addresses import client_address

VISITOR = "203.0.113.5"
PROXY = "10.0.0.2"


def request_from(remote_addr, forwarded_for=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **headers)


def test_with_no_proxy_trusted_the_connection_is_the_visitor(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_address(request_from(VISITOR)) == VISITOR
    # A visitor's own X-Forwarded-For is ignored.
    assert client_address(request_from(VISITOR, forwarded_for="198.51.100.1")) == VISITOR


def test_behind_one_trusted_proxy_the_visitor_is_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from(PROXY, forwarded_for=VISITOR)) == VISITOR
    # Whatever the visitor wrote sits to the left of what the proxy appended.
    assert client_address(request_from(PROXY, forwarded_for=f"198.51.100.1, {VISITOR}")) == VISITOR
    assert client_address(request_from(PROXY, forwarded_for="10.9.9.9")) == "10.9.9.9"
    # No header (a health check from the proxy itself): the connection.
    assert client_address(request_from(PROXY)) == PROXY
    assert client_address(request_from(PROXY, forwarded_for="not an address")) == PROXY


def test_behind_two_proxies_the_address_the_outer_one_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # The visitor wrote 198.51.100.1, the outer proxy appended the visitor, the inner one the outer proxy.
    chain = f"198.51.100.1, {VISITOR}, 10.0.0.1"
    assert client_address(request_from(PROXY, forwarded_for=chain)) == VISITOR


def test_trusted_proxies_limit_who_may_forward(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::1"]
    assert client_address(request_from(PROXY, forwarded_for=VISITOR)) == VISITOR
    assert client_address(request_from("2001:db8::1", forwarded_for=VISITOR)) == VISITOR
    # A request that reaches the portal directly, not through the proxy, is its own address.
    assert client_address(request_from("198.51.100.7", forwarded_for=VISITOR)) == "198.51.100.7"


@pytest.mark.django_db
def test_the_sign_in_lockout_records_the_forwarded_address(client, settings, pcc_user):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": pcc_user.email, "password": "wrong-password"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=VISITOR,
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [VISITOR]


@pytest.mark.django_db
def test_the_sign_in_lockout_ignores_a_forwarded_address_from_no_trusted_proxy(client, pcc_user):
    client.post(
        reverse("login"),
        {"username": pcc_user.email, "password": "wrong-password"},
        REMOTE_ADDR=VISITOR,
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [VISITOR]


@pytest.mark.django_db
def test_visitors_behind_one_proxy_are_locked_out_separately(client, settings, pcc_user):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": pcc_user.email, "password": "wrong-password"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    response = client.post(
        reverse("login"),
        {"username": pcc_user.email, "password": "a-long-test-password-1"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=VISITOR,
    )
    assert response.status_code == 302
