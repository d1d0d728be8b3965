"""After /xoadulieu no trace: rows, audit and event keys, files, and the bytes on disk."""

from __future__ import annotations

import asyncio
import io
import json
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.app import App
from bot.broadcast.models import Broadcast
from bot.channels.console import ConsoleChannel
from bot.db import repo_outbox, repo_zalo
from bot.db.base import utcnow
from bot.db.models import AuditLog, QuestionLog, User
from bot.db.models_messaging import InboxUpdate, OutboxMessage
from bot.db.models_zalo import ZaloEvent
from bot.db.repo_inbox import Received
from bot.db.repo_outbox import Queued
from bot.messages import Incoming, Kind, Reply
from bot.messaging import leader, sender
from bot.privacy import retention
from tests.broadcast_support import add_citizen
from tests.cdht_helpers import assess, register, user_id
from tests.conftest import AppFactory, FakeClock
from tests.helpers import (
    DEFAULT_USER,
    buttons_of,
    press,
    press_label,
    say,
    telegram_app,
    telegram_polling,
    text_message,
    texts,
)
from tests.standins.bot_api import BotApiStandIn

ADMIN = "admin"  # console:admin is the super-admin in the test settings
NAME = "Trần Thị Bích Ngọc"
PHONE = "0987654321"


def _save(app: App, replies: list[Reply]) -> None:
    """Let the terminal channel write the replies' attachments to its files folder."""
    channel = ConsoleChannel(app, io.StringIO(), io.StringIO())
    for reply in replies:
        asyncio.run(channel.send("x", reply))


