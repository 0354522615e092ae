"""Every fixture pair under tests/templates parses to its expected records (ntc-templates style).

Layout: ``tests/templates/<platform>/<command_with_underscores>/<name>.raw`` beside
``<name>.yml`` holding ``parsed_sample:`` (the expected records, lower-case keys).
The template is found the way the tool finds it: the project's index first, then
ntc-templates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ipsec_ops.parse import parse

HERE = Path(__file__).parent
RAWS = sorted(HERE.glob("*/*/*.raw"))


def _command(folder: str) -> str:
    return folder.replace("_", " ")


@pytest.mark.parametrize("raw", RAWS, ids=[str(p.relative_to(HERE)) for p in RAWS])
def test_fixture(raw: Path) -> None:
    expected = yaml.safe_load(raw.with_suffix(".yml").read_text())["parsed_sample"]
    platform, command = raw.parent.parent.name, _command(raw.parent.name)
    records = parse(platform, command, raw.read_text())
    assert records == expected


def test_there_are_fixtures_for_every_project_template() -> None:
    templates = {p.name for p in (HERE.parents[1] / "ipsec_ops" / "templates").glob("*.textfsm")}
    covered = set()
    for raw in RAWS:
        from ipsec_ops.parse import find_template

        covered.add(find_template(raw.parent.parent.name, _command(raw.parent.name)).name)
    assert templates <= covered, f"templates without fixtures: {sorted(templates - covered)}"
