"""The JupyterLab route, end to end on a real server: a learner's workspace opened through
JupyterLab's REST API (jupytext pairing and all), saved, and graded from its own kernel with
``%load_ext course`` and ``%course check``, the result shown as a table."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
import websocket

from course import learner
from course.classroom.notebooks import module_to_notebook
from course.config import Layout
from tests.conftest import running_jupyter

#: Seconds for the server to answer, and for a cell (a toy grading) to finish.
STARTUP, CELL = 90, 120


@dataclass(frozen=True)
class Server:
    """A running Jupyter server: its address, token and folder."""

    url: str
    token: str
    root: Path

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """A REST call; its JSON answer (``None`` for an empty one)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=CELL) as response:
            text = response.read()
        return json.loads(text) if text else None

    def execute(self, kernel: str, code: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Run ``code`` in ``kernel`` through its websocket: the kernel's reply, and the
        iopub messages (outputs) it sent before."""
        address = self.url.replace("http", "ws", 1)
        channel = websocket.create_connection(
            f"{address}/api/kernels/{kernel}/channels",
            header=[f"Authorization: token {self.token}"],
            timeout=CELL,
        )
        message_id = uuid.uuid4().hex
        channel.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": message_id,
                        "msg_type": "execute_request",
                        "username": "test",
                        "session": uuid.uuid4().hex,
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "channel": "shell",
                    "content": {"code": code, "silent": False, "allow_stdin": False},
                }
            )
        )
        messages: list[dict[str, Any]] = []
        try:
            while True:
                message = json.loads(channel.recv())
                if message.get("parent_header", {}).get("msg_id") != message_id:
                    continue
                if message["channel"] == "iopub":
                    messages.append(message)
                elif message["msg_type"] == "execute_reply":
                    return message["content"], messages
        finally:
            channel.close()


@pytest.fixture
def jupyter_server(
    toy_course: Layout, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Server]:
    """``jupyter lab`` on a free port, with a token, serving an empty folder; its kernels
    grade the toy course (COURSE_ROOT) and keep their progress in the test's folder."""
    root = tmp_path / "lab"
    root.mkdir()
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        monkeypatch.setenv(name, str(tmp_path / "jupyter" / name.lower()))
    monkeypatch.setenv("COURSE_ROOT", str(toy_course.root))
    with running_jupyter("jupyterlab", root, tmp_path, startup=STARTUP) as (url, token):
        yield Server(url, token, root)


def test_percent_course_check_grades_the_saved_notebook_in_jupyterlab(
    jupyter_server: Server, toy_course: Layout
) -> None:
    """A started week saved from JupyterLab stays paired with its module, assignment text
    and all, and ``%course check`` in the notebook's own kernel grades the saved notebook:
    a table with the score."""
    week = toy_course.weeks[0]
    started = learner.start(week, jupyter_server.root)
    path = f"{week.stem}/{started.notebook.name}"
    # The learner's work, saved from JupyterLab (which sends each cell's source as one
    # string): jupytext writes the paired module too.
    solved = nbformat.reads(module_to_notebook(week.solution.read_text()), as_version=4)
    jupyter_server.call(
        "PUT", f"/api/contents/{path}", {"type": "notebook", "format": "json", "content": solved}
    )
    assert "return 2 * x" in started.module.read_text()
    cells = jupyter_server.call("GET", f"/api/contents/{path}")["content"]["cells"]
    assert [cell["cell_type"] for cell in cells] == ["markdown", "code"]
    assert cells[0]["source"].startswith("# Week 1: toy arithmetic")
    session = jupyter_server.call(
        "POST",
        "/api/sessions",
        {
            "path": path,
            "name": started.notebook.name,
            "type": "notebook",
            "kernel": {"name": "python3"},
        },
    )
    kernel = session["kernel"]["id"]
    # The module, saved later with the stub's code, is not what this kernel's notebook holds.
    started.module.write_text(week.assignment.read_text())
    reply, outputs = jupyter_server.execute(kernel, "%load_ext course\n%course check 1")
    assert reply["status"] == "ok", reply
    # A line while the checks run, then the table in its place.
    shown = [
        (m["msg_type"], m["content"]["data"])
        for m in outputs
        if m["msg_type"] in ("display_data", "update_display_data")
    ]
    assert [kind for kind, _ in shown] == ["display_data", "update_display_data"], outputs
    table = shown[1][1]
    assert "<table" in table["text/html"]
    assert "week01: 3 / 3 points" in table["text/html"]
    assert f"Graded {started.notebook.resolve()}" in table["text/plain"]
    reply, _ = jupyter_server.execute(kernel, "%course check 9")
    assert (reply["status"], reply["ename"]) == ("error", "UsageError")
    assert reply["evalue"].startswith("unknown week '9'")
