"""The coaching pages a clinician attached for a caregiver (sidecar/coaching), on the
caregiver's plan page and opened through the same link: ``GET /plan/coaching/{page}?link=<id>``
(the link's cookie is for ``/plan`` and below). The first open is the read receipt the
clinicians see; every open is audited as the caregiver's."""

from __future__ import annotations

from urllib.parse import quote

from sidecar.coaching.attachments import attached
from sidecar.plan.deps import PlanDeps
from sidecar.plan.links import PlanLink
from sidecar.plan.page import CoachingLink

PAGE_PREFIX = "/plan/coaching/"


def page_href(page_id: str, lid: str) -> str:
    return f"{PAGE_PREFIX}{quote(page_id, safe='')}?link={lid}"


async def coaching_links(t: PlanDeps, link: PlanLink, lid: str) -> list[CoachingLink]:
    """This caregiver's pages (retired ones left out), oldest attachment first."""
    if not link.contact:
        return []
    found = await attached(t.redis, link.client, link.contact)
    return [CoachingLink(href=page_href(a.page_id, lid), title=a.title, summary=a.summary,
                         read=a.read_at is not None) for a in found]
