"""Log lines of the test servers' threads never land in pytest's progress output: a test
that ran a `paperboy` command in-process (which sets up logging on stderr) leaves no
handler behind, so a line the SMTP server's thread logs afterwards goes nowhere visible."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

LATE_LINE = """
import atexit
import logging

from click.testing import CliRunner

from paperboy.cli import cli


def test_a_command_sets_up_logging(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERBOY_DATA_DIR", str(tmp_path))
    assert CliRunner().invoke(cli, ["config", "show"]).exit_code == 0


def test_a_later_test():
    pass


# aiosmtpd's thread logging once the tests are over (as it does between two tests).
atexit.register(lambda: logging.getLogger("mail.log").info("LATE-SMTP-LINE"))
"""


def test_lines_logged_after_a_test_stay_out_of_the_output(tmp_path: Path) -> None:
    test_file = tmp_path / "test_late.py"
    test_file.write_text(LATE_LINE)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    options = ["-q", "-p", "no:cacheprovider", "-p", "tests.conftest"]
    config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *options, *config, str(test_file)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "2 passed" in result.stdout, result.stdout + result.stderr
    assert "LATE-SMTP-LINE" not in result.stdout + result.stderr
