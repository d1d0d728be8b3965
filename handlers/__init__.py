"""The routing table: every route of the bot, in order."""

from bot.routing import button, command, fallback, flow, text, voice  # noqa: F401
from handlers import (
    admins,
    assess,
    assess_result,
    broadcast,
    broadcast_reports,
    cdht_admin,
    curation,
    faq,
    privacy,
    profile,
    register,
    reminder_list,
    reminder_steps,
    reminders,
    smalltalk,
    start,
    support,
    voice_notes,
)

ROUTES = [
    # Commands (a command always wins over an open flow).
    command("start", start.handle_start, menu=True),
    command("help", start.handle_help, menu=True),
    command("huy", start.handle_cancel, menu=True),
    command("dangky", register.handle_register, menu=True),
    command("tudanhgia", assess.handle_assess, menu=True),
    command("ketqua", assess_result.handle_history, menu=True),
    command("hoso", profile.handle_profile, menu=True),
    command("taidulieu", privacy.handle_export, menu=True),
    command("xoadulieu", privacy.handle_delete, menu=True),
    command("thongke", cdht_admin.handle_stats, admin=True),
    command("xuatdulieu", cdht_admin.handle_export, admin=True),
    command("hotro", support.handle_start, menu=True),
    command("nhacnho", reminders.handle_command, menu=True),
    command("lichnhac", reminder_list.handle_list, menu=True),
    command("cauhoimoi", curation.handle_unanswered, admin=True),
    command("tatthongbao", admins.handle_notices_off, menu=True),
    command("batthongbao", admins.handle_notices_on, menu=True),
    command("thongbao", broadcast.handle_compose, admin=True),
    command("baocao", broadcast_reports.handle_report, admin=True),
    command("quantri", admins.handle_admins, admin=True),
    # Button payloads, by prefix.
    button("faq", faq.handle_faq_button),
    button("fb", faq.handle_feedback),
    button("staff", faq.handle_leave_for_staff),
    button("dk", register.handle_button),
    button("hs", profile.handle_edit_button),
    button("tdg", assess.handle_button),
    button("xd", privacy.handle_delete_button),
    button("ht", support.handle_button),
    button("rm", reminder_steps.handle_button),
    button("ev", reminder_list.handle_subscribe),
    button("bc", broadcast.handle_button, admin=True),
    button("qt", admins.handle_admin_button, admin=True),
    button(voice_notes.PREFIX, voice_notes.handle_button),
    # A voice note: the transcript is offered for confirmation (flows stay as they are).
    voice(voice_notes.handle_voice),
    # Free text while the user is in a multi-step flow goes to that flow's handler.
    flow(register.FLOW, register.handle_text),
    flow(assess.FLOW, assess.handle_text),
    flow(support.FLOW, support.handle_text),
    flow(reminders.FLOW, reminder_steps.handle_flow_text),
    flow(broadcast.FLOW, broadcast.handle_flow),
    # Free text patterns, most specific first.
    text("reminder", reminders.is_reminder_request, reminders.handle_text_request),
    text("smalltalk", smalltalk.is_smalltalk, smalltalk.handle_smalltalk),
    # The FAQ fallback comes last: any other text is a question for the FAQ matcher.
    fallback(faq.handle_question),
]
