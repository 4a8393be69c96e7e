"""A live timeline's recording as a JSON file: the trace events, bytes included.

Theory of operation.  A recording is the list of ``trace.TraceEvent`` a recorder kept, plus
the moment it began (``origin``) and ended, and a title.  ``save()`` writes them as JSON: each
event is ``{"t", "kind", "task", "label", "fields"}``; field values that JSON cannot hold are
tagged: bytes as ``{"bytes": <base64>}``, tuples (a peer address) as lists.  ``load()`` reads
the same back, so a replay of a loaded recording draws exactly the spans of the original.

Rules: the file says its ``format`` (1); anything else is refused with the reason.
"""
from __future__ import annotations

import base64
import json
from typing import Any, Dict, List, Tuple

from ..trace import TraceEvent

__all__ = ["save", "load", "to_json", "from_json", "FORMAT"]

FORMAT = 1


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _back(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"bytes"}:
        return base64.b64decode(value["bytes"])
    if isinstance(value, list):
        return tuple(_back(v) for v in value)
    return value


def to_json(events: List[TraceEvent], origin: float, end: float, title: str = "") -> str:
    body = [{"t": e.t, "kind": e.kind, "task": e.task, "label": e.label,
             "fields": {k: _plain(v) for k, v in e.fields.items()}} for e in events]
    return json.dumps({"format": FORMAT, "origin": origin, "end": end, "title": title,
                       "events": body})


def from_json(text: str) -> Tuple[List[TraceEvent], float, float, str]:
    data: Dict[str, Any] = json.loads(text)
    if data.get("format") != FORMAT:
        raise ValueError(f"not a live-timeline recording of format {FORMAT}: "
                         f"format={data.get('format')!r}")
    events = [TraceEvent(e["t"], e["kind"], e["task"],
                         {k: _back(v) for k, v in e["fields"].items()}, e.get("label"))
              for e in data["events"]]
    return events, data["origin"], data["end"], data.get("title", "")


def save(path: str, events: List[TraceEvent], origin: float, end: float,
         title: str = "") -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(to_json(events, origin, end, title))


def load(path: str) -> Tuple[List[TraceEvent], float, float, str]:
    with open(path, encoding="utf-8") as file:
        return from_json(file.read())
