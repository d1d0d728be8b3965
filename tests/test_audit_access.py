"""Admin access to personal data leaves a trace in the audit log; exports never overwrite."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.db.models import AuditLog
from tests.helpers import say

ADMIN = "admin"  # console:admin is the super-admin in the test settings


def _audit(app: App) -> list[tuple[str, str, str, str]]:
    with app.sessions.begin() as session:
        rows = session.scalars(select(AuditLog).order_by(AuditLog.id))
        return [(r.who, r.action, r.detail, r.result) for r in rows]


def test_stats_every_export_and_unanswered_list_are_audited(app: App) -> None:
    say(app, "/thongke", user=ADMIN)
    say(app, "/thongke 1990", user=ADMIN)
    first = say(app, "/xuatdulieu", user=ADMIN)
    second = say(app, "/xuatdulieu nhom=khong-co", user=ADMIN)
    third = say(app, "/xuatdulieu", user=ADMIN)
    say(app, "/cauhoimoi 7", user=ADMIN)
    rows = _audit(app)
    actions = [(who, action, result) for who, action, _detail, result in rows]
    assert actions == [
        ("console:admin", "cdht.stats", "ok"),
        ("console:admin", "cdht.stats", "bad_input"),
        ("console:admin", "cdht.export", "ok"),
        ("console:admin", "cdht.export", "bad_input"),
        ("console:admin", "cdht.export", "ok"),
        ("console:admin", "questions.unanswered", "ok"),
    ]
    assert rows[0][2] == "2026" and rows[-1][2] == "7"
    assert first[0].attachment is not None and third[0].attachment is not None
    assert second[0].attachment is None
    assert first[0].attachment.filename != third[0].attachment.filename  # same minute
