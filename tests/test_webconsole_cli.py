"""Console commands: add-user, content export and import; `ask` answers from the database."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from bot.console import drafts, versions
from bot.console.edits import add_phrasing
from bot.console.models import ConsoleUser
from bot.db.base import utcnow
from bot.db.session import make_engine, make_session_factory
from tests.conftest import CONTENT_DIR
from tests.console_helpers import ENTRY, QUESTION
from tests.helpers import run_cli


def sessions(tmp_path: Path):  # noqa: ANN201
    return make_session_factory(make_engine(f"sqlite:///{tmp_path / 'cli.db'}"))


def test_add_user_reads_the_password_from_stdin_and_hashes_it_with_argon2id(
    tmp_path: Path,
) -> None:
    result = run_cli(
        ["console", "add-user", "lan", "--role", "curator", "--password-stdin"],
        tmp_path,
        stdin="mot-mat-khau-dai\n",
    )
    assert result.returncode == 0, result.stderr
    assert "console account lan saved with role curator" in result.stdout
    with sessions(tmp_path)() as session:
        user = session.scalars(select(ConsoleUser)).one()
    assert user.role == "curator"
    assert user.password_hash.startswith("$argon2id$v=19$m=65536")
    assert "mot-mat-khau-dai" not in user.password_hash


def test_add_user_refuses_a_short_password_or_an_unknown_role(tmp_path: Path) -> None:
    short = run_cli(
        ["console", "add-user", "lan", "--role", "admin", "--password-stdin"], tmp_path, "ngan\n"
    )
    assert short.returncode == 2
    assert "at least 10 characters" in short.stderr
    role = run_cli(["console", "add-user", "lan", "--role", "boss", "--password-stdin"], tmp_path)
    assert role.returncode == 2 and "invalid choice" in role.stderr


def test_export_writes_the_published_version_and_ask_answers_from_it(tmp_path: Path) -> None:
    assert run_cli(["db", "upgrade"], tmp_path).returncode == 0
    with sessions(tmp_path).begin() as session:
        seed = versions.ensure_seeded(session, CONTENT_DIR, utcnow())
        versions.add(
            session,
            files=add_phrasing(seed.files, ENTRY, QUESTION),
            source="console",
            author="console:lan",
            now=utcnow(),
        )
    asked = run_cli(["ask", QUESTION, "--json"], tmp_path)
    assert f'"status": "answer", "id": "{ENTRY}"' in asked.stdout
    out = tmp_path / "export"
    exported = run_cli(["content", "export", "--out", str(out)], tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "content version 2 written" in exported.stdout
    exported_faq = "".join(p.read_text(encoding="utf-8") for p in (out / "faq").glob("*.yaml"))
    assert QUESTION in exported_faq
    assert run_cli(["content", "check"], tmp_path, CONTENT_DIR=str(out)).returncode == 0


def test_import_loads_a_folder_as_the_draft(tmp_path: Path) -> None:
    folder = tmp_path / "edited"
    shutil.copytree(CONTENT_DIR, folder)
    path = folder / "faq" / "hoc-tap.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Tủ sách", "Tủ sách nhỏ", 1))
    imported = run_cli(["content", "import", str(folder)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    with sessions(tmp_path)() as session:
        draft = drafts.current(session)
        assert draft is not None and "Tủ sách nhỏ" in draft.files["faq/hoc-tap.yaml"]
        assert versions.latest_number(session) == 1
    (folder / "faq" / "hoc-tap.yaml").write_text("entries: [1", encoding="utf-8")
    broken = run_cli(["content", "import", str(folder)], tmp_path)
    assert broken.returncode == 2
    assert "faq/hoc-tap.yaml: not valid YAML" in broken.stderr
