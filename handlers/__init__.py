"""The routing table: every route of the bot, in order."""

from bot.routing import button, command, fallback, flow, text  # noqa: F401
from handlers import admins, broadcast, broadcast_reports, faq, smalltalk, start

ROUTES = [
    # Commands (a command always wins over an open flow).
    command("start", start.handle_start, menu=True),
    command("help", start.handle_help, menu=True),
    command("huy", start.handle_cancel, menu=True),
    command("tatthongbao", admins.handle_notices_off, menu=True),
    command("batthongbao", admins.handle_notices_on, menu=True),
    command("thongbao", broadcast.handle_compose, admin=True),
    command("baocao", broadcast_reports.handle_report, admin=True),
    command("quantri", admins.handle_admins, admin=True),
    # Button payloads, by prefix.
    button("faq", faq.handle_faq_button),
    button("fb", faq.handle_feedback),
    button("staff", faq.handle_leave_for_staff),
    button("menu", start.handle_menu_button),
    button("bc", broadcast.handle_button, admin=True),
    button("qt", admins.handle_admin_button, admin=True),
    # Free text while the user is in a multi-step flow goes to that flow's handler.
    flow(broadcast.FLOW, broadcast.handle_flow),
    # Free text patterns, most specific first.
    text("smalltalk", smalltalk.is_smalltalk, smalltalk.handle_smalltalk),
    # The FAQ fallback comes last: any other text is a question for the FAQ matcher.
    fallback(faq.handle_question),
]
