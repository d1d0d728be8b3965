"""The optional ZNS consent: asked clearly, stored, shown by /taidulieu, removed by /xoadulieu."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.app import App
from bot.cdht.models import Registration
from bot.db.models import User
from bot.db.models_zalo import ZnsConsent
from bot.messages import Reply
from tests.helpers import button_press, text_message

CITIZEN = "6142494823000000001"


def say(app: App, text: str, channel: str = "zalo") -> list[Reply]:
    return app.dispatcher.handle(text_message(text, CITIZEN, channel=channel))


def press(app: App, payload: str) -> list[Reply]:
    return app.dispatcher.handle(button_press(payload, CITIZEN, channel="zalo"))


def give_phone(app: App, phone: str = "0912345678") -> None:
    """Store a registration with a phone, as /dangky does."""
    with app.sessions.begin() as session:
        user_id = session.scalar(select(User.id).where(User.external_id == CITIZEN))
        session.add(
            Registration(
                user_id=user_id,
                full_name="Nguyễn Thị Lan",
                birth_year=1975,
                place_name="xã Lấp Vò",
                group="nguoi-lao-dong",
                phone=phone,
                consent_version="v1",
                created_at=app.now(),
                updated_at=app.now(),
            )
        )


def consent(app: App) -> ZnsConsent | None:
    with app.sessions() as session:
        return session.query(ZnsConsent).one_or_none()


def test_without_a_phone_the_citizen_is_told_how_to_add_one(app: App) -> None:
    (reply,) = say(app, "/nhantinsdt")
    assert "cần có số điện thoại" in reply.text and consent(app) is None


def test_consent_is_asked_stored_exported_and_deleted(app: App) -> None:
    say(app, "/start")
    give_phone(app)
    (ask,) = say(app, "/nhantinsdt")
    assert "0912 345 678" in ask.text and "không bắt buộc" in ask.text
    assert [b.payload for b in ask.all_buttons()] == ["zns:yes", "zns:no"]
    (agreed,) = press(app, "zns:yes")
    assert "đã ghi nhận" in agreed.text
    stored = consent(app)
    assert stored is not None and stored.phone == "0912345678"
    (again,) = say(app, "/nhantinsdt")
    assert "đang đồng ý" in again.text and again.all_buttons()[0].payload == "zns:off"

    (export,) = say(app, "/taidulieu")
    assert export.attachment is not None
    messages = app.content.messages
    tables = json.loads(export.attachment.data)[messages.text("privacy.export_data")]
    (row,) = tables[messages.text("privacy.table_zns_consents")]
    assert row[messages.text("privacy_fields.phone")] == "0912345678"

    (confirm,) = say(app, "/xoadulieu")
    assert "đồng ý nhận tin ZNS" in confirm.text
    yes = next(b.payload for b in confirm.all_buttons() if b.payload.startswith("xd:yes"))
    press(app, yes)
    assert consent(app) is None


def test_declining_or_withdrawing_leaves_no_consent(app: App) -> None:
    say(app, "/start")
    give_phone(app)
    press(app, "zns:yes")
    (reply,) = press(app, "zns:off")
    assert "không gửi tin ZNS" in reply.text and consent(app) is None


def test_other_channels_are_told_it_is_for_zalo(app: App) -> None:
    (reply,) = say(app, "/nhantinsdt", channel="console")
    assert "chỉ dùng cho Zalo OA" in reply.text
