"""The README stays true: CI runs the test command it gives, and it mentions every subcommand."""

from __future__ import annotations

import re
from pathlib import Path

import click

from consentkit.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    ci_command = [line.strip() for line in ci.splitlines() if line.strip().startswith("python -m pytest")]
    assert len(ci_command) == 1
    assert ci_command[0].replace("python -m", ".venv/bin/python -m") in README


def test_quick_start_is_two_commands():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(?:#.*\n)?(.+?)\n```", quick)
    assert len(commands) == 2
    assert "consentkit demo" in commands[0] and "pytest" in commands[1]


def test_every_subcommand_is_in_the_readme():
    missing = []
    for name, command in cli.commands.items():
        subs = command.commands if isinstance(command, click.Group) else {"": None}
        for sub in subs:
            phrase = f"consentkit {name} {sub}".strip()
            if phrase not in README:
                missing.append(phrase)
    assert not missing, f"README does not show: {missing}"
