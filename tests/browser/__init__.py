"""Journeys in a real headless Chromium, driven by Playwright, against the app on a port."""
