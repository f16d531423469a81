"""The CLI starts without loading the engines: ``grayshield --help`` must not pay for pandas or LightGBM."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from grayshield.cli.main import app

HEAVY = ("lightgbm", "pandas", "ibis", "sklearn", "pyarrow", "duckdb", "scipy", "sqlalchemy", "alembic")


def _loaded_after(statement: str) -> list[str]:
    """Heavy packages in ``sys.modules`` after running ``statement`` in a fresh interpreter."""
    code = f"import sys\n{statement}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.split()


def test_importing_the_cli_loads_no_engine() -> None:
    assert _loaded_after("import grayshield.cli.main") == []


def test_help_loads_no_engine() -> None:
    statement = ("from typer.testing import CliRunner\nfrom grayshield.cli.main import app\n"
                 "assert CliRunner().invoke(app, ['--help']).exit_code == 0\n"
                 "assert CliRunner().invoke(app, ['text', 'classify', '--help']).exit_code == 0")
    assert _loaded_after(statement) == []


def test_text_help_names_every_task() -> None:
    """The task list is written out in the help (importing it would load the engine); keep it in step."""
    from grayshield.text import TASKS

    result = CliRunner().invoke(app, ["text", "classify", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for task in TASKS:
        assert task in result.output
