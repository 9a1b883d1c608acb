"""The coaching library's store on a real Redis: two replicas seeding at once store the
defaults once; two authors saving the same version at once: one wins, the other is told;
a retired default stays retired on a replica that starts later; reads keep the first time."""

from __future__ import annotations

import asyncio

import pytest

from sidecar.coaching.attachments import attach, attached, mark_read
from sidecar.coaching.model import PageText
from sidecar.coaching.store import Outdated, PageStore
from tests.conftest import Harness
from tests.records.test_admin_api import audit


def store(h: Harness) -> PageStore:
    return PageStore(h.tether.redis, h.clock, h.tether.audit)


async def test_two_replicas_seeding_at_once_store_the_defaults_once(harness: Harness) -> None:
    h = harness
    lists = await asyncio.gather(*(store(h).all() for _ in range(4)))
    assert all([p.id for p in pages] == ["what-to-say", "calming-down", "making-home-safer"]
               for pages in lists)
    assert len([a for a in await audit(h) if a[1] == "coaching.added"]) == 3


async def test_two_authors_saving_one_version_at_once_one_wins(harness: Harness) -> None:
    h = harness
    page = await store(h).get("calming-down")
    assert page is not None and page.version == 1
    texts = [page.text.model_copy(update={"body": f"Version by author {n}."}) for n in (1, 2)]
    results = await asyncio.gather(*(store(h).save("calming-down", t, 1, f"author-{n}")
                                     for n, t in enumerate(texts)), return_exceptions=True)
    saved = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, Outdated)]
    assert len(saved) == 1 and len(refused) == 1
    assert refused[0].current.version == 2 and refused[0].current.body == saved[0].body
    assert len([a for a in await audit(h) if a[1] == "coaching.saved"]) == 1


async def test_a_retired_default_stays_retired_on_a_later_replica(harness: Harness) -> None:
    h = harness
    page = await store(h).get("what-to-say")
    assert page is not None
    await store(h).save("what-to-say", page.text.model_copy(update={"retired": True}), 1, "x")
    later = await store(h).get("what-to-say")
    assert later is not None and later.retired and later.version == 2


async def test_the_first_read_is_kept_and_a_retired_page_is_hidden_from_caregivers(
        harness: Harness) -> None:
    h = harness
    r, a = h.tether.redis, h.tether.audit
    await store(h).all()
    assert await attach(r, a, "client-009", "ab12", "calming-down", "lead-avery", 1_000)
    assert not await attach(r, a, "client-009", "ab12", "calming-down", "lead-quinn", 2_000)
    reads = await asyncio.gather(*(mark_read(r, "client-009", "ab12", "calming-down", t)
                                   for t in (5_000, 6_000, 7_000)))
    assert reads == [True, True, True]
    [one] = await attached(r, "client-009", "ab12")
    assert (one.attached_at, one.attached_by) == (1_000, "lead-avery")
    assert one.read_at in (5_000, 6_000, 7_000)
    first = one.read_at
    assert await mark_read(r, "client-009", "ab12", "calming-down", 9_000)
    assert (await attached(r, "client-009", "ab12"))[0].read_at == first
    assert not await mark_read(r, "client-009", "other", "calming-down", 9_000)
    page = await store(h).get("calming-down")
    assert page is not None
    await store(h).save("calming-down", page.text.model_copy(update={"retired": True}), 1, "x")
    assert await attached(r, "client-009", "ab12") == []
    [kept] = await attached(r, "client-009", "ab12", include_retired=True)
    assert kept.retired and kept.read_at == first


@pytest.mark.parametrize("field", ["title", "summary"])
def test_titles_and_summaries_are_one_line(field: str) -> None:
    from pydantic import ValidationError

    good = {"title": "A", "summary": "B", "body": "C"}
    with pytest.raises(ValidationError, match="one line"):
        PageText.model_validate({**good, field: "two\nlines"})
