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


# The narrowest window the pages must fit (WCAG 2.1's reflow, success criterion 1.4.10), and
# the laptop the other checks use.
NARROWEST = {"width": 320, "height": 640}
LAPTOP = {"width": 1200, "height": 900}


def sideways_scroll(page) -> str | None:  # noqa: ANN001 - a Playwright page
    """How far the page as it stands overflows a 320-pixel window, or None when it fits; the
    window is put back to its own size after."""
    size = page.viewport_size
    if size != NARROWEST:
        page.set_viewport_size(NARROWEST)
    wide, viewport = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    if size != NARROWEST:
        page.set_viewport_size(size)
    return f"{wide} px wide in a {viewport} px window" if wide > viewport else None
