"""Describing a failure for the logs without its message: exception messages can carry
input values (a pydantic error quotes the phone number it rejected), and logs hold no PHI."""

from __future__ import annotations

import traceback
from pathlib import Path


def where(exc: BaseException) -> str:
    """``TypeName at file.py:line in function`` of the innermost frame."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    return f"{type(exc).__name__} at {Path(last.filename).name}:{last.lineno} in {last.name}"
