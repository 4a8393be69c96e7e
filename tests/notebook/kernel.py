"""A real IPython kernel for tests: run a cell, get back what a learner would see.

``Kernel`` starts ``python3`` (this venv's Python: jupyter_client's native kernel spec) with
jupyter_client, runs code cell by cell and returns each cell's outputs as nbformat-style dicts
(``stream``, ``display_data``, ``execute_result``, ``error``), in order.
"""
from __future__ import annotations

import queue
import uuid
from typing import Any, Dict, List, Optional

from tests.support import require


class Kernel:
    def __init__(self, timeout: float = 60.0) -> None:
        jupyter_client = require("jupyter_client")
        self.timeout = timeout
        self.manager = jupyter_client.KernelManager(kernel_name="python3")
        self.manager.start_kernel()
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=timeout)

    def run(self, code: str, cell_id: Optional[str] = None) -> List[Dict[str, Any]]:
        """Run one cell; its outputs in order.  ``cell_id`` is sent as JupyterLab sends it."""
        content = dict(code=code, silent=False, store_history=True, user_expressions={},
                       allow_stdin=False, stop_on_error=False)
        msg = self.client.session.msg("execute_request", content)
        msg["metadata"]["cellId"] = cell_id or str(uuid.uuid4())
        self.client.shell_channel.send(msg)
        msg_id = msg["header"]["msg_id"]
        outputs: List[Dict[str, Any]] = []
        while True:
            try:
                reply = self.client.get_iopub_msg(timeout=self.timeout)
            except queue.Empty:
                raise AssertionError(f"no answer from the kernel in {self.timeout} s to "
                                     f"{code!r}; outputs so far: {outputs}") from None
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "status" and body["execution_state"] == "idle":
                return outputs
            if kind == "stream":
                outputs.append({"output_type": "stream", "name": body["name"],
                                "text": body["text"]})
            elif kind in ("display_data", "execute_result"):
                outputs.append({"output_type": kind, "data": body["data"]})
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": body["ename"],
                                "evalue": body["evalue"], "traceback": body["traceback"]})

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)


def text_of(outputs: List[Dict[str, Any]]) -> str:
    """Everything a cell showed, as text (streams, text/plain of displays, error names)."""
    parts = []
    for o in outputs:
        if o["output_type"] == "stream":
            parts.append(o["text"])
        elif o["output_type"] == "error":
            parts.append(f"{o['ename']}: {o['evalue']}")
        else:
            parts.append(o["data"].get("text/plain", ""))
    return "\n".join(parts)


def hints(outputs: List[Dict[str, Any]]) -> List[str]:
    """The "aioteach explains: ..." sentences a cell displayed."""
    return [o["data"]["text/plain"] for o in outputs if o["output_type"] == "display_data"
            and o["data"].get("text/plain", "").startswith("aioteach explains:")]
