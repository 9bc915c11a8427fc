"""The shape of the code, checked like behaviour: import contracts and sizes.

The import contracts (pyproject.toml, ``[tool.importlinter]``) hold the layers — entry points
→ adapters and features → engine → kernel → pure logic —, keep features independent of each
other, keep adapters away from features and SQLAlchemy inside the kernel's storage, and allow
no import cycle anywhere, ``TYPE_CHECKING`` imports included. ``lint-imports`` runs in CI
too; running it here means the README's one test command checks them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.structure.sizes import MAX_FUNCTION_LINES, MAX_MODULE_LINES, ROOT, all_oversized


def test_import_contracts_are_kept() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command is not None, "import-linter is part of the test extras"
    result = subprocess.run(
        [command, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_module_or_function_is_too_long() -> None:
    found = all_oversized()
    assert not found, (
        f"modules are limited to {MAX_MODULE_LINES} lines and functions to "
        f"{MAX_FUNCTION_LINES} (migrations aside):\n" + "\n".join(found)
    )


def test_the_size_check_sees_a_long_function(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    module = tmp_path / "long.py"
    module.write_text(f"def long() -> None:\n{body}\n")
    assert any("long is 61 lines" in p for p in all_oversized([module]))
    module.write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    assert any("401 lines" in p for p in all_oversized([module]))
