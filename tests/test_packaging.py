"""`pip install .` gives a working product: the wheel carries static/, banner/, migrations, data.

The wheel is installed into a fresh virtualenv that borrows this environment's dependencies
through a .pth file (no downloads), and exercised from a folder outside the checkout.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True)
    return next(out.glob("consentkit-*.whl"))


def test_wheel_contents(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "consentkit/migrations/env.py" in names
    assert any(n.startswith("consentkit/migrations/versions/") for n in names)
    assert any(n.startswith("consentkit/static/") for n in names)
    assert any(n.startswith("consentkit/banner/") for n in names)
    assert "scanner/browser.py" in names
    top_level = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top_level == {"consentkit", "scanner"}, "only our own packages may be installed"


@pytest.mark.slow
def test_installed_wheel_runs_outside_the_checkout(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(subprocess.check_output(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip())
    # Dependencies from this environment; a .pth-added folder's own .pth files (our editable
    # install) are not processed, so the checkout cannot leak in.
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
                    str(wheel)], check=True)
    env = {"CONSENTKIT_INSTANCE_PATH": str(tmp_path / "instance"), "PATH": "/usr/bin:/bin"}
    where = subprocess.check_output(
        [py, "-c", "import consentkit, scanner; from consentkit.paths import static_dir;"
         "print(consentkit.__file__); print(scanner.__file__); print(static_dir())"],
        cwd=tmp_path, env=env, text=True).split()
    assert all(str(site) in w for w in where), where
    assert any(Path(where[2]).iterdir()), "static/ is empty in the installed wheel"
    upgraded = subprocess.run([venv / "bin" / "consentkit", "db", "upgrade"], cwd=tmp_path,
                              env=env, capture_output=True, text=True)
    assert upgraded.returncode == 0, upgraded.stderr
    added = subprocess.run([venv / "bin" / "consentkit", "site", "add", "--name", "Wheel",
                            "--origin", "https://wheel.example.no"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert added.returncode == 0 and "consent.js" in added.stdout, added.stderr
