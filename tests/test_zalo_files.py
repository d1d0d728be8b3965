"""Files reach Zalo users: OA uploads (image, file), signed links for the Zalo Bot."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlparse

import httpx
import pytest

from bot.channels import download_links
from bot.channels.zalo_oa import ZaloOAChannel
from bot.db.models_zalo import DownloadLink
from bot.messages import Attachment, Reply
from tests.conftest import AppFactory, FakeClock
from tests.standins.zalo_api import ZaloStandIn
from tests.zalo_helpers import (
    CITIZEN,
    now_ms,
    post_event,
    serving,
    zalo_bot_settings,
    zalo_oa_app,
)

PUBLIC = "https://bot.example.vn"
TED = "6ede9afa66b88fe6d6a9"
WEBHOOK = f"{PUBLIC}/zalo/bot"
SECRET = "zalo-bot-secret-1"


async def say(client: httpx.AsyncClient, zalo: ZaloStandIn, clock: FakeClock, text: str) -> None:
    """Post a citizen's text to the OA webhook, a second after the last one."""
    clock.advance(seconds=1)
    event = zalo.oa_event("user_send_text", CITIZEN, at_ms=now_ms(clock), text=text)
    assert (await post_event(client, event)).is_success


async def test_a_zalo_citizen_downloads_their_data_as_a_json_file(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo)
    async with serving(app) as (_runtime, client):
        await say(client, zalo, clock, "/taidulieu")
        await zalo.wait_for(2)
    caption, file = zalo.oa_sent(CITIZEN)
    assert "toàn bộ dữ liệu" in caption["text"]
    assert file["attachment"]["type"] == "file"
    name, data = zalo.uploads[file["attachment"]["payload"]["token"]]
    assert name.startswith("du-lieu-cua-toi-") and name.endswith(".json")
    exported = json.loads(data)
    accounts = exported[app.content.messages.text("privacy.export_data")]
    account = accounts[app.content.messages.text("privacy.table_users")][0]
    assert account[app.content.messages.text("privacy_fields.external_id")] == CITIZEN
    assert "chưa gửi được" not in caption["text"]


