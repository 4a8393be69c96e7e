"""The examples in the websocket package's docstrings run, and say what they show."""
from __future__ import annotations

import doctest

import pytest

from aioteach.websocket import connection, deflate, fastpath, frames, handshake, masking


@pytest.mark.parametrize("module", [connection, deflate, fastpath, frames, handshake, masking], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