def _disk(folder: Path) -> dict[str, bytes]:
    """Return the bytes of every file under the folder (database, WAL, exports, logs)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _found(folder: Path, needles: list[bytes]) -> list[str]:
    """Name the files under the folder that hold any of the needles."""
    return [name for name, data in _disk(folder).items() if any(n in data for n in needles)]


def _console(app: App, files_dir: Path | None = None) -> ConsoleChannel:
    """A terminal chat as the test citizen: each line goes through the inbox and outbox."""
    return ConsoleChannel(
        app, io.StringIO(), io.StringIO(), user_id=DEFAULT_USER, files_dir=files_dir
    )


def _type(channel: ConsoleChannel, *lines: str) -> str:
    """Store the lines as one intake (as if sent at once), handle them, return what printed."""
    out = channel.stdout
    assert isinstance(out, io.StringIO)
    start = len(out.getvalue())

    async def run() -> None:
        items = []
        for line in lines:
            incoming = channel._incoming(line)
            key = f"{channel._session_key}:{next(channel._lines)}"
            items.append(
                Received(channel.name, key, f"console:{incoming.chat_id}", asdict(incoming))
            )
        await channel.core.intake(items)
        await channel.flush()

    asyncio.run(run())
    return out.getvalue()[start:]


def _number_of(output: str, label: str) -> str:
    """Return the number the chat printed for the last option with this label."""
    return [line.split(")")[0].strip() for line in output.splitlines() if label in line][-1]


# The name as SQLAlchemy's JSON columns write it (ASCII escapes), and the phone's forms.
NEEDLES = [
    NAME.encode(),
    json.dumps(NAME)[1:-1].encode(),
    PHONE.encode(),
    b"0987 654 321",
]


def test_deleted_citizen_leaves_no_bytes_in_the_database_wal_or_files(
    make_app: AppFactory, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    app = make_app(f"sqlite:///{data / 'khuyenhoc.db'}", files_dir=data / "files")
    register(app, name=NAME, phone="0987 654 321")
    register(app, "neighbour", name="Lê Văn Hùng", phone="0912 888 777")
    assess(app, [8] * 10)
    say(app, "nhắc tôi 20h mỗi ngày học bài")
    say(app, "/thongbao")  # refused: an audit row naming the citizen
    chat = _console(app, data / "files")
    # Typed in the terminal: the inbox keeps the payloads, the outbox the replies.
    _type(chat, f"Tôi là {NAME}, số 0987 654 321, hỏi học bổng khuyến học")
    _type(chat, "/taidulieu")  # the JSON lands in data/files
    (export,) = (data / "files").glob("du-lieu-cua-toi-*.json")
    exported = json.loads(export.read_text(encoding="utf-8"))["Dữ liệu em lưu về Anh/Chị"]
    typed = [
        row["nội dung tin"]["text"]
        for row in exported["tin nhắn Anh/Chị đã gửi em (bản lưu tạm để xử lý)"]
    ]
    assert f"Tôi là {NAME}, số 0987 654 321, hỏi học bổng khuyến học" in typed
    assert exported["tin em đang gửi hoặc đã gửi Anh/Chị"]  # the replies too
    _save(app, say(app, "/xuatdulieu", user=ADMIN))  # an admin's CSV holds both citizens
    assert len(_found(data, NEEDLES)) >= 3  # database (or WAL), the JSON, the CSV
    with app.sessions.begin() as session:
        assert session.scalar(select(func.count()).select_from(InboxUpdate)) >= 2

    asked = _type(chat, "/xoadulieu")
    assert "tin nhắn Anh/Chị đã gửi em" in asked and "tin em đang gửi hoặc đã gửi" in asked
    assert "Em vẫn giữ" not in asked  # messages to the person are not kept as records
    done = _type(chat, _number_of(asked, "Xóa hết"))
    assert "đã xóa toàn bộ" in done

    assert _found(data, NEEDLES) == []
    assert (data / "khuyenhoc.db-wal").exists()  # searched too: checkpointed, then reused
    assert _found(data, [b"L\xc3\xaa V\xc4\x83n H\xc3\xb9ng"]) != []  # the neighbour stays
    with app.sessions.begin() as session:
        assert (
            session.scalars(select(AuditLog).where(AuditLog.who == "console:citizen-1")).all()
            == []
        )
        keys = session.scalars(select(InboxUpdate.chat_key)).all()
    assert f"console:{DEFAULT_USER}" not in keys


async def test_telegram_updates_and_replies_leave_no_name_or_phone_after_deletion(
    make_app: AppFactory, sqlite_url: str, bot_api: BotApiStandIn
) -> None:
    # The real PTB Application against the Bot API stand-in: the inbox holds whole updates
    # (the profile name too) and the outbox the replies.
    app = telegram_app(make_app, sqlite_url, bot_api)
    citizen, profile = 5550001123, "Bích Ngọc Trần"
    async with telegram_polling(app) as runtime:
        bot_api.user_says(f"Tôi là {NAME}, số {PHONE}", user_id=citizen, first_name=profile)
        bot_api.user_says("/xoadulieu", user_id=citizen, first_name=profile)
        await bot_api.wait_for(2)
        await runtime.settle()
        asked = bot_api.sent(citizen)[-1]
        assert "tin nhắn Anh/Chị đã gửi em" in asked["text"]
        yes = next(b["callback_data"] for b in buttons_of(asked) if "Xóa hết" in b["text"])
        bot_api.user_presses(yes, user_id=citizen)
        await bot_api.wait_for(3)
        await runtime.settle()
    assert "đã xóa toàn bộ" in bot_api.sent(citizen)[-1]["text"]
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    needles = [*NEEDLES, profile.encode(), json.dumps(profile)[1:-1].encode()]
    assert _found(folder, needles) == []


def test_an_update_in_flight_and_a_queued_reply_do_not_bring_the_data_back(
    make_app: AppFactory, db_url: str
) -> None:
    app = make_app(db_url)
    register(app, name=NAME, phone="0987 654 321")
    uid = user_id(app)
    chat = _console(app)
    with app.sessions.begin() as session:  # a reminder waiting for its time, naming them
        later = app.now() + timedelta(hours=2)
        text = f"Chào {NAME}, nhớ gọi 0987 654 321"
        waiting, flying = (
            repo_outbox.enqueue(
                session,
                reply=Reply(text),
                channel="console",
                chat_id=DEFAULT_USER,
                user_id=uid,
                kind=kind,
                not_before=when,
            )
            for kind, when in (("reminder", later), ("notice", None))
        )
        session.flush()
        repo_outbox.mark_sending(session, ids=[flying.id])  # a sender has it in hand
    asked = _type(chat, "/xoadulieu")
    # The confirmation and a message typed right after it arrive together: the second is
    # still waiting in the inbox while the first deletes everything.
    done = _type(chat, _number_of(asked, "Xóa hết"), f"Số của tôi là {PHONE}, tên {NAME}")
    assert "đã xóa toàn bộ" in done
    assert NAME not in done and "Câu hỏi" not in done  # the second got no reply
    assert user_id(app) is None  # ...and did not create the account again

    # The sender that had the notice in hand reports a failure after the deletion.
    row = Queued(
        flying.id, "console", DEFAULT_USER, uid, "notice", {"text": "x"}, None, 1, None, None
    )
    with app.sessions.begin() as session:
        sender.record(session, results=[sender.Result(row, "failed", error="boom")], app=app)
    with app.sessions.begin() as session:
        texts_left = [r.payload["text"] for r in session.scalars(select(OutboxMessage))]
        payloads = [
            json.dumps(r.payload, ensure_ascii=False) for r in session.scalars(select(InboxUpdate))
        ]
        users = session.scalar(select(func.count()).select_from(User))
    assert all(NAME not in t and "0987" not in t for t in texts_left), texts_left
    assert all(NAME not in p and PHONE not in p for p in payloads), payloads
    assert users == 0
    assert asyncio.run(chat.flush()) == 0  # nothing left to send them


def test_zalo_follow_events_of_the_user_are_deleted(sqlite_app: App) -> None:
    zalo_id = "6142494823000000777"
    with sqlite_app.sessions.begin() as session:
        now = sqlite_app.now()
        repo_zalo.claim_event(session, key=f"oa:follow:{zalo_id}:1764590000000", now=now)
        repo_zalo.claim_event(session, key="oa:follow:6142494823000000999:1", now=now)
    sqlite_app.dispatcher.handle(text_message("/start", zalo_id, channel="zalo"))
    asked = sqlite_app.dispatcher.handle(text_message("/xoadulieu", zalo_id, channel="zalo"))
    assert "sự kiện Zalo" in texts(asked)
    payload = next(b.payload for r in asked for b in r.all_buttons() if "Xóa" in b.label)
    sqlite_app.dispatcher.handle(
        Incoming("zalo", zalo_id, zalo_id, payload=payload, kind=Kind.BUTTON)
    )
    with sqlite_app.sessions.begin() as session:
        keys = [e.key for e in session.scalars(select(ZaloEvent))]
    assert keys == ["oa:follow:6142494823000000999:1"]


def test_an_admins_deletion_keeps_official_notices_detached(app: App) -> None:
    add_citizen(app, "c1", channel="console")
    say(app, "/thongke 1900", user=ADMIN)  # mistyped: a bad_input row of the admin
    say(app, "/thongbao", user=ADMIN)
    say(app, "Họp khuyến học sáng thứ Hai.", user=ADMIN)
    say(app, "/huy", user=ADMIN)
    say(app, "/thongbao", user=ADMIN)
    say(app, "Lịch học lớp tin học.", user=ADMIN)
    press(app, "bc:skip", user=ADMIN)
    menu = press(app, "bc:skip", user=ADMIN)
    preview = press_label(app, menu, "Tất cả người dùng", user=ADMIN)
    press_label(app, preview, "Gửi ngay", user=ADMIN)
    with app.sessions.begin() as session:
        (notice,) = session.scalars(select(Broadcast)).all()
        notice.progress_channel, notice.progress_chat_id = "console", ADMIN

    asked = say(app, "/xoadulieu", user=ADMIN)
    assert "broadcast" not in texts(asked)  # Vietnamese words, not table names
    assert "Em vẫn giữ" in texts(asked) and "thông báo chính thức" in texts(asked)
    done = press_label(app, asked, "Xóa hết", user=ADMIN)
    assert "thông báo chính thức" in texts(done)

    with app.sessions.begin() as session:
        (notice,) = session.scalars(select(Broadcast)).all()
        assert notice.text == "Lịch học lớp tin học."
        assert (notice.created_by, notice.progress_chat_id, notice.progress_channel) == (
            None,
            None,
            None,
        )
        rows = [(r.who, r.action, r.result) for r in session.scalars(select(AuditLog))]
    assert all(who != "console:admin" for who, _, _ in rows)
    kept = [(action, result) for who, action, result in rows if who.startswith("đã-xóa-")]
    assert ("broadcast.send", "ok") in kept and ("broadcast.compose", "ok") in kept
    assert ("cdht.stats", "bad_input") not in kept
    assert len({who for who, _, _ in rows if who.startswith("đã-xóa-")}) == 1


def test_old_question_logs_lose_their_author(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    app = make_app(db_url, question_log_retention_days=30)
    say(app, "học bổng khuyến học")
    clock.advance(days=20)
    say(app, "tuần lễ học tập suốt đời")
    clock.advance(days=11)
    assert retention.run_once(app) == 1
    with app.sessions.begin() as session:
        logs = {q.text: q.user_id for q in session.scalars(select(QuestionLog))}
        uid = session.scalar(select(User.id))
    assert logs == {"học bổng khuyến học": None, "tuần lễ học tập suốt đời": uid}
    assert user_id(app) == uid
    assert retention.run_once(app) == 0


def test_handled_updates_and_sent_messages_are_purged_after_the_retention(
    make_app: AppFactory, db_url: str, clock: FakeClock
) -> None:
    clock.advance(seconds=(utcnow() - clock()).total_seconds())  # the purge reads wall time
    app = make_app(db_url, inbox_retention_hours=48)
    chat = _console(app)
    _type(chat, f"Tôi là {NAME}, số {PHONE}")
    with app.sessions.begin() as session:  # three days pass
        old = utcnow() - timedelta(days=3)
        session.execute(update(InboxUpdate).values(received_at=old))
        session.execute(update(OutboxMessage).values(created_at=old))
        repo_outbox.enqueue(  # a reminder queued for next week stays until it is sent
            session,
            reply=Reply("Nhắc: học bài"),
            channel="console",
            chat_id=DEFAULT_USER,
            kind="reminder",
            not_before=utcnow() + timedelta(days=7),
            now=old,
        )
    _type(chat, "học bổng khuyến học")  # today's message and reply stay
    updates, messages = leader.prune(app)
    assert updates == 1 and messages >= 1
    with app.sessions.begin() as session:
        payloads = [u.payload["text"] for u in session.scalars(select(InboxUpdate))]
        sent = [(m.status, m.payload["text"]) for m in session.scalars(select(OutboxMessage))]
    assert payloads == ["học bổng khuyến học"]
    assert sorted({status for status, _ in sent}) == ["pending", "sent"]
    assert leader.prune(app) == (0, 0)
    assert not [text for _, text in sent if PHONE in text or NAME in text]


def test_consent_says_questions_are_stored_and_for_how_long(sqlite_app: App) -> None:
    consent = sqlite_app.content.section("consent")
    text = consent.versions[consent.current]
    assert "Câu hỏi Anh/Chị gửi bot được lưu kèm tài khoản" in text
    assert "sau 12 tháng" in text  # QUESTION_LOG_RETENTION_DAYS
    assert sqlite_app.settings.question_log_retention_days == 365
    assert "giữ tạm tối đa 48 giờ rồi tự xóa" in text  # INBOX_RETENTION_HOURS
    assert sqlite_app.settings.inbox_retention_hours == 48
    assert "Câu hỏi" in texts(say(sqlite_app, "/dangky"))
