"""A problem an operator must fix before Tether can start, said in one sentence."""

from __future__ import annotations


class StartupProblem(Exception):
    """Raised with a sentence for the operator (what is wrong and what to do); the command
    line prints it alone, without a traceback, and exits non-zero."""
