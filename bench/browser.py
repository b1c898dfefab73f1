"""Browser figures, run by bench/run.py (BENCH_PARTS=browser) in its own process: the pages people
open most, loaded in a real browser (Playwright with /usr/bin/chromium, as the browser tests use)
from a real server (gunicorn, static files collected and compressed as in production), each as
the persona that uses it. The last line on stdout is the result as JSON; progress goes to stderr.

  browser.py demo        a fresh SQLite database built as `make run` builds it (migrate,
                         import_recorded_crime, seed_demo)
  browser.py bench N     the database in DATABASE_URL with N synthetic referrals (loaded once, as
                         bench/measure.py does), with the demo accounts added

For each page it reports, as the median of BENCH_BROWSER_RUNS cold loads (a new browser context
each time, so nothing is cached): JavaScript bytes (uncompressed, as parsed), bytes transferred
(the page and everything it fetched, compressed as sent), the load event, the largest
contentful paint and, on pages with charts, when the last chart was drawn (static/js/charts.js
marks it as `rj-charts-drawn`).

Environment: BENCH_BROWSER_RUNS (default 5), BENCH_BROWSER_WORKERS (gunicorn workers, default 2),
BENCH_BROWSER_KEEP_DEMO=1 reuses an existing demo database instead of building it again."""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

DEMO_FILE = Path(tempfile.gettempdir()) / "rjportal-browser-demo.sqlite3"
KENT = "E23000032"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}

# (key, label, URL name and kwargs, persona email or None for a signed-out visitor, has charts)
PAGES = [
    ("home", "home", ("home", {}), "provider@demo.rjportal.invalid", False),
    ("referrals", "referral list", ("referrals:list", {}), "pcc@demo.rjportal.invalid", False),
    ("area", "area dashboard (Kent)", ("dashboard:area", {"code": KENT}), "pcc@demo.rjportal.invalid", True),
    ("national", "national dashboard", ("dashboard:index", {}), "pcc@demo.rjportal.invalid", True),
    ("register", "pledge register", ("pledges:register", {}), None, True),
]

# Settings for the server: the developer settings with DEBUG off and production's static files
# (collected, hashed and compressed with gzip and brotli by whitenoise), so that the bytes
# transferred are what a real deployment sends. TLS-only cookies stay off: this is plain HTTP.
SETTINGS = """
from rjportal.settings.local import *  # noqa
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STATIC_ROOT = {static_root!r}
STORAGES = {{
    "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage"}},
    "staticfiles": {{"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}},
}}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
"""

# Run in the page (through the DevTools protocol, which the page's CSP does not govern).
METRICS_JS = """async (hasCharts) => {
  if (hasCharts) {
    const done = () => {
      const plots = document.querySelectorAll('[data-rj-chart]').length
      return document.querySelectorAll('.rj-chart__plot--drawn, .rj-chart__plot--failed').length >= plots
    }
    if (!done()) {
      await new Promise((resolve) => {
        const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve() } })
        observer.observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'] })
        setTimeout(resolve, 60000)
      })
    }
  }
  const drawnAt = performance.now()
  const lcp = await new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const entries = list.getEntries()
      resolve(entries.length ? entries[entries.length - 1].startTime : null)
    }).observe({ type: 'largest-contentful-paint', buffered: true })
    setTimeout(() => resolve(null), 2000)
  })
  const nav = performance.getEntriesByType('navigation')[0]
  const resources = performance.getEntriesByType('resource')
  const isScript = (entry) => /\\.m?js$/.test(new URL(entry.name).pathname)
  const mark = performance.getEntriesByName('rj-charts-drawn')[0]
  return {
    load_ms: nav.loadEventEnd,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    lcp_ms: lcp,
    charts_drawn_ms: hasCharts ? (mark ? mark.startTime : drawnAt) : null,
    js_bytes: resources.filter(isScript).reduce((sum, entry) => sum + entry.decodedBodySize, 0),
    transferred_bytes: nav.transferSize + resources.reduce((sum, entry) => sum + entry.transferSize, 0),
    scripts: resources.filter(isScript).map((entry) => [new URL(entry.name).pathname, entry.decodedBodySize]),
    charts: document.querySelectorAll('[data-rj-chart]').length,
    failed_charts: document.querySelectorAll('.rj-chart__plot--failed').length,
  }
}"""


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def manage(*args, env):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def build_demo_database() -> str:
    url = f"sqlite:///{DEMO_FILE}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "rjportal.settings.local", "DEBUG": "true"}
    if os.environ.get("BENCH_BROWSER_KEEP_DEMO") == "1" and DEMO_FILE.exists():
        say(f"   reusing the demo database {DEMO_FILE}")
        manage("migrate", "--no-input", "-v", "0", env=env)
        return url
    DEMO_FILE.unlink(missing_ok=True)
    say("   building the demo database (migrate, import_recorded_crime, seed_demo)")
    started = time.monotonic()
    manage("migrate", "--no-input", "-v", "0", env=env)
    manage("import_recorded_crime", "rjportal/areas/data/recorded_crime_by_pfa_2023.csv", env=env)
    manage("seed_demo", env=env)
    say(f"   demo database ready in {time.monotonic() - started:.0f} s")
    return url


