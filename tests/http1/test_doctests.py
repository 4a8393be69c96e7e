"""The examples in the http1 docstrings run, so what a learner reads is what happens."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["abnf", "bodies", "connection", "errors", "events", "heads", "message_parser",
           "parser", "status", "writer"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"aioteach.http1.{name}")
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0
