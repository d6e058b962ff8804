"""Shared pytest configuration. Fixtures for the Bolt server and the browser live in their
own modules, registered here as plugins so every test folder can use them."""

pytest_plugins = ["tests.fixtures_bolt", "tests.fixtures_browser", "tests.generated"]