def prepare_bench_database(count: int) -> None:
    """The bench's million referrals (loaded once), and the demo accounts to sign in as."""
    import measure

    measure.setup()
    measure.load(count)
    from django.db import transaction

    from demo.organisations import seed_organisations_and_users

    with transaction.atomic():
        seed_organisations_and_users()


def write_settings(workdir: Path) -> str:
    static_root = workdir / "static"
    (workdir / "rjbench_browser_settings.py").write_text(SETTINGS.format(static_root=str(static_root)))
    return "rjbench_browser_settings"


def sessions() -> dict:
    """A signed-in, second-factor-verified session cookie for each persona, made the way the sign-in
    views make them (django.contrib.auth's login, then django-otp's)."""
    from django.conf import settings
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    from rjportal.accounts.models import User

    cookies = {}
    for email in {email for *_rest, email, _charts in PAGES if email}:
        user = User.objects.get(email=email)
        client = Client()
        client.force_login(user)
        device = next(iter(devices_for_user(user)), None)
        if device is not None:
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        cookies[email] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env, port):
    workers = os.environ.get("BENCH_BROWSER_WORKERS", "2")
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rjportal.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            workers,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def measure_pages(base_url: str, cookies: dict, runs: int) -> dict:
    from django.conf import settings
    from django.urls import reverse
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for key, label, (name, kwargs), email, has_charts in PAGES:
            url = base_url + reverse(name, kwargs=kwargs)
            samples, errors = [], []
            say(f"   {label}: {runs + 1} loads")
            for attempt in range(runs + 1):  # the first warms the server's caches, and is not counted
                context = browser.new_context(viewport=VIEWPORT)
                if email:
                    context.add_cookies(
                        [{"name": settings.SESSION_COOKIE_NAME, "value": cookies[email], "url": base_url}]
                    )
                page = context.new_page()
                page.on("console", lambda message, errors=errors: _console_error(message, errors))
                response = page.goto(url, wait_until="load")
                if response is None or response.status != 200 or page.url != url:
                    raise RuntimeError(f"{label}: {url} answered {response and response.status}, at {page.url}")
                sample = page.evaluate(METRICS_JS, has_charts)
                context.close()
                if attempt:
                    samples.append(sample)
            results[key] = summarise(label, samples, errors)
        browser.close()
    return results


def _console_error(message, errors):
    if message.type == "error":
        errors.append(message.text)


def summarise(label, samples, errors):
    def median(key):
        values = [sample[key] for sample in samples if sample[key] is not None]
        return statistics.median(values) if values else None

    return {
        "label": label,
        "runs": len(samples),
        "js_bytes": median("js_bytes"),
        "transferred_bytes": median("transferred_bytes"),
        "load_ms": median("load_ms"),
        "dom_content_loaded_ms": median("dom_content_loaded_ms"),
        "lcp_ms": median("lcp_ms"),
        "charts_drawn_ms": median("charts_drawn_ms"),
        "charts": samples[-1]["charts"],
        "failed_charts": max(sample["failed_charts"] for sample in samples),
        "scripts": samples[-1]["scripts"],
        "console_errors": sorted(set(errors))[:5],
    }


def main(dataset: str, count: int | None) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="rjportal-browser-bench-"))
    try:
        if dataset == "demo":
            os.environ["DATABASE_URL"] = build_demo_database()
        module = write_settings(workdir)
        os.environ["PYTHONPATH"] = os.pathsep.join([str(workdir), str(ROOT)])
        sys.path.insert(0, str(workdir))
        os.environ["DJANGO_SETTINGS_MODULE"] = module
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        import django

        if dataset == "bench":
            prepare_bench_database(count)  # calls django.setup()
        else:
            django.setup()
        from django.core.management import call_command
        from django.db import connections

        from referrals.models import Referral

        say("   collectstatic (hashed and compressed, as in production)")
        call_command("collectstatic", interactive=False, verbosity=0)
        cookies = sessions()
        referrals = Referral.objects.count()
        connections.close_all()
        port = free_port()
        server = start_server({**os.environ}, port)
        try:
            pages = measure_pages(f"http://127.0.0.1:{port}", cookies, int(os.environ.get("BENCH_BROWSER_RUNS", "5")))
        finally:
            server.terminate()
            server.wait(timeout=30)
        return {"dataset": dataset, "referrals": referrals, "pages": pages}
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    dataset = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else None
    print(json.dumps(main(dataset, count)))
