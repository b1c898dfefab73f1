import os
from pathlib import Path

import pytest

from tests import factories

# Playwright runs an event loop in the test thread; Django's ORM calls from that thread are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: ids and frozen times repeat between tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def live_db(transactional_db):
    """A database that a live server thread can see. Transactional tests flush every table
    afterwards, migration-loaded reference data included, so reload it first."""
    from rjportal.areas.models import GoverningBody, PoliceArea
    from rjportal.areas.reference_data import load_police_areas
    from strategy.constants import DEFAULT_BENEFIT_RATIOS
    from strategy.models import BenefitRatio

    load_police_areas(PoliceArea, GoverningBody)
    for ratio in DEFAULT_BENEFIT_RATIOS:
        BenefitRatio.objects.get_or_create(label=ratio["label"], defaults=ratio)


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory(email="admin@example.org")


@pytest.fixture
def pcc_user(db):
    """PCC office staff for Kent."""
    return factories.PccStaffFactory(email="pcc@example.org", organisation__areas=[factories.area(factories.KENT)])


@pytest.fixture
def other_pcc_user(db):
    """PCC office staff for Essex: the stranger to Kent's data."""
    return factories.PccStaffFactory(
        email="pcc.essex@example.org", organisation__areas=[factories.area(factories.ESSEX)]
    )


@pytest.fixture
def provider_user(db):
    return factories.ProviderStaffFactory(
        email="provider@example.org", organisation__areas=[factories.area(factories.KENT)]
    )


@pytest.fixture
def moderator_user(db):
    return factories.ModeratorFactory(email="moderator@example.org")


@pytest.fixture
def persona(request, db):
    """Parametrise a test by persona name: 'anonymous', 'admin', 'pcc', 'provider', 'moderator'."""
    name = request.param
    if name == "anonymous":
        return None
    return request.getfixturevalue(f"{name}_user")


# Browser tests -------------------------------------------------------------------------


def _browser_unavailable_reason():
    if not CHROMIUM.exists():
        return f"chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci)"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    reason = _browser_unavailable_reason()
    if reason:
        if os.environ.get("RJ_REQUIRE_BROWSER"):
            pytest.fail(f"Browser tests are required here but {reason}.")
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def axe():
    """Run axe-core on the page at WCAG 2.2 AA and return its violations."""

    source = AXE.read_text(encoding="utf-8")

    def check(page):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern, so
        # the page under test keeps its real policy (add_script_tag would need unsafe-inline).
        page.evaluate(f"() => {{ {source}\n; window.axe = axe; }}")
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
            })"""
        )
        return [
            f"{violation['id']}: {violation['help']} ({[node['target'] for node in violation['nodes']]})"
            for violation in result["violations"]
        ]

    return check


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that commit (browser tests, and others on a transactional database) run last. Their
    database is flushed afterwards, reference data included; no ordinary test may follow them."""

    def commits(item):
        return item.get_closest_marker("browser") is not None or bool(
            {"live_db", "transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        )

    items.sort(key=commits)
