"""The admin screens, which national administrators use for rare tasks, pass axe like every other
page: the index, each registered model's list (searched, filtered, sorted), add, change, history
and delete pages, the forms' errors, the actions' confirmation pages, the password forms and the
admin's own sign-in page (with its second factor). The admin's scripts run within the CSP."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_tasks_db.models import DBTaskResult, get_date_max
from playwright.sync_api import expect

from pledges.models import Pledge, PledgeCampaign
from referrals.models import ReferringTeam
from rjportal.accounts.models import User
from rjportal.areas.models import PoliceArea, RecordedCrime
from rjportal.audit.constants import AuditAction
from rjportal.audit.models import AuditEvent
from rjportal.audit.services import audit_record
from rjportal.organisations.models import Organisation
from tests.accounts.test_two_factor import code_for, confirmed_device
from tests.factories import KENT, TEST_PASSWORD, PccStaffFactory, ReferringTeamFactory, area
from tests.pledges.factories import PledgeFactory

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("live_db")]


@pytest.fixture
def watched_page(page):
    """A page that records console errors, so that CSP refusals and script failures fail tests."""
    errors = []
    page.on("console", lambda message: errors.append(f"{page.url} {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"{page.url} {error}"))
    page.console_errors = errors
    return page


def problems_on(page, axe):
    """The current page's console errors and axe violations, each with the page's address."""
    found = list(page.console_errors)
    found += [f"{page.url} {violation}" for violation in axe(page)]
    # axe reads the page's stylesheets, writing those that @import others (the admin's forms.css)
    # into <style> elements, which the CSP refuses: errors while it runs are its own, not the page's.
    page.console_errors.clear()
    return found


def sign_in(page, live_server, email):
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def one_of_each_registered_model(admin_user):
    """A record of every model registered in the admin, so that each change, history and delete
    page has something to show. A model registered later without a sample here fails the test."""
    staff = PccStaffFactory(email="pcc@example.org")
    samples = {
        User: staff,
        Organisation: staff.organisation,
        PoliceArea: area(KENT),
        RecordedCrime: RecordedCrime.objects.create(
            area=area(KENT), year_ending=datetime.date(2024, 3, 31), offence="total", count=120_000
        ),
        AuditEvent: audit_record(
            actor=admin_user, action=AuditAction.UPDATE, target=staff, summary="Changed pcc@example.org"
        ),
        ReferringTeam: ReferringTeamFactory(),
        PledgeCampaign: (pledge := PledgeFactory()).campaign,
        Pledge: pledge,
        TOTPDevice: confirmed_device(staff),
        StaticDevice: StaticDevice.objects.create(user=staff, name="Backup codes"),
        WebAuthnCredential: WebAuthnCredential.objects.create(
            user=staff, name="Laptop", credential_id=b"laptop", public_key=b"key", aaguid="0" * 36
        ),
        # Sign-in lockouts (django-axes): an administrator unlocks someone by deleting the attempt.
        AccessAttempt: AccessAttempt.objects.create(
            username="pcc@example.org",
            ip_address="192.0.2.1",
            user_agent="Firefox",
            http_accept="*/*",
            path_info="/accounts/login/",
            get_data="",
            post_data="username=pcc@example.org",
            failures_since_start=5,
        ),
        AccessLog: AccessLog.objects.create(
            username="pcc@example.org",
            ip_address="192.0.2.1",
            user_agent="Firefox",
            http_accept="*/*",
            path_info="/accounts/login/",
        ),
        AccessFailureLog: AccessFailureLog.objects.create(
            username="pcc@example.org",
            ip_address="192.0.2.1",
            user_agent="Firefox",
            http_accept="*/*",
            path_info="/accounts/login/",
            locked_out=True,
        ),
        # Large referral imports run in the background (django-tasks).
        DBTaskResult: DBTaskResult.objects.create(
            task_path="referrals.tasks.run_referral_import",
            args_kwargs={"args": [1], "kwargs": {}},
            backend_name="default",
            run_after=get_date_max(),
        ),
    }
    assert set(samples) == set(admin.site._registry), "Give every registered model a sample record."
    # The history pages list the admin's own log of changes.
    for model, record in samples.items():
        LogEntry.objects.create(
            user=admin_user,
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(record.pk),
            object_repr=str(record)[:200],
            action_flag=2,
            change_message='[{"changed": {"fields": ["Name"]}}]',
        )
    return samples


def admin_pages(samples, administrator):
    """Every admin page an administrator reaches from the index, for the samples."""
    request = RequestFactory().get("/")
    request.user = administrator
    yield reverse("admin:index")
    for app_label in sorted({model._meta.app_label for model in samples}):
        yield reverse("admin:app_list", kwargs={"app_label": app_label})
    for model, record in samples.items():
        model_admin = admin.site._registry[model]
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = reverse(f"{name}_changelist")
        yield changelist
        # Searched and sorted, the list shows the result count and sort links in its headings.
        yield changelist + "?q=nothing-matches-this&o=1"
        yield reverse(f"{name}_change", args=[record.pk])
        yield reverse(f"{name}_history", args=[record.pk])
        if model_admin.has_add_permission(request):
            yield reverse(f"{name}_add")
        if model_admin.has_delete_permission(request, record):
            yield reverse(f"{name}_delete", args=[record.pk])
    # The user form's "+" beside the organisation opens the organisation form in a pop-up.
    yield reverse("admin:organisations_organisation_add") + "?_to_field=id&_popup=1"
    yield reverse("admin:auth_user_password_change", args=[samples[User].pk])
    yield reverse("admin:password_change")


def test_every_admin_page_passes_axe(watched_page, live_server, axe, admin_user):
    page = watched_page
    samples = one_of_each_registered_model(admin_user)
    sign_in(page, live_server, admin_user.email)
    page.wait_for_url(live_server.url + reverse("home"))

    problems = []
    for url in admin_pages(samples, admin_user):
        response = page.goto(live_server.url + url)
        # The admin answers a list address it cannot read by sending to "?e=1".
        assert response.status == 200 and response.url == live_server.url + url, url
        problems += problems_on(page, axe)
        filters = page.locator("#changelist-filter li:not(.selected) a")
        if filters.count():
            filters.first.click()
            expect(page.locator("#changelist-filter-extra-actions")).to_be_visible()
            problems += problems_on(page, axe)

    assert not problems, "\n".join(problems)


def test_errors_messages_and_actions_pass_axe(watched_page, live_server, axe, admin_user):
    page = watched_page
    staff = PccStaffFactory(email="pcc@example.org")
    confirmed_device(staff)
    sign_in(page, live_server, admin_user.email)
    page.wait_for_url(live_server.url + reverse("home"))
    problems = []

    for name in ["accounts_user", "organisations_organisation"]:
        page.goto(live_server.url + reverse(f"admin:{name}_add"))
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.locator(".errornote")).to_be_visible()
        problems += problems_on(page, axe)

    page.goto(live_server.url + reverse("admin:organisations_organisation_change", args=[staff.organisation.pk]))
    page.get_by_label("Name:").fill("Kent PCC office")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Kent PCC office")
    problems += problems_on(page, axe)

    # An inline's new row is added by the admin's script, from a template row.
    page.goto(live_server.url + reverse("admin:areas_policearea_change", args=[area(KENT).pk]))
    governing_bodies = page.locator(".dynamic-governing_bodies")
    shown = governing_bodies.count()
    page.get_by_role("button", name="Add another Governing body").click()
    expect(governing_bodies).to_have_count(shown + 1)
    problems += problems_on(page, axe)

    page.goto(live_server.url + reverse("admin:accounts_user_changelist"))
    page.locator(f'input.action-select[value="{staff.pk}"]').check()
    page.get_by_label("Action:").select_option(label="Delete selected users")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete multiple objects")
    problems += problems_on(page, axe)
    page.get_by_role("link", name="No, take me back").click()

    page.locator(f'input.action-select[value="{staff.pk}"]').check()
    page.get_by_label("Action:").select_option(label="Reset two-factor sign-in of selected users")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset two-factor sign-in?")
    problems += problems_on(page, axe)
    page.get_by_role("button", name="Yes, reset two-factor sign-in").click()
    expect(page.locator(".messagelist")).to_contain_text("Reset two-factor sign-in for 1 user")
    problems += problems_on(page, axe)

    assert not problems, "\n".join(problems)
    assert User.objects.filter(pk=staff.pk).exists()
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_the_admin_sign_in_page_passes_axe_and_asks_for_the_second_factor(
    watched_page, live_server, axe, admin_user, settings
):
    settings.TWO_FACTOR_REQUIRED = True
    device = confirmed_device(admin_user)
    page = watched_page
    problems = []

    page.goto(live_server.url + reverse("admin:index"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    problems += problems_on(page, axe)
    page.get_by_label("Email address").fill(admin_user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".errornote")).to_be_visible()
    problems += problems_on(page, axe)

    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: reverse("two_factor_verify") in url)
    page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations, users and reference data")
    problems += problems_on(page, axe)

    assert not problems, "\n".join(problems)
