"""/hoso, /taidulieu and /xoadulieu: every table referencing users, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.app import App
from bot.db.base import Base
from bot.db.models import AuditLog, User
from bot.db.models_messaging import InboxUpdate
from bot.db.models_zalo import ZaloEvent
from bot.db.registry import import_all_models
from bot.privacy import personal_data
from tests.cdht_helpers import assess, register, user_id
from tests.conftest import FakeClock
from tests.helpers import press, press_label, say, texts


def test_every_foreign_key_to_users_cascades() -> None:
    # Deleting the users row must remove every personal row, also of tables added later.
    import_all_models()
    users_id = User.__table__.c.id
    found = [
        (table.name, fk.ondelete)
        for table in Base.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column is users_id
    ]
    # SET NULL keeps a shared record (e.g. a broadcast an admin wrote) without the person.
    assert found and all(ondelete in ("CASCADE", "SET NULL") for _, ondelete in found), found
    assert {name for name, _ in found} >= {"registrations", "consents", "assessments"}


def _rows_referencing(app: App, uid: int) -> dict[str, int]:
    with app.sessions() as session:
        counts = personal_data.count_rows(session, user_id=uid)
        counts["users"] = session.scalar(select(func.count()).where(User.id == uid)) or 0
    return {table: n for table, n in counts.items() if n}


def _busy_citizen(app: App) -> int:
    register(app)
    assess(app, [8] * 10)
    say(app, "/tudanhgia")
    say(app, "5")  # an attempt in progress too
    say(app, "/huy")
    say(app, "học bổng khuyến học")  # logged question
    uid = user_id(app)
    assert uid is not None
    return uid


def _times(value: object) -> list[str]:
    """Return every ISO date-time string inside an exported value."""
    if isinstance(value, dict):
        return [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        return [value]
    return []


def test_export_holds_every_table_as_utf8_json(app: App) -> None:
    uid = _busy_citizen(app)
    say(app, "/thongbao")  # a refused admin command: an audit-log row about the citizen
    (reply,) = say(app, "/taidulieu")
    assert reply.attachment is not None and reply.attachment.filename.endswith(".json")
    data = json.loads(reply.attachment.data.decode("utf-8"))
    messages = app.content.messages
    tables = data[messages.text("privacy.export_data")]
    label = {t: messages.text(f"privacy.table_{t}") for t in _rows_referencing(app, uid)}
    assert set(label.values()) <= set(tables)
    registration = tables[label["registrations"]][0]
    assert registration["họ và tên"] == "Nguyễn Thị Lan"
    assert "Nguyễn Thị Lan".encode() in reply.attachment.data  # not \\u escapes
    assert len(tables[label["assessments"]]) == 2
    assert tables[label["users"]][0]["mã dòng"] == uid
    audit = tables[messages.text("privacy.table_audit_log")]
    assert [row["việc làm"] for row in audit] == ["command:thongbao"]
    # Vietnamese labels only: no column keeps its English name.
    import_all_models()
    columns = {c.name for table in Base.metadata.sorted_tables for c in table.c}
    keys = {k for rows in tables.values() for row in rows for k in row}
    assert not keys & columns, keys & columns
    # One time zone: every moment in Vietnam time.
    moments = _times(data)
    assert len(moments) > 10 and all(m.endswith("+07:00") for m in moments), moments
    consents = data[messages.text("privacy.export_consents")]
    assert "Mục đích" in consents[registration["phiên bản lời đồng ý"]]
    assert reply.attachment.filename != say(app, "/taidulieu")[0].attachment.filename


def test_delete_asks_then_removes_every_row_of_the_user(app: App) -> None:
    uid = _busy_citizen(app)
    say(app, "/dangky", user="someone-else")  # another citizen's data stays
    before = _rows_referencing(app, uid)
    assert {"registrations", "assessments", "consents", "question_log", "users"} <= set(before)
    replies = say(app, "/xoadulieu")
    assert "đăng ký Công dân học tập: 1" in texts(replies)
    assert "lượt tự đánh giá: 2" in texts(replies)
    kept = press_label(app, replies, "Không xóa")
    assert "giữ nguyên" in texts(kept) and _rows_referencing(app, uid) == before
    done = press_label(app, replies, "Xóa hết")
    assert "đã xóa toàn bộ" in texts(done) and "rút lại sự đồng ý" in texts(done)
    assert _rows_referencing(app, uid) == {}
    with app.sessions() as session:  # nothing anywhere points at the deleted id
        for table, columns in personal_data.user_tables():
            for column in columns:
                count = session.scalar(
                    select(func.count()).select_from(table).where(column == uid)
                )
                assert count == 0, table.name
    assert user_id(app, "someone-else") is not None
    assert "chưa đăng ký" in texts(say(app, "/hoso"))


def test_delete_confirmation_is_bound_to_account_and_time(
    sqlite_app: App, clock: FakeClock
) -> None:
    register(sqlite_app)
    replies = say(sqlite_app, "/xoadulieu")
    payload = next(b.payload for r in replies for b in r.all_buttons() if "Xóa" in b.label)
    assert "đã cũ" in texts(press(sqlite_app, payload, user="intruder"))
    clock.advance(minutes=20)
    assert "hết hạn" in texts(press(sqlite_app, payload))
    assert user_id(sqlite_app) is not None


def test_profile_shows_data_and_counts(sqlite_app: App) -> None:
    assert "chưa đăng ký" in texts(say(sqlite_app, "/hoso"))
    register(sqlite_app)
    assess(sqlite_app, [10] * 10)
    text = texts(say(sqlite_app, "/hoso"))
    assert "Nguyễn Thị Lan" in text and "xã Lấp Vò" in text and "0912 345 678" in text
    assert "lượt tự đánh giá: 1" in text and "phiên bản" in text


def test_every_personal_table_and_column_has_a_vietnamese_label(sqlite_app: App) -> None:
    messages = sqlite_app.content.messages
    tables = [User.__table__, AuditLog.__table__, ZaloEvent.__table__, InboxUpdate.__table__]
    tables += [table for table, _ in personal_data.user_tables()]
    missing = [t.name for t in tables if f"privacy.table_{t.name}" not in messages]
    missing += [
        f"{t.name}.{c.name}"
        for t in tables
        for c in t.c
        if f"privacy_fields.{c.name}" not in messages
    ]
    assert missing == []
