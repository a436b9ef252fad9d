from __future__ import annotations

import os

# Never let a test reach the network for litellm's cost map, and keep respx able to see its calls.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("DISABLE_AIOHTTP_TRANSPORT", "True")

pytest_plugins = ["tests.db_fixtures", "tests.real_model"]


import pytest  # noqa: E402


@pytest.fixture
def litellm_over_httpx() -> None:
    """litellm's async calls go through aiohttp, which respx cannot see: route them through httpx."""
    import litellm

    litellm.disable_aiohttp_transport = True
