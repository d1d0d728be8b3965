"""Accept a staff proposal into an FAQ entry's phrasings (through the draft), or dismiss it."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from bot.console import edits
from bot.console.web_common import audit_in, back, checked_form, deps_of, signed_in
from bot.console.web_unanswered import change_draft
from bot.handoff import repository as handoff_repo
from bot.handoff.models import FaqProposal


def _pending(request: Request) -> FaqProposal | None:
    """Return the pending proposal named in the path, or None."""
    with deps_of(request).sessions() as session:
        proposal = session.get(FaqProposal, request.path_params["number"])
        if proposal is None or proposal.status != "pending":
            return None
        session.expunge(proposal)
        return proposal


async def accept(request: Request) -> Response:
    """Add the proposed phrasing to the draft, to the proposed entry or the one chosen."""
    signed_in(request, "content")
    form = await checked_form(request)
    proposal = _pending(request)
    if proposal is None:
        return back(request, "/unanswered", "proposal_gone")
    faq_id = str(form.get("faq_id") or proposal.faq_id)
    text = proposal.phrasing.strip()

    def settle(session: Session) -> None:
        handoff_repo.settle_proposal(session, proposal_id=proposal.id, status="accepted")

    return change_draft(
        request,
        text=text,
        what=f"thêm cách hỏi «{text}» (cán bộ đề xuất) vào mục {faq_id}",
        change=lambda files: edits.add_phrasing(files, faq_id, text),
        action="console.accept_proposal",
        detail=f"#{proposal.id} {faq_id}: {text}",
        then=settle,
    )


async def dismiss(request: Request) -> Response:
    """Dismiss a proposal: it leaves the page and the content stays as it is."""
    signed_in(request, "content")
    await checked_form(request)
    deps = deps_of(request)
    with deps.sessions.begin() as session:
        number = request.path_params["number"]
        proposal = handoff_repo.settle_proposal(session, proposal_id=number, status="dismissed")
        if proposal is None:
            return back(request, "/unanswered", "proposal_gone")
        audit_in(session, request, "console.dismiss_proposal", f"#{number} {proposal.faq_id}")
    return back(request, "/unanswered", "proposal_dismissed")
