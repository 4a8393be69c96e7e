"""The live timeline in an HTML copy of a lesson (``lessons --html``): its last picture as SVG,
the span list and the bytes of the picked span, without JavaScript."""
from __future__ import annotations

import pytest

from aioteach.notebook.lessons import write_html

CELLS = [
    "from aioteach.demo import make_app\n"
    "from aioteach.notebook import serve, LiveTimeline, ConcurrencyLab\n"
    "import aioteach\nserver = serve(make_app(), quiet=True)",
    "tl = LiveTimeline(title='frozen')\ntl.start()\ntl",
    "async with aioteach.ClientSession() as s:\n"
    "    async with s.get(server.url + '/delay/5') as r:\n"
    "        await r.read()\n"
    "tl.stop()\ntl.select('c1.reading')\nprint('spans:', len(tl.spans()))",
    "lab = ConcurrencyLab(server, path='/delay/1', n=2)\nawait lab.run_all()\nlab",
]


@pytest.mark.notebook
def test_the_html_copy_shows_the_timelines_last_svg_and_the_picked_bytes(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    pytest.importorskip("anywidget")
    lesson = tmp_path / "src" / "live.ipynb"
    lesson.parent.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, lesson)
    assert write_html(str(tmp_path), [lesson]) == 0
    page = (tmp_path / "live.html").read_text()
    assert "(Any widget)" not in page                      # drawn, not named
    assert page.count('data-span="c1.reading"') == 2       # both timelines, as SVG
    assert "client 1: GET /delay/5" in page
    assert "GET /delay/5 HTTP/1.1" in page                 # the picked span's bytes
    assert "n requests <b>2</b>" in page                   # the lab's sliders, frozen
    assert page.count("<svg") >= 2                         # the lab's live timeline too
