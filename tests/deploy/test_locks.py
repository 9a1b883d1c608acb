"""The lock files cover what pyproject.toml asks for, each package pinned with its hashes:
a dependency added without refreshing the locks (docs/deploy.md) fails here, not in CI's
install or in the image."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", re.M)


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {_canonical(name): version for name, version in PIN.findall(text)}


@pytest.mark.parametrize(("lock", "wanted"), [
    ("runtime.lock", PROJECT["dependencies"]),
    ("dev.lock", PROJECT["dependencies"] + PROJECT["optional-dependencies"]["dev"]),
])
def test_every_dependency_is_pinned(lock: str, wanted: list[str]) -> None:
    missing = sorted({_canonical(_name(r)) for r in wanted} - set(_pinned(lock)))
    assert not missing, f"refresh requirements/{lock} (docs/deploy.md): {missing}"


def test_the_runtime_pins_are_the_dev_pins() -> None:
    dev = _pinned("dev.lock")
    assert {n: v for n, v in _pinned("runtime.lock").items() if dev.get(n) != v} == {}


@pytest.mark.parametrize("lock", ["runtime.lock", "dev.lock"])
def test_every_pin_carries_a_hash(lock: str) -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", (ROOT / "requirements" / lock).read_text())
    unhashed = [b.split()[0] for b in blocks if PIN.match(b) and "--hash=sha256:" not in b]
    assert not unhashed
