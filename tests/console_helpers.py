"""A signed-in browserless client of the web console, and the app it runs on."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.testclient import TestClient

from bot.app import App
from bot.console import accounts, versions
from bot.console.edits import add_phrasing
from bot.console.figures import compare, eval_paths
from bot.console.live import load_published
from bot.console.snapshot import read_tree
from bot.console_web import console_route
from bot.content import load_content
from bot.matching.index import FaqIndex, Status
from bot.runner import Runtime
from bot.web import build_web_app
from tests.conftest import CONTENT_DIR

SECRET = "k" * 40
PASSWORD = "mat-khau-du-dai-1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CONSOLE_SETTINGS: dict[str, object] = {
    "console_enabled": True,
    "console_secret_key": SECRET,
    "console_cookie_secure": False,
}


def seed(app: App) -> None:
    """Publish content/ as version 1 and mark the app (already on content/) as using it."""
    with app.sessions.begin() as session:
        app.content_version = versions.ensure_seeded(session, CONTENT_DIR, app.now()).number


@asynccontextmanager
async def console_running(app: App, account: str, role: str) -> AsyncIterator[str]:
    """Publish content/, add a console account, run the channels and services; give the URL."""
    seed(app)
    add_account(app, account, role)
    runtime = Runtime(app)
    port = await runtime.start_channels(port=0)
    await runtime.start_services()
    try:
        yield f"http://127.0.0.1:{port}/console"
    finally:
        await runtime.stop()


def add_account(app: App, name: str, role: str, password: str = PASSWORD) -> None:
    """Create a console account."""
    with app.sessions.begin() as session:
        accounts.add_user(session, name=name, password=password, role=role, now=app.now())


class Console:
    """A test client of /console that keeps its cookie and CSRF token."""

    def __init__(self, app: App) -> None:
        self.app = app

        async def reload() -> None:
            with app.sessions() as session:
                number = versions.latest_number(session)
            published = load_published(app.sessions, CONTENT_DIR, app.now(), number)
            app.use_content(published.content, published.index, published.number)

        self.client = TestClient(build_web_app([console_route(app, reload)]))
        self.csrf = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        """GET a console page and remember its CSRF token."""
        response = self.client.get("/console" + path, **kwargs)
        found = (
            CSRF.search(response.text)
            if "text/html" in response.headers.get("content-type", "")
            else None
        )
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """POST a form with the CSRF token (unless the data brings its own)."""
        if not self.csrf:
            self.get("/login")
        form = {"csrf": self.csrf, **(data or {})}
        response = self.client.post("/console" + path, data=form, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def login(self, name: str, password: str = PASSWORD) -> Any:
        """Sign in."""
        self.get("/login")
        return self.post("/login", {"name": name, "password": password})


def signed_in(app: App, role: str = "curator", name: str = "lan") -> Console:
    """Return a console client signed in with a new account of the role."""
    add_account(app, name, role)
    console = Console(app)
    response = console.login(name)
    assert response.status_code == 200, response.text
    return console


def page_text(response: Any) -> str:
    """Return the visible text of a page, for assertions."""
    text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)))


# Questions the matcher does not answer today (checked, not assumed: the first one still
# unanswered, whose phrasing makes no held-out figure worse, is used, so a better matcher or a
# refit calibration does not break the console tests).
UNANSWERED_CANDIDATES = (
    "xe thư viện có chạy về xóm tui không",
    "ông bà già rồi học cái gì được",
    "ở xóm có lớp dạy đan giỏ lục bình không",
    "ông bà già rồi học gì được nữa",
    "máy cày học lái ở chỗ nào",
    "bà con muốn nghe kể chuyện sách ở đâu",
)


def unanswered_question() -> tuple[str, str]:
    """Return a question content/ does not answer and the entry the matcher finds closest."""
    files = read_tree(CONTENT_DIR)
    index = FaqIndex.from_content(load_content(CONTENT_DIR))
    for question in UNANSWERED_CANDIDATES:
        result = index.match(question)
        if result.status is Status.ANSWER or not result.candidates:
            continue
        entry = result.candidates[0].id
        after = add_phrasing(files, entry, question)
        if not any(figure.worse for figure in compare(files, after, eval_paths(""))):
            return question, entry
    raise AssertionError("every candidate question is answered now: add a harder one")


QUESTION, ENTRY = unanswered_question()
