"""``-p aiohttp_suite.activate``: install the import shim before any conftest imports aiohttp.

Theory of operation.  pytest imports ``-p`` plugins before it reads conftest files, so this
module's import is the earliest moment a test run can redirect ``aiohttp``.  It refuses to run
if the real aiohttp is already loaded (a plugin imported it first): the aioteach run must not
see it at all.
"""
from __future__ import annotations

from aiohttp_suite import shim

__all__ = ["REDIRECT"]

REDIRECT = shim.install()
