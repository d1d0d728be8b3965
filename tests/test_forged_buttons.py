"""Forged button payloads: every prefix, out-of-range values → a polite reply, nothing stored."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from bot.app import App
from bot.db.models import FlowState
from handlers import ROUTES
from tests.helpers import press, say, texts

ADMIN = "admin"  # console:admin is a super-admin: admin buttons are tried too
MARK = "987654"
# The states a button can arrive in: each command that shows buttons, or opens a flow.
STARTS = [
    "/start",
    "/dangky",
    "/tudanhgia",
    "/hotro",
    "/nhacnho",
    "nhắc tôi học bài",
    "/lichnhac",
    "/thongbao",
    "/quantri",
    "/hoso",
    "/xoadulieu",
    "học bổng công đoàn là gì",
]
# A payload per prefix for prefixes the walk above may not show (values are replaced anyway).
SEEDS = [
    "faq:x",
    "fb:1:1",
    "staff:1",
    "dk:gender:nam",
    "hs:name",
    "tdg:resume:1",
    "xd:yes:1:1",
    "ht:more",
    "rm:t:0700",
    "rm:wd:1",
    "rm:x:1",
    "ev:x",
    "bc:aud:all",
    "bc:stop:1",
    "qt:rm:console:x",
    "vc:ok:AAAAAAAA",
    "zns:yes",
]


def _forgeries(payload: str) -> set[str]:
    """Replace each value of a payload in turn by out-of-range and odd values."""
    parts = payload.split(":")
    forged = {f"{parts[0]}:{MARK}", f"{parts[0]}:"}
    for index in range(1, len(parts)):
        for value in (MARK, f"-{MARK}", "zz" + MARK, "9999", "99", "-1", "", "1.5e9", "%00"):
            changed = [*parts[:index], value, *parts[index + 1 :]]
            forged.add(":".join(changed)[:64])
    return forged


def _stored(app: App) -> str:
    """Return every row of every table but the audit log (it records attempts) as text."""
    with app.engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if n != "audit_log"]
        return "\n".join(
            str(row) for name in names for row in connection.execute(text(f"select * from {name}"))
        )


def _shown_payloads(replies: list) -> list[str]:
    return [b.payload for r in replies for b in r.all_buttons() if b.payload]


def test_every_button_prefix_survives_forged_values(sqlite_app: App) -> None:
    app = sqlite_app
    error = app.content.messages.text("core.error")
    prefixes = {r.key for r in ROUTES if r.kind == "button"}
    tried: set[str] = set()
    for start in STARTS:
        shown = _shown_payloads(say(app, start, user=ADMIN))
        # Seeds are pressed in the first state, and in every state showing their prefix.
        kinds = {p.partition(":")[0] for p in shown}
        seeds = [p for p in SEEDS if start == STARTS[0] or p.partition(":")[0] in kinds]
        payloads = {p for p in shown + seeds if not p.startswith("cmd:")}
        for payload in sorted(payloads):
            for forged in sorted(_forgeries(payload)):
                say(app, "/huy", user=ADMIN)
                say(app, start, user=ADMIN)
                replies = press(app, forged, user=ADMIN)
                tried.add(forged.partition(":")[0])
                assert replies and all(r.text for r in replies), forged
                assert error not in texts(replies), (start, forged)
                stored = _stored(app)
                assert MARK not in stored and "9999" not in stored, (start, forged)
                # Not stuck: the next message (in whatever step the user is) is handled.
                assert error not in texts(say(app, "7", user=ADMIN)), (start, forged)
    assert prefixes <= tried


def test_forged_reminder_hour_is_refused_and_the_user_not_stuck(sqlite_app: App) -> None:
    say(sqlite_app, "/nhacnho")
    say(sqlite_app, "học bài")
    replies = press(sqlite_app, "rm:t:9999")
    assert "nút này đã cũ" in texts(replies)
    with sqlite_app.sessions.begin() as session:
        assert session.scalars(select(FlowState)).one().data.get("hour") is None
    assert "trục trặc" not in texts(say(sqlite_app, "8 giờ tối"))
