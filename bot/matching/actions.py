"""Questions that ask for an action: stop or resume notices, reminders, help, talk to staff."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.matching.normalize import clean, fold

STAFF = "staff"  # the hand-over to a person; every other action is a bot command
_NOTICES = (
    r"(?:thong bao|tin nhan|tin tuc|(?<!thong )tin(?! hoc)|notifications?|messages?|notices?|news)"
)
_STOP = (
    r"(?:tat(?! ca)|ngung|ngung nhan|ngung gui|huy|huy nhan|dung gui|dung nhan|thoi gui|khoi gui|"
    r"bo nhan|khong nhan|khong muon nhan|khong can nhan|stop|off|dont want|don t want|no more)"
)
_STOP_AFTER = r"(?:tat(?! ca)|ngung|huy|off|stop|khong muon nhan|khong nhan nua|dung gui)"
_OFF = re.compile(
    rf"\b{_STOP}\b.*\b{_NOTICES}\b|\b{_NOTICES}\b.*\b{_STOP_AFTER}\b|\bunsubscribe\b"
)
_START = r"(?:bat|bat lai|nhan lai|mo lai|dang ky nhan|muon nhan|turn on|subscribe)"
_ON = re.compile(rf"\b{_START}\b.*\b{_NOTICES}\b|\bsubscribe\b")
_REMINDERS = r"(?:nhac nho|loi nhac|lich nhac|cai nhac|reminders?)"
_LIST = re.compile(
    r"\b(?:xem|coi|list|danh sach|liet ke|show|check)\b.*\b"
    + _REMINDERS
    + r"\b|\b"
    + _REMINDERS
    + r"\b.*\b(?:da dat|cua toi|cua tui|cua minh|cua em)\b"
)
_SET = re.compile(
    r"\b(?:nhac (?:toi|tui|minh|em|giup|dum|gium|ho)|dat (?:loi |lich |cai )?nhac|"
    r"tao (?:loi |lich )?nhac|hen gio nhac|remind me|set (?:a )?reminders?)\b"
)
_NOT_REMINDER = re.compile(r"\b(?:mui nhac|tiem|vac xin|vacxin|vaccine|chich)\b")
_STAFF = re.compile(
    r"\b(?:gap|noi chuyen|lien he|hoi truc tiep|chat|talk|contact|chuyen)\b.*"
    r"\b(?:can bo|nguoi that|nhan vien|staff|human|admin|nguoi|person)\b"
)
# Whole messages that only ask for help (fillers and punctuation removed).
_HELP = re.compile(
    r"^(?:(?:a|o|u|um|ad|ad oi|bot oi|oi|em oi|please|pls|xin|cho toi|cho tui)\s)*"
    r"(?:help|help me|giup|giup toi|giup tui|giup minh|giup voi|giup em|giup do|tro giup|"
    r"huong dan|huong dan su dung|cuu|cuu toi|cuu voi|menu|sos|ho tro toi|can giup)"
    r"(?:\s(?:voi|di|nha|nhe|a|ad|em|please|pls|duoc khong|dc ko))*$"
)


# A word every action but help needs: most questions skip the costlier patterns.
_ANY_CUE = re.compile(
    r"thong bao|tin|notif|messag|notice|news|subscribe|nhac|remind|can bo|nguoi|nhan vien|"
    r"staff|human|admin|person"
)


@dataclass(frozen=True)
class Action:
    """An action the question asks for, and the entries that describe it."""

    command: str  # the bot command (tatthongbao, lichnhac, help…) or STAFF
    entries: tuple[str, ...]  # the FAQ entries a labelled question names for it


ACTIONS = {
    "tatthongbao": Action("tatthongbao", ("bot-thong-bao",)),
    "batthongbao": Action("batthongbao", ("bot-thong-bao",)),
    "lichnhac": Action("lichnhac", ("bot-nhac-nho",)),
    "nhacnho": Action("nhacnho", ("bot-nhac-nho",)),
    "help": Action("help", ("bot-huong-dan",)),
    STAFF: Action(STAFF, ("phan-anh-gop-y", "bot-huong-dan")),
}


def wants_staff(text: str) -> bool:
    """Whether the citizen asks to talk to a person."""
    return bool(_STAFF.search(fold(clean(text))))


def asked_action(text: str, normalized: str = "") -> Action | None:
    """Return the action a question asks for in so many words, or None.

    `normalized` is the matcher's folded text (abbreviations and English words read):
    a cue counts when it is in either form.
    """
    forms = [fold(clean(text))] + ([normalized] if normalized else [])
    if any(_HELP.match(f) for f in forms):
        return ACTIONS["help"]
    forms = [f for f in forms if _ANY_CUE.search(f)]
    if any(_STAFF.search(f) for f in forms):
        return ACTIONS[STAFF]
    if any(_OFF.search(f) for f in forms):
        return ACTIONS["tatthongbao"]
    if any(_ON.search(f) for f in forms):
        return ACTIONS["batthongbao"]
    if any(_NOT_REMINDER.search(f) for f in forms):
        return None
    if any(_LIST.search(f) for f in forms):
        return ACTIONS["lichnhac"]
    if any(_SET.search(f) for f in forms):
        return ACTIONS["nhacnho"]
    return None
