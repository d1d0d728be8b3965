"""The Zalo OA token store on both databases: seeding, refreshing, one refresher at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from bot.channels.zalo_tokens import ZaloAuthError, ZaloTokens
from bot.config import SettingsError
from bot.db.models_zalo import ZaloToken
from bot.db.session import make_engine
from tests.conftest import AppFactory, FakeClock
from tests.helpers import run_cli
from tests.standins.zalo_api import APP_ID, ZaloStandIn
from tests.zalo_helpers import zalo_oa_app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as http:
        yield http


def stored(app) -> ZaloToken:  # noqa: ANN001
    with app.sessions() as session:
        token = session.get(ZaloToken, APP_ID)
        assert token is not None
        return token


async def test_environment_seeds_only_an_empty_database(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, client: httpx.AsyncClient
) -> None:
    first = zalo_oa_app(make_app, db_url, zalo)
    ZaloTokens(first, client).seed_from_environment()
    assert stored(first).access_token == "acc-0"
    second = zalo_oa_app(
        make_app, db_url, zalo, zalo_oa_access_token="old", zalo_oa_refresh_token="old"
    )
    ZaloTokens(second, client).seed_from_environment()  # a restart with a stale .env
    assert (stored(second).access_token, stored(second).refresh_token) == ("acc-0", "ref-0")


async def test_no_token_anywhere_is_a_clear_error(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, client: httpx.AsyncClient
) -> None:
    app = zalo_oa_app(make_app, sqlite_url, zalo, zalo_oa_access_token=None)
    with pytest.raises(SettingsError, match="ZALO_OA_ACCESS_TOKEN"):
        ZaloTokens(app, client).seed_from_environment()


async def test_refreshed_at_80_percent_of_its_life_and_stored_first(
    make_app: AppFactory,
    db_url: str,
    zalo: ZaloStandIn,
    client: httpx.AsyncClient,
    clock: FakeClock,
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    tokens = ZaloTokens(app, client)
    tokens.seed_from_environment()
    clock.advance(hours=19)
    assert await tokens.access_token() == "acc-0"  # 76 % of 25 h: not yet
    clock.advance(hours=1, minutes=1)
    assert await tokens.access_token() == "acc-1"
    assert len(zalo.calls_to("oauth")) == 1
    token = stored(app)
    assert (token.access_token, token.refresh_token) == ("acc-1", "ref-1")
    assert token.expires_at == clock() + (token.expires_at - token.obtained_at)
    assert await tokens.access_token() == "acc-1"  # fresh again: no second refresh
    assert len(zalo.calls_to("oauth")) == 1


async def test_concurrent_refreshes_spend_the_refresh_token_once(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    # Two processes (two apps, two HTTP clients) on one database, each asked twice at once.
    first = zalo_oa_app(make_app, db_url, zalo)
    second = zalo_oa_app(make_app, db_url, zalo)
    async with httpx.AsyncClient() as one, httpx.AsyncClient() as two:
        a, b = ZaloTokens(first, one), ZaloTokens(second, two)
        a.seed_from_environment()
        clock.advance(hours=24)
        results = await asyncio.gather(
            a.access_token(), a.access_token(), b.access_token(), b.access_token()
        )
    assert set(results) == {"acc-1"}
    assert len(zalo.calls_to("oauth")) == 1
    assert stored(first).refresh_token == "ref-1"


async def test_a_rejected_token_is_refreshed_once_for_all_waiters(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, client: httpx.AsyncClient
) -> None:
    tokens = ZaloTokens(zalo_oa_app(make_app, sqlite_url, zalo), client)
    tokens.seed_from_environment()
    results = await asyncio.gather(*(tokens.refresh(rejected="acc-0") for _ in range(5)))
    assert set(results) == {"acc-1"}
    assert len(zalo.calls_to("oauth")) == 1


async def test_a_refused_refresh_keeps_the_pair_and_frees_the_lease(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, client: httpx.AsyncClient
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    tokens = ZaloTokens(app, client)
    tokens.seed_from_environment()
    zalo.refresh_error = {"error": -14014, "error_name": "Invalid refresh token"}
    with pytest.raises(ZaloAuthError):
        await tokens.refresh(rejected="acc-0")
    token = stored(app)
    assert (token.refresh_token, token.refreshing_until) == ("ref-0", None)
    zalo.refresh_error = None
    assert await tokens.refresh(rejected="acc-0") == "acc-1"  # works once fixed


async def test_expires_in_as_number_or_string(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn, client: httpx.AsyncClient
) -> None:
    app = zalo_oa_app(make_app, sqlite_url, zalo)
    tokens = ZaloTokens(app, client)
    tokens.seed_from_environment()
    zalo.expires_in = 3600  # type: ignore[assignment]
    await tokens.refresh(rejected="acc-0")
    token = stored(app)
    assert (token.expires_at - token.obtained_at).total_seconds() == 3600


def test_cli_replaces_a_dead_pair_after_the_admin_authorised_again(tmp_path: Path) -> None:
    env = {
        "ZALO_OA_APP_ID": APP_ID,
        "ZALO_OA_SECRET_KEY": "s",
        "ZALO_APP_SECRET_KEY": "k",
        "ZALO_OA_ACCESS_TOKEN": "new-access",
        "ZALO_OA_REFRESH_TOKEN": "new-refresh",
    }
    result = run_cli(["zalo", "token", "--from-env"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert f"Zalo OA token for app {APP_ID}" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with Session(engine) as session:
        token = session.get(ZaloToken, APP_ID)
        assert (token.access_token, token.refresh_token) == ("new-access", "new-refresh")
    engine.dispose()
    missing = run_cli(["zalo", "token"], tmp_path)
    assert missing.returncode == 2 and "ZALO_OA_APP_ID" in missing.stderr
