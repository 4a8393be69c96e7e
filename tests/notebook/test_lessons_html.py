"""python -m aioteach lessons DIR --html: executed HTML copies, never overwriting."""
from __future__ import annotations

import subprocess
import sys

import pytest

from aioteach.notebook.lessons import write_html

CELLS = ["from aioteach.demo import make_app\nfrom aioteach.notebook import serve, Timeline\n"
         "from aioteach.trace import Span\nserver = serve(make_app())\nserver",
         "Timeline([Span('GET /', 'x', 0.0, 0.5), Span('GET /a', 'x', 0.1, 0.3)])",
         "from aioteach.notebook import RequestPanel, ConcurrencyLab, click_and_wait\n"
         "panel = RequestPanel(server, path='/ipinfo/8.8.8.8')\n"
         "await click_and_wait(panel.send_button)\npanel",
         "lab = ConcurrencyLab(server, path='/delay/1', n=2)\nawait lab.run_all()\nlab"]


@pytest.mark.notebook
def test_an_executed_html_copy_with_its_pictures(tmp_path, capsys):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    lesson = tmp_path / "src" / "lesson.ipynb"
    lesson.parent.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, lesson)
    assert write_html(str(tmp_path), [lesson]) == 0
    page = (tmp_path / "lesson.html").read_text()
    assert "aioteach server" in page                   # an executed cell's output
    # pictures: the timeline's PNG output and the lab's Image widget, both as data: URIs
    assert page.count("data:image/png;base64,") >= 2
    assert "200 OK" in page and "disabled" in page      # the panel's last state, frozen
    assert "wrote" in capsys.readouterr().out
    # a second run refuses at once, in one line, with exit status 2
    assert write_html(str(tmp_path), [lesson]) == 2
    assert capsys.readouterr().out.count("\n") == 1


def test_the_command_refuses_an_existing_html_file(tmp_path):
    (tmp_path / "01_hello_server.html").write_text("mine")
    done = subprocess.run([sys.executable, "-m", "aioteach", "lessons", str(tmp_path), "--html"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stdout.count("\n") == 1 and "refusing to overwrite" in done.stdout
    assert (tmp_path / "01_hello_server.html").read_text() == "mine"
    assert not list(tmp_path.glob("*.ipynb"))           # nothing was copied or run
