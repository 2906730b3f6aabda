"""Playwright journeys in Debian's Chromium against a live server. Skipped, saying why, where
/usr/bin/chromium is not installed (`make browser-deps` installs it)."""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from pytest_django.plugin import blocking_manager_key

CHROMIUM = "/usr/bin/chromium"
NO_CHROMIUM = f"Pruebas de navegador omitidas: no existe {CHROMIUM} (apt-get install chromium)."
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# The live server runs in a thread of this process, which Playwright's sync API also drives
# from an event loop; Django refuses database access there unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table, including the CONAC catalog the
    migrations loaded; tests that run after it (those without a database marker run last)
    expect the catalog, so it is loaded again once the test is torn down. After the last test
    the test database is already gone, and nothing needs it."""
    result = yield
    if nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            call_command("loaddata", "conac", verbosity=0)
    return result


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """Reduced motion: without transitions, axe never reads a colour halfway through one."""
    return {
        **browser_context_args,
        "locale": "es-MX",
        "viewport": {"width": 1440, "height": 900},
        "reduced_motion": "reduce",
    }


@pytest.fixture
def artifacts():
    """test-artifacts/journey/, where each step leaves its screenshot."""
    folder = ARTIFACTS / "journey"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Accessibility: every page a journey loads is checked by axe-core against WCAG 2.1 AA, at the
# width its context has (1440 px, or 390 px for the phone journeys).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_blocking(page):
    """The serious or critical WCAG 2.1 AA violations of what the page shows now."""
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        (v["id"], v["nodes"][0]["failureSummary"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


class AxeAudit:
    """Runs axe after each load of each page it watches, once per address and width. The test
    goes on meanwhile: a page it leaves before axe has finished is listed as interrupted, and
    is checked at its next load if there is one."""

    def __init__(self):
        self.seen, self.checked, self.violations, self.interrupted = set(), [], {}, set()
        self.running = set()

    def watch(self, page):
        page.on("load", lambda: self.check(page))

    def check(self, page):
        width = (page.viewport_size or {}).get("width")
        key = (page.url.split("#")[0], width)
        if key in self.seen or not page.url.startswith("http") or is_admin(page.url):
            return
        self.running.add(id(page))
        try:
            if page.evaluate("document.contentType") != "text/html":
                return
            blocking = axe_blocking(page)
        except PlaywrightError:
            self.interrupted.add(key)
            return
        finally:
            self.running.discard(id(page))
        self.interrupted.discard(key)
        self.seen.add(key)
        self.checked.append(key)
        if blocking:
            self.violations[key] = blocking

    def settle(self, page):
        """Waits for the page's check in flight, then checks what it shows if not done yet."""
        while id(page) in self.running:
            page.wait_for_timeout(50)
        self.check(page)


def is_admin(url):
    """Django's own admin templates are not ours to fix: its tabular inlines label their
    fields by column header only, and select2 leaves its search box unlabelled."""
    return urlsplit(url).path.startswith("/admin/")


@pytest.fixture
def axe_audit(request):
    """Fails the test at teardown if a page it loaded broke WCAG 2.1 AA; the pages checked and
    what broke are left in test-artifacts/axe/<test>.json."""
    audit = AxeAudit()
    yield audit
    folder = ARTIFACTS / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    report = {
        "checked": [f"{url} @{width}px" for url, width in audit.checked],
        "interrupted": [f"{url} @{width}px" for url, width in sorted(audit.interrupted)],
        "violations": {f"{url} @{width}px": v for (url, width), v in audit.violations.items()},
    }
    name = re.sub(r"[^\w.-]+", "-", request.node.name)
    (folder / f"{name}.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
    assert report["violations"] == {}, json.dumps(report["violations"], indent=1)


@pytest.fixture
def new_context(new_context, axe_audit):
    """pytest-playwright's contexts, each of whose pages is checked by axe on every load."""

    def watched(**kwargs):
        context = new_context(**kwargs)
        context.on("page", axe_audit.watch)
        return context

    return watched
