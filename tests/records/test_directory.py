"""The locale directory: the pure lookup, validation, the Redis store and its audit, the
``import-directory`` command and ``serve --directory``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import yaml
from aiohttp.test_utils import TestServer
from pydantic import ValidationError

from sidecar.app import create_app
from sidecar.cli import _store_directory_at_startup
from sidecar.infra.audit import Audit
from sidecar.infra.clock import FakeClock
from sidecar.infra.validation import problems
from sidecar.records.directory import Directory, DirectoryStore, load_directory, lookup, region_code
from sidecar.records.model import Location
from tests import conftest
from tests.conftest import DATA_KEY, ROOT, client_file, free_port, program_config
from tests.test_cli import tether

EXAMPLE = ROOT / "examples" / "directory.yaml"
US = {"country": "US", "emergency_numbers": ["911"], "crisis_line": "988"}
AU = {"country": "AU", "emergency_numbers": ["000"]}


def entry(name: str, number: str, **scope: Any) -> dict[str, Any]:
    return {"region": "US-IL", "psap_name": name, "psap_number": number, **scope}


def directory(*regions: dict[str, Any]) -> Directory:
    return Directory.model_validate({"countries": [US, AU], "regions": list(regions)})


def at(city: str = "Springfield", region: str = "IL", postal: str = "62701",
       country: str = "US") -> Location:
    return Location(street="12 Juniper Row", city=city, region=region, postal_code=postal,
                    country=country)


WHOLE = entry("Whole-state desk (fictional)", "+12175550150")
CITY = entry("City centre (fictional)", "+12175550151", cities=["Springfield"])
PREFIX = entry("Prefix centre (fictional)", "+12175550152", postal_codes=["627*"])
LONGER = entry("Longer prefix (fictional)", "+12175550153", postal_codes=["6270*"])
ZIP = entry("Zip centre (fictional)", "+12175550154", postal_codes=["62703"])
BOTH = [WHOLE, CITY, PREFIX, LONGER, ZIP]


# ---- pure lookup ----------------------------------------------------------------------

@pytest.mark.parametrize(("where", "psap", "matched_by"), [
    (at(postal="62703"), "Zip centre (fictional)", "postal_code"),
    (at(postal="62703-4411"), "Zip centre (fictional)", "postal_code"),  # ZIP+4
    (at(postal="62701"), "Longer prefix (fictional)", "postal_prefix"),
    (at(postal="62790"), "Prefix centre (fictional)", "postal_prefix"),
    (at(postal="60601"), "City centre (fictional)", "city"),
    (at(city="  springfield ", postal="60601"), "City centre (fictional)", "city"),
    (at(city="Peoria", postal="61602"), "Whole-state desk (fictional)", "region"),
    (at(city="Peoria", region="us-il", postal="61602"), "Whole-state desk (fictional)",
     "region"),
])
def test_the_most_specific_entry_wins(where: Location, psap: str, matched_by: str) -> None:
    for order in (BOTH, list(reversed(BOTH))):  # the order of the file does not matter
        match = lookup(directory(*order), where)
        assert match.entry is not None and match.entry.psap_name == psap
        assert match.matched_by == matched_by and match.covered
        assert match.region_code == "US-IL" and psap in match.advice


def test_an_uncovered_address_says_so_plainly() -> None:
    match = lookup(directory(CITY, ZIP), at(city="Peoria", postal="61602"))
    assert not match.covered and match.entry is None and match.matched_by is None
    assert match.country is not None and match.country.emergency_numbers == ["911"]
    assert match.advice.startswith("No PSAP on file for this address: call 911")
    assert "give the address" in match.advice


def test_another_region_or_country_is_not_covered() -> None:
    d = directory(WHOLE)
    assert not lookup(d, at(region="WI", postal="53703")).covered
    au = lookup(d, at(city="Hobart", region="TAS", postal="7000", country="au"))
    assert au.region_code == "AU-TAS" and au.country is not None
    assert "call 000 and give the address" in au.advice
    fr = lookup(d, at(city="Lyon", region="ARA", postal="69001", country="FR"))
    assert fr.country is None and "No emergency numbers on file for country FR" in fr.advice


@pytest.mark.parametrize(("written", "expected"), [
    ("IL", "US-IL"), ("il", "US-IL"), ("US-IL", "US-IL"), (" us-il ", "US-IL"),
    ("Illinois", "ILLINOIS"),
])
def test_region_codes_are_normalised(written: str, expected: str) -> None:
    assert region_code("US", written) == expected


# ---- validation -----------------------------------------------------------------------

def test_000_survives_as_text() -> None:
    d = Directory.model_validate_json(directory().model_dump_json())
    au = d.country("AU")
    assert au is not None and au.emergency_numbers == ["000"]


def test_bare_numbers_are_refused_with_a_clear_message() -> None:
    raw = yaml.safe_load("countries:\n  - {country: AU, emergency_numbers: [000]}\n"
                         "  - {country: GB, emergency_numbers: ['999', 112]}\n")
    with pytest.raises(ValidationError) as caught:
        Directory.model_validate(raw)
    found = problems(caught.value)
    assert found[0].startswith("countries.0.emergency_numbers.0: write the number in quotes")
    assert "reads as 0" in found[0] and "leading zeros" in found[0]
    assert found[1].startswith("countries.1.emergency_numbers.1: write the number in quotes")


def test_every_wrong_field_is_named_by_path() -> None:
    raw = {"countries": [US, {"country": "usa", "emergency_numbers": []}],
           "regions": [{**CITY, "region": "Illinois", "psap_number": "217-555-0151",
                        "mobile_crisis": {"name": "Team", "number": 2175550143}},
                       {**ZIP, "nearest_ed": {"name": "ED"}, "colour": "red"}]}
    with pytest.raises(ValidationError) as caught:
        Directory.model_validate(raw)
    text = "\n".join(problems(caught.value))
    for path in ("countries.1.country: use an ISO 3166-1 alpha-2 code",
                 "countries.1.emergency_numbers:", "regions.0.region: use an ISO 3166-2 code",
                 "regions.0.psap_number: a phone number in international format",
                 "regions.0.mobile_crisis.number: write the number in quotes",
                 "regions.1.nearest_ed.address: required", "regions.1.nearest_ed.phone",
                 "regions.1.colour: not a field here"):
        assert path in text, text


@pytest.mark.parametrize(("regions", "message"), [
    ([CITY, {**CITY, "psap_name": "Other"}], "regions.0 and regions.1 both cover city"),
    ([ZIP, {**LONGER, "postal_codes": ["62703"]}], "both cover postal 62703"),
    ([WHOLE, WHOLE], "both cover the whole region"),
    ([{**WHOLE, "region": "CA-ON"}], "regions.0: add a country entry for CA"),
    ([{**ZIP, "postal_codes": ["6*27"]}], "a prefix ending in *"),
])
def test_ambiguous_or_orphan_entries_are_refused(regions: list[dict[str, Any]],
                                                 message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        directory(*regions)
    assert message in "\n".join(problems(caught.value))


def test_countries_appear_once() -> None:
    with pytest.raises(ValidationError, match="US appear more than once"):
        Directory.model_validate({"countries": [US, US]})


def test_the_example_covers_every_example_client() -> None:
    d = load_directory(EXAMPLE)
    au, gb = d.country("AU"), d.country("GB")
    assert au is not None and au.emergency_numbers == ["000"]
    assert gb is not None and gb.emergency_numbers == ["999", "112"]
    for record in client_file().clients:
        assert record.location is not None
        match = lookup(d, record.location)
        assert match.covered, record.id
        assert match.entry is not None and match.entry.psap_number.startswith("+121755501")
        assert match.entry.mobile_crisis and match.entry.nearest_ed
        assert match.entry.after_hours_line and match.entry.non_police_options
        if record.id == "client-003":  # 62703: the east side's own centre
            assert match.matched_by == "postal_code" and "Ferncliff" in match.advice


# ---- the store on Redis ---------------------------------------------------------------

async def test_store_round_trip_is_audited(redis_url: str) -> None:
    redis = aioredis.Redis.from_url(redis_url, decode_responses=True)
    try:
        store = DirectoryStore(redis, Audit(redis, FakeClock()))
        assert await store.get() == Directory()  # nothing stored yet: an empty directory
        d = load_directory(EXAMPLE)
        await store.put(d, actor="admin-jordan")
        assert await store.get() == d
        raw = await redis.get("{tether}:directory")
        assert '"000"' in raw
        smaller = directory(ZIP)
        await store.put(smaller, actor="cli:import-directory")
        assert await store.get() == smaller
        audit = [fields for _, fields in await redis.xrange("{tether}:audit")]
        assert [(a["actor"], a["action"], a["target"]) for a in audit] == [
            ("admin-jordan", "directory.put", "directory"),
            ("cli:import-directory", "directory.put", "directory")]
    finally:
        await redis.aclose()


# ---- the command line -----------------------------------------------------------------

def test_import_directory_stores_the_example(redis_url: str) -> None:
    env = {"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY}
    out = tether("import-directory", "examples/directory.yaml", env=env)
    assert out.returncode == 0, out.stderr
    assert "3 countries, 2 regional entries" in out.stdout


def test_import_directory_names_every_problem_and_stores_nothing(redis_url: str,
                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "directory.json"
    bad.write_text('{"countries": [{"country": "AU", "emergency_numbers": [0]}],'
                   ' "regions": [{"region": "AU-TAS", "psap_name": "X"}]}')
    out = tether("import-directory", str(bad),
                 env={"TETHER_REDIS_URL": redis_url, "TETHER_DATA_KEY": DATA_KEY})
    assert out.returncode == 2
    for path in ("countries.0.emergency_numbers.0: write the number in quotes",
                 "regions.0.psap_number: required"):
        assert path in out.stderr, out.stderr
    import redis

    client = redis.Redis.from_url(redis_url)
    assert client.exists("{tether}:directory") == 0
    client.close()


def test_import_directory_reports_unreadable_files(tmp_path: Path) -> None:
    out = tether("import-directory", str(tmp_path / "missing.yaml"))
    assert out.returncode == 2 and "missing.yaml" in out.stderr


async def test_serve_with_directory_stores_it_at_startup(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    app = create_app(conftest.test_settings(redis_url, tmp_path, port, "http://127.0.0.1:9"),
                     program_config(), FakeClock())
    _store_directory_at_startup(app, load_directory(EXAMPLE))
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        from sidecar.services import TETHER

        t = app[TETHER]
        token = t.tokens.issue("admin-jordan", t.clock.now())
        async with httpx.AsyncClient() as http:
            r = await http.get(f"http://127.0.0.1:{port}/api/admin/directory",
                               headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and r.json()["countries"][1]["emergency_numbers"] == ["000"]
    finally:
        await server.close()
