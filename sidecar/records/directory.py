"""The locale directory: whom to call for the address a client is at (docs/sources.md §3.1,
§3.6, §4.3).

A clinician's own 911 call reaches the PSAP where the clinician is, not the client's, so
the dispatch card must name the 911 centre covering the client's address and its 10-digit
administrative number. Country entries carry the emergency numbers (as text: "000" keeps
its zeros) and the crisis lines; region entries, written by the program's admin, carry the
PSAP, mobile crisis team, nearest ED, after-hours line and non-police options for an ISO
3166-2 region, optionally narrowed to cities or postal codes. Not PHI: one JSON document on
Redis, every change audited.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import redis.asyncio as aioredis
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from redis.exceptions import WatchError

from sidecar.infra import keys
from sidecar.infra.audit import Audit
from sidecar.infra.config import PHONE_PATTERN, load_yaml
from sidecar.infra.validation import problems
from sidecar.records.model import Location

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")


def _text_only(v: Any) -> Any:
    if isinstance(v, bool | int | float):
        raise ValueError(f'write the number in quotes, like "000" or "911": a bare number '
                         f"loses its leading zeros (this one reads as {v})")
    return v


ShortNumber = Annotated[str, BeforeValidator(_text_only), Field(pattern=r"^[0-9]{2,6}$")]
DialText = Annotated[str, BeforeValidator(_text_only),
                     Field(pattern=r"^\+?[0-9]+( [0-9]+)*$", max_length=24)]
E164 = Annotated[str, BeforeValidator(_text_only), Field(pattern=PHONE_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CountryEntry(_Strict):
    country: str  # ISO 3166-1 alpha-2
    emergency_numbers: list[ShortNumber] = Field(min_length=1)  # "911"; "999", "112"
    crisis_line: DialText | None = None  # US "988"
    crisis_text_line: str = Field(default="", max_length=120)  # "text 988"
    notes: str = Field(default="", max_length=500)
    source_url: str = Field(default="", max_length=500)
    verified_on: date | None = None

    @field_validator("country")
    @classmethod
    def _iso(cls, v: str) -> str:
        if not _COUNTRY.fullmatch(v):
            raise ValueError("use an ISO 3166-1 alpha-2 code like US, AU or GB")
        return v


class Service(_Strict):
    name: str = Field(min_length=1, max_length=200)
    number: DialText
    hours: str = Field(default="", max_length=120)  # "24/7"; "Mon-Fri 08:00-17:00"


class Hospital(_Strict):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    phone: DialText


class RegionEntry(_Strict):
    region: str  # ISO 3166-2, "US-IL"
    cities: list[str] = []  # narrower: only these cities
    postal_codes: list[str] = []  # narrower: "62701" (and 62701-xxxx), or a prefix "627*"
    psap_name: str = Field(min_length=1, max_length=200)
    psap_number: E164  # the PSAP's 10-digit administrative line, not 911
    mobile_crisis: Service | None = None
    nearest_ed: Hospital | None = None
    after_hours_line: Service | None = None
    non_police_options: list[str] = []
    notes: str = Field(default="", max_length=500)
    verified_on: date | None = None

    @field_validator("region")
    @classmethod
    def _iso(cls, v: str) -> str:
        if not _REGION.fullmatch(v):
            raise ValueError("use an ISO 3166-2 code like US-IL")
        return v

    @field_validator("cities")
    @classmethod
    def _cities(cls, v: list[str]) -> list[str]:
        if any(not c.strip() for c in v):
            raise ValueError("a city name cannot be empty")
        return v

    @field_validator("postal_codes")
    @classmethod
    def _postal(cls, v: list[str]) -> list[str]:
        codes = [_norm_postal(c) for c in v]
        if any(not c.rstrip("*") or "*" in c.rstrip("*") for c in codes):
            raise ValueError('a postal code is "62701", or a prefix ending in * like "627*"')
        return codes

    def scopes(self) -> list[tuple[str, str]]:
        """What this entry covers within its region, as comparable keys."""
        if not self.cities and not self.postal_codes:
            return [("region", "")]
        return ([("city", _norm_city(c)) for c in self.cities]
                + [("postal", p) for p in self.postal_codes])


class Directory(_Strict):
    countries: list[CountryEntry] = []
    regions: list[RegionEntry] = []

    @field_validator("countries")
    @classmethod
    def _one_per_country(cls, v: list[CountryEntry]) -> list[CountryEntry]:
        codes = [c.country for c in v]
        twice = sorted({c for c in codes if codes.count(c) > 1})
        if twice:
            raise ValueError(f"each country once: {', '.join(twice)} appear more than once")
        return v

    @field_validator("regions")
    @classmethod
    def _unambiguous(cls, v: list[RegionEntry], info: ValidationInfo) -> list[RegionEntry]:
        known = {c.country for c in info.data.get("countries", [])}
        seen: dict[tuple[str, str, str], int] = {}
        for i, entry in enumerate(v):
            if "countries" in info.data and entry.region[:2] not in known:
                raise ValueError(f"regions.{i}: add a country entry for {entry.region[:2]}")
            for kind, value in entry.scopes():
                j = seen.setdefault((entry.region, kind, value), i)
                if j != i:
                    what = f"{kind} {value}" if value else "the whole region"
                    raise ValueError(f"regions.{j} and regions.{i} both cover {what} in "
                                     f"{entry.region}: keep one")
        return v

    def country(self, code: str) -> CountryEntry | None:
        return next((c for c in self.countries if c.country == code), None)


MatchedBy = Literal["postal_code", "postal_prefix", "city", "region"]
Score = tuple[int, int, MatchedBy]


class DirectoryMatch(_Strict):
    country_code: str
    region_code: str
    country: CountryEntry | None
    entry: RegionEntry | None
    matched_by: MatchedBy | None
    advice: str  # one plain sentence for the card

    @property
    def covered(self) -> bool:
        return self.entry is not None


def _norm_postal(code: str) -> str:
    return "".join(code.split()).upper()


def _norm_city(city: str) -> str:
    return " ".join(city.split()).casefold()


def region_code(country: str, region: str) -> str:
    """"IL" or "US-IL" (any case) for country US -> "US-IL"; anything else as written."""
    text = region.strip().upper()
    if _REGION.fullmatch(text):
        return text
    if re.fullmatch(r"[A-Z0-9]{1,3}", text):
        return f"{country}-{text}"
    return text


def _scope_score(kind: str, value: str, city: str, postal: str) -> Score | None:
    if kind == "region":
        return (0, 0, "region")
    if kind == "city":
        return (1, 0, "city") if value == city else None
    if value.endswith("*"):
        return (2, len(value), "postal_prefix") if postal.startswith(value[:-1]) else None
    if postal == value or postal.startswith(value + "-"):  # ZIP+4 is inside its ZIP
        return (3, len(value), "postal_code")
    return None


def _score(entry: RegionEntry, city: str, postal: str) -> Score | None:
    """How specifically an entry covers an address: postal code > prefix > city > region
    (a longer prefix is more specific than a shorter one)."""
    scores = [s for kind, value in entry.scopes()
              if (s := _scope_score(kind, value, city, postal)) is not None]
    return max(scores, key=lambda s: s[:2], default=None)


def _advice(country: str, entry: CountryEntry | None, region: RegionEntry | None) -> str:
    if region is not None:
        return (f"Call {region.psap_name} at {region.psap_number}, the emergency centre "
                "covering this address, and give the address.")
    if entry is None:
        return (f"No emergency numbers on file for country {country}: call the emergency "
                "number you know and give the full address, including the country.")
    numbers = " or ".join(entry.emergency_numbers)
    return (f"No PSAP on file for this address: call {numbers} and give the address (the "
            "call reaches the centre where you are; ask them to connect to the client's area).")


def lookup(directory: Directory, location: Location) -> DirectoryMatch:
    """The country entry and the most specific region entry covering ``location``."""
    country = location.country.strip().upper()
    region = region_code(country, location.region)
    city, postal = _norm_city(location.city), _norm_postal(location.postal_code)
    best: tuple[Score, RegionEntry] | None = None
    for entry in directory.regions:
        score = _score(entry, city, postal) if entry.region == region else None
        if score is not None and (best is None or score[:2] > best[0][:2]):
            best = (score, entry)
    national = directory.country(country)
    chosen = best[1] if best else None
    return DirectoryMatch(country_code=country, region_code=region, country=national,
                          entry=chosen, matched_by=best[0][2] if best else None,
                          advice=_advice(country, national, chosen))


def load_directory(path: Path) -> Directory:
    """A directory file (YAML, or JSON, which is YAML too); ConfigError names each problem."""
    return load_yaml(path, Directory, problems)


class DirectoryStore:
    """The directory as one JSON document (not PHI); every replacement is audited."""

    def __init__(self, redis: aioredis.Redis, audit: Audit) -> None:
        self.redis = redis
        self.audit = audit

    async def get(self) -> Directory:
        raw = await self.redis.get(keys.DIRECTORY)
        return Directory.model_validate_json(raw) if raw else Directory()

    async def versioned(self) -> tuple[Directory, int]:
        """The directory and its version (0: never saved)."""
        raw, version = await self.redis.mget(keys.DIRECTORY, keys.DIRECTORY_VERSION)
        return (Directory.model_validate_json(raw) if raw else Directory(),
                int(version) if version else 0)

    async def put(self, directory: Directory, actor: str, expected: int | None = None
                  ) -> int:
        """Replace the directory; with ``expected``, only if that is still its version
        (DirectoryOutdated if not). The new version."""
        for _ in range(20):
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    await pipe.watch(keys.DIRECTORY_VERSION)
                    raw = await pipe.get(keys.DIRECTORY_VERSION)
                    version = int(raw) if raw else 0
                    if expected is not None and expected != version:
                        await pipe.unwatch()
                        raise DirectoryOutdated(version)
                    pipe.multi()
                    pipe.set(keys.DIRECTORY, directory.model_dump_json())
                    pipe.incr(keys.DIRECTORY_VERSION)
                    self.audit.record_in(pipe, actor, "directory.put", "directory")
                    await pipe.execute()
                    return version + 1
            except WatchError:
                continue
        raise RuntimeError("the directory changed too often to be saved; try again")


class DirectoryOutdated(Exception):
    """The directory was saved by someone else since this copy was read."""

    def __init__(self, version: int) -> None:
        super().__init__(f"the directory is at version {version}")
        self.version = version
