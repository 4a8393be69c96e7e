"""Widgets frozen into plain HTML, for the HTML copies of the lessons (``lessons --html``).

Theory of operation.  An executed notebook keeps each widget's last state in its metadata
(``application/vnd.jupyter.widget-state+json``), and nbconvert's HTML needs JavaScript from
the internet to draw it: in an offline classroom a panel would be an empty box.  ``freeze(nb)``
adds to every widget output a ``text/html`` rendering of that state, built here without
JavaScript (boxes stack their children, HTML widgets show their HTML, images become
``data:`` URIs, buttons, fields and sliders show what they said, the live timeline's chart
its last SVG), and drops the widget view from the
output, so the HTML copy shows what the learner's page showed at the end of the run.

Rules: only the kinds of widget the lessons use are drawn; any other shows its class name.
Nothing is executed; the notebook is changed in place and returned.
"""
from __future__ import annotations

import html
from typing import Any, Dict

__all__ = ["freeze", "render_model"]

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"


def _children(models: Dict[str, Any], state: Dict[str, Any], depth: int) -> str:
    return "".join(render_model(models, ref.replace("IPY_MODEL_", ""), depth + 1)
                   for ref in state.get("children", []))


def _image(model: Dict[str, Any]) -> str:
    data = next((b["data"] for b in model.get("buffers", []) if b["path"] == ["value"]), "")
    kind = model["state"].get("format", "png")
    return f'<img style="max-width:100%" src="data:image/{kind};base64,{data}">'


def render_model(models: Dict[str, Any], model_id: str, depth: int = 0) -> str:
    """The static HTML of one widget model (and its children) from the saved state."""
    model = models.get(model_id)
    if model is None or depth > 30:
        return ""
    name, state = model["model_name"], model["state"]
    esc = html.escape
    if name in ("VBoxModel", "BoxModel", "AccordionModel", "TabModel"):
        return f"<div>{_children(models, state, depth)}</div>"
    if name == "HBoxModel":
        return f'<div style="display:flex;gap:6px">{_children(models, state, depth)}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{state.get('value', '')}</div>"
    if name == "ImageModel":
        return _image(model)
    if name == "AnyModel" and "svg" in state:     # the live timeline's chart: its last SVG
        return f'<div style="overflow:auto;max-height:560px">{state["svg"]}</div>'
    if name in ("IntSliderModel", "FloatSliderModel"):
        return (f"<span>{esc(state.get('description', ''))} "
                f"<b>{esc(str(state.get('value', '')))}</b></span>")
    if name in ("LabelModel",):
        return f"<span>{esc(str(state.get('value', '')))}</span>"
    if name == "ButtonModel":
        return f"<button disabled>{esc(state.get('description', ''))}</button>"
    if name in ("TextModel", "DropdownModel"):
        value = state.get("value", "") if name == "TextModel" else \
            (state.get("_options_labels") or [""])[state.get("index") or 0]
        return f'<input disabled value="{esc(str(value))}">'
    if name == "TextareaModel":
        return f"<textarea disabled>{esc(str(state.get('value', '')))}</textarea>"
    if name in ("IntProgressModel", "FloatProgressModel"):
        return (f'<progress value="{state.get("value", 0)}" max="{state.get("max", 100)}">'
                f"</progress>")
    if name == "OutputModel":
        return "".join(_output_html(o) for o in state.get("outputs", []))
    return f"<i>({esc(name.replace('Model', ''))} widget)</i>"


def _output_html(output: Dict[str, Any]) -> str:
    data = output.get("data", {})
    if "text/html" in data:
        return str(data["text/html"])
    if "text" in output:
        return f"<pre>{html.escape(output['text'])}</pre>"
    return f"<pre>{html.escape(str(data.get('text/plain', '')))}</pre>"


def freeze(notebook: Any) -> Any:
    """Give every widget output a static ``text/html`` of its last state (in place)."""
    models = notebook.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    if not models:
        return notebook
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(VIEW)
            if view is None:
                continue
            output["data"]["text/html"] = render_model(models, view.get("model_id", ""))
            del output["data"][VIEW]
    return notebook
