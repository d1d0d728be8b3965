"""/dangky and /hoso: consent, every field's validation, saving, updating (SQLite and PG)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.cdht.models import Consent, Registration
from tests.cdht_helpers import register, user_id
from tests.conftest import AppFactory
from tests.helpers import labels, press, press_label, say, texts


def registration(app: App, user: str = "citizen-1") -> Registration | None:
    with app.sessions() as session:
        return session.get(Registration, user_id(app, user))


def test_full_registration_is_saved_normalised(app: App) -> None:
    replies = register(app)
    assert "đã lưu đăng ký" in texts(replies)
    assert "Nguyễn Thị Lan" in texts(replies) and "0912 345 678" in texts(replies)
    saved = registration(app)
    assert saved is not None
    assert (saved.full_name, saved.birth_year, saved.gender) == ("Nguyễn Thị Lan", 1975, "nu")
    assert (saved.place_name, saved.place_verified) == ("xã Lấp Vò", True)
    assert (saved.group, saved.union_member, saved.phone) == ("nguoi-lao-dong", True, "0912345678")
    assert saved.consent_version == app.content.section("consent").current
    with app.sessions() as session:
        consent = session.scalars(select(Consent)).one()
        assert consent.granted and consent.text_version == saved.consent_version


def test_consent_states_purpose_recipient_and_retention_and_no_stores_nothing(app: App) -> None:
    replies = say(app, "/dangky")
    text = texts(replies)
    assert "Mục đích" in text and "Hội Khuyến học" in text and "Sở Giáo dục" in text
    assert "Thời hạn lưu" in text and "/xoadulieu" in text and "CCCD" in text
    replies = press_label(app, replies, "Không đồng ý")
    assert "không lưu thông tin cá nhân" in texts(replies)
    assert registration(app) is None
    with app.sessions() as session:
        consent = session.scalars(select(Consent)).one()
        assert consent.granted is False
    assert "họ tên cần" not in texts(say(app, "A"))  # no longer in the flow
    assert "ghi nhận đồng ý / không đồng ý: 1" in texts(say(app, "/hoso"))


def test_consent_typed_answer_and_unclear_reply(sqlite_app: App) -> None:
    say(sqlite_app, "/dangky")
    assert "bấm" in texts(say(sqlite_app, "để tôi nghĩ đã"))
    assert "họ và tên" in texts(say(sqlite_app, "đồng ý"))


@pytest.mark.parametrize(
    ("step_inputs", "bad", "reprompt"),
    [
        ([], "A", "2–80 ký tự"),
        ([], "Nguyễn Văn 3", "chỉ gồm chữ cái"),
        ([], "079123456789", "chỉ gồm chữ cái"),  # a CCCD number is never a name
        (["Lan"], "75", "4 chữ số"),
        (["Lan"], "2020", "tuổi từ 10 đến 100"),
        (["Lan"], "1900", "tuổi từ 10 đến 100"),
        (["Lan"], "năm bảy lăm", "4 chữ số"),
        (["Lan", "1975"], "đàn ông", "chọn một nút"),
        (["Lan", "1975", "nữ"], "x", "ít nhất 2 chữ cái"),
    ],
)
def test_bad_inputs_get_short_reprompts(
    sqlite_app: App, step_inputs: list[str], bad: str, reprompt: str
) -> None:
    replies = say(sqlite_app, "/dangky")
    press_label(sqlite_app, replies, "Tôi đồng ý")
    for text in step_inputs:
        say(sqlite_app, text)
    assert reprompt in texts(say(sqlite_app, bad))


def _to_step(app: App, step: str) -> list:
    replies = say(app, "/dangky")
    press_label(app, replies, "Tôi đồng ý")
    say(app, "Lan")
    say(app, "1975")
    replies = say(app, "nữ")
    if step == "place":
        return replies
    replies = say(app, "sa dec")
    replies = press_label(app, replies, "phường Sa Đéc")
    if step == "group":
        return replies
    replies = say(app, "2")
    if step == "union":
        return replies
    return say(app, "không")


def test_bad_group_union_and_phone(sqlite_app: App) -> None:
    replies = _to_step(sqlite_app, "group")
    assert "4 nhóm" in texts(say(sqlite_app, "nông dân"))
    replies = say(sqlite_app, "học sinh")
    assert "đoàn viên công đoàn" in texts(replies)
    assert "Có" in texts(say(sqlite_app, "chắc vậy"))
    replies = say(sqlite_app, "ko")
    for bad in ("0212345678", "091234567", "12345", "0951234567", "+1 415 555 0100"):
        assert "chưa đúng dạng" in texts(say(sqlite_app, bad)), bad
    replies = say(sqlite_app, "+84 98 765 4321")
    saved = registration(sqlite_app)
    assert saved is not None and saved.phone == "0987654321" and saved.group == "hoc-sinh"
    assert saved.union_member is False and saved.place_name == "phường Sa Đéc"


def test_phone_is_optional(sqlite_app: App) -> None:
    register(sqlite_app, phone="")
    saved = registration(sqlite_app)
    assert saved is not None and saved.phone is None


def test_unknown_place_is_kept_as_typed_and_marked_for_review(app: App) -> None:
    replies = _to_step(app, "place")
    replies = say(app, "Ấp Tân Lập hai")
    assert "chưa tìm thấy" in texts(replies)
    replies = press_label(app, replies, "Giữ tên")
    press_label(app, replies, "Người dân")
    say(app, "có")
    say(app, "bỏ qua")
    saved = registration(app)
    assert saved is not None
    assert (saved.place_name, saved.place_verified) == ("Ấp Tân Lập hai", False)


def test_place_typo_and_old_names_give_candidates(sqlite_app: App) -> None:
    _to_step(sqlite_app, "place")
    assert "xã Lấp Vò" in labels(say(sqlite_app, "h. Lấp Vò"))
    found = labels(say(sqlite_app, "tp sa dec"))
    assert found[:2] == ["phường Sa Đéc", "xã Tân Dương"]
    assert "phường Cao Lãnh" in labels(say(sqlite_app, "cao lan"))


def test_rerun_offers_update_and_hoso_edits_one_field(app: App) -> None:
    register(app)
    replies = say(app, "/dangky")
    assert "đã đăng ký rồi" in texts(replies) and "Nguyễn Thị Lan" in texts(replies)
    replies = press_label(app, replies, "Sửa một mục")
    assert "Thông tin em đang lưu" in texts(replies)
    replies = press_label(app, replies, "Năm sinh")
    assert "4 chữ số" in texts(say(app, "abc"))
    replies = say(app, "1980")
    assert "đã cập nhật" in texts(replies) and "1980" in texts(replies)
    replies = press_label(app, replies, "Xã/phường")
    replies = say(app, "thap muoi")
    replies = press_label(app, replies, "xã Trường Xuân")
    saved = registration(app)
    assert saved is not None and saved.birth_year == 1980 and saved.place_name == "xã Trường Xuân"
    assert saved.full_name == "Nguyễn Thị Lan"


def test_redo_from_start_replaces_the_registration(sqlite_app: App) -> None:
    register(sqlite_app)
    replies = press_label(sqlite_app, say(sqlite_app, "/dangky"), "Nhập lại")
    assert "họ và tên" in texts(replies)
    register_rest = ["trần văn bình", "1960", "nam"]
    for text in register_rest:
        replies = say(sqlite_app, text)
    replies = press_label(sqlite_app, say(sqlite_app, "Mỹ Tho"), "phường Mỹ Tho")
    replies = press_label(sqlite_app, replies, "Cán bộ")
    say(sqlite_app, "không")
    say(sqlite_app, "bỏ qua")
    saved = registration(sqlite_app)
    assert saved is not None and saved.full_name == "Trần Văn Bình" and saved.group == "can-bo"


def test_stale_registration_buttons_are_refused(sqlite_app: App) -> None:
    assert "đã cũ" in texts(press(sqlite_app, "dk:group:can-bo"))
    say(sqlite_app, "/dangky")
    assert "đã cũ" in texts(press(sqlite_app, "dk:group:can-bo"))  # not at that step
    assert "chưa đăng ký" in texts(press(sqlite_app, "hs:full_name"))


def test_registration_resumes_after_a_restart(make_app: AppFactory, db_url: str) -> None:
    first = make_app(db_url)
    press_label(first, say(first, "/dangky"), "Tôi đồng ý")
    say(first, "Phạm Văn Út")
    first.engine.dispose()
    second = make_app(db_url)
    replies = say(second, "1958")  # the new process continues at the birth-year step
    assert "Giới tính" in texts(replies)
    replies = press_label(second, replies, "Không muốn nói")
    replies = press_label(second, say(second, "Gò Công Đông"), "xã Gò Công Đông")
    replies = press_label(second, replies, "Người dân")
    say(second, "không")
    say(second, "bỏ qua")
    saved = registration(second)
    assert saved is not None and (saved.full_name, saved.gender) == ("Phạm Văn Út", None)


def test_a_new_consent_version_is_asked_again(app: App) -> None:
    register(app)
    with app.sessions.begin() as session:
        session.get_one(Registration, user_id(app)).consent_version = "cu-2025"
    replies = say(app, "/dangky")
    assert "đã được cập nhật" in texts(replies) and "Mục đích" in texts(replies)
    assert "chưa đồng ý nội dung mới" in texts(press_label(app, replies, "Không đồng ý"))
    saved = registration(app)
    assert saved is not None and saved.consent_version == "cu-2025"  # data kept, not renewed
    replies = press_label(app, say(app, "/dangky"), "Tôi đồng ý")
    assert "nội dung mới" in texts(replies)
    saved = registration(app)
    assert saved is not None and saved.consent_version == app.content.section("consent").current
    with app.sessions() as session:
        granted = [c.granted for c in session.scalars(select(Consent).order_by(Consent.id))]
    assert granted == [True, False, True]


def test_birth_year_in_a_short_phrase(sqlite_app: App) -> None:
    register(sqlite_app, year="sinh năm 1978")
    with sqlite_app.sessions.begin() as session:
        assert session.scalars(select(Registration)).one().birth_year == 1978