async def test_an_admin_gets_the_chart_as_an_image_and_the_csv_as_a_file(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    app = zalo_oa_app(make_app, db_url, zalo, admin_ids=(f"zalo:{CITIZEN}",))
    async with serving(app) as (_runtime, client):
        await say(client, zalo, clock, "/thongke")
        await zalo.wait_for(2)
        await say(client, zalo, clock, "/xuatdulieu")
        await zalo.wait_for(4)
    stats, chart, caption, csv = zalo.oa_sent(CITIZEN)
    assert "text" in stats and "attachment" not in stats
    payload = chart["attachment"]["payload"]
    assert payload["template_type"] == "media" and chart["text"].startswith("Biểu đồ")
    name, png = zalo.uploads[payload["elements"][0]["attachment_id"]]
    assert name.endswith(".png") and png.startswith(b"\x89PNG") and len(png) <= 1_000_000
    assert [c.path for c in zalo.calls].count("upload_image") == 1
    assert caption["text"].startswith("Tệp CSV")
    name, data = zalo.uploads[csv["attachment"]["payload"]["token"]]
    assert name.endswith(".csv") and data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8


async def test_an_image_over_one_megabyte_goes_up_as_a_file(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    channel = ZaloOAChannel(zalo_oa_app(make_app, sqlite_url, zalo))
    await channel.start()
    big = Attachment("anh.png", b"\x89PNG" + b"0" * 1_100_000, is_image=True)
    await channel.send(CITIZEN, Reply("Ảnh lớn", attachment=big))
    await channel.stop()
    text, file = zalo.oa_sent(CITIZEN)
    assert text == {"text": "Ảnh lớn"} and file["attachment"]["type"] == "file"
    assert [c.path for c in zalo.calls if c.path.startswith("upload")] == ["upload_file"]


async def test_a_file_zalo_refuses_comes_as_a_short_lived_link(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    zalo.refused_file_types = {".json"}
    app = zalo_oa_app(make_app, db_url, zalo, public_base_url=PUBLIC, download_link_minutes=15)
    async with serving(app) as (_runtime, client):
        await say(client, zalo, clock, "/taidulieu")
        await zalo.wait_for(2)
        note = zalo.oa_sent(CITIZEN)[1]["text"]
        url = next(word for word in note.split() if word.startswith(PUBLIC))
        assert "15 phút" in note
        path = urlparse(url).path
        assert len(path.rsplit("/", 1)[1]) >= 43  # 256 random bits
        got = await client.get(path)
        exported = json.loads(got.content)
        assert got.status_code == 200
        assert exported[app.content.messages.text("privacy.export_data")]
        assert got.headers["cache-control"] == "no-store"
        assert (await client.get(path[:-2] + "xx")).status_code == 404
        clock.advance(minutes=16)
        assert (await client.get(path)).status_code == 404
    with app.sessions() as session:
        assert session.query(DownloadLink).count() == 0  # deleted once expired


async def test_zalo_bot_sends_the_chart_by_photo_url_and_a_file_as_a_link(
    make_app: AppFactory, db_url: str, zalo: ZaloStandIn, clock: FakeClock
) -> None:
    settings = zalo_bot_settings(
        zalo,
        zalo_bot_webhook_url=WEBHOOK,
        zalo_bot_webhook_secret=SECRET,
        public_base_url=PUBLIC,
        admin_ids=(f"zalobot:{TED}",),
    )
    app = make_app(db_url, **settings)
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    async with serving(app) as (_runtime, client):
        await client.post("/zalo/bot", json=zalo.bot_update("/thongke"), headers=headers)
        await zalo.wait_for(1, "sendPhoto")
        photo = zalo.calls_to("sendPhoto")[0].params
        assert photo["chat_id"] == TED and photo["caption"].startswith("Biểu đồ")
        image = await client.get(urlparse(photo["photo"]).path)
        assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
        assert image.headers["content-type"] == "image/png"
        await client.post("/zalo/bot", json=zalo.bot_update("/taidulieu"), headers=headers)
        await zalo.wait_for(2, "sendMessage")
    text = zalo.bot_sent(TED)[-1]
    assert "toàn bộ dữ liệu" in text and f"{PUBLIC}/tai/" in text


async def test_without_a_public_address_the_zalo_bot_says_where_to_get_the_file(
    make_app: AppFactory, sqlite_url: str, zalo: ZaloStandIn
) -> None:
    settings = zalo_bot_settings(
        zalo, zalo_bot_webhook_url=WEBHOOK, zalo_bot_webhook_secret=SECRET
    )
    headers = {"X-Bot-Api-Secret-Token": SECRET}
    async with serving(make_app(sqlite_url, **settings)) as (_runtime, client):
        await client.post("/zalo/bot", json=zalo.bot_update("/taidulieu"), headers=headers)
        await zalo.wait_for(1, "sendMessage")
    assert "nhắn cán bộ" in zalo.bot_sent(TED)[0] and not zalo.calls_to("sendPhoto")


async def test_expired_links_are_deleted_even_when_nobody_opens_them(
    make_app: AppFactory, sqlite_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download_links, "PRUNE_SECONDS", 0.01)
    app = make_app(sqlite_url, public_base_url=PUBLIC, download_link_minutes=5)
    download_links.make_link(app, Attachment("a.json", b"{}"))
    pruner = download_links.create_service(app)
    await pruner.start()
    clock.advance(minutes=6)
    for _ in range(200):
        with app.sessions() as session:
            if session.query(DownloadLink).count() == 0:
                break
        await asyncio.sleep(0.01)
    await pruner.stop()
    with app.sessions() as session:
        assert session.query(DownloadLink).count() == 0
