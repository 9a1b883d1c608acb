"""Fixtures for sign-in: a real OpenID provider (Node, ``oidc-provider``) for the whole
session, our client for its ``tether`` application, and the person's browser played by an
HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from sidecar.signin.oidc import OidcClient
from tests.signin.oidc_provider import OidcProvider, available, require_in_ci


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The running provider: ``.issuer`` (``http://127.0.0.1:<port>``), ``.settings(...)``."""
    require_in_ci()
    missing = available()
    if missing:
        pytest.skip(f"no test OpenID provider: {missing}")
    provider = OidcProvider(log=tmp_path_factory.mktemp("oidc") / "provider.log")
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """What the sidecar talks to the provider with."""
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
async def browser_http() -> AsyncIterator[httpx.AsyncClient]:
    """The person's browser at the provider, over plain HTTP (keeps cookies, follows nothing
    itself; ``browser`` is left for a real one, as in the other tests)."""
    async with httpx.AsyncClient(follow_redirects=False) as client:
        yield client


@pytest.fixture
def oidc(oidc_provider: OidcProvider, http: httpx.AsyncClient) -> OidcClient:
    """Our client for the provider's ``tether`` application, no multi-factor required."""
    return OidcClient(oidc_provider.settings(), http)
