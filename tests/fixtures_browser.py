"""Headless Chromium fixture (Debian chromium driven by Playwright)."""
