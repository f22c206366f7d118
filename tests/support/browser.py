"""A real headless Chromium, driven by Playwright: where to find it, the mark every browser
test module carries, and signing in through the page."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.support.people import DEMO_PASSWORD

CHROMIUM = os.environ.get("CASEREVIEW_TEST_CHROMIUM") or shutil.which("chromium")

needs_chromium = pytest.mark.skipif(
    not CHROMIUM,
    reason="browser tests skipped: no Chromium (apt-get install chromium, or set "
    "CASEREVIEW_TEST_CHROMIUM to its path)",
)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
