"""Playwright journeys in Debian's Chromium against a live server. Skipped, saying why, where
/usr/bin/chromium is not installed (`make browser-deps` installs it)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
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
    return {**browser_context_args, "locale": "es-MX", "viewport": {"width": 1440, "height": 900}}


@pytest.fixture
def artifacts():
    """test-artifacts/journey/, where each step leaves its screenshot."""
    folder = ARTIFACTS / "journey"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
