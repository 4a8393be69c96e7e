"""The codec is sans-I/O: importing it loads no asyncio, socket, ssl or selectors."""
from __future__ import annotations

import subprocess
import sys


def test_websocket_package_imports_no_io_modules():
    code = ("import sys; import aioteach.websocket; "
            "print(sorted({'asyncio', 'socket', 'ssl', 'selectors'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_module_declares_all():
    import aioteach.websocket as package
    from aioteach.websocket import codes, connection, errors, events, frames, handshake
    for module in (package, codes, connection, errors, events, frames, handshake):
        assert module.__all__ and all(hasattr(module, name) for name in module.__all__)
