"""The fast path gives exactly what plain TextFSM gives with the same template.

Records equal on every fixture under tests/templates (all platforms: the joined-regex
engine is generic), on the ASA ``show crypto ipsec sa`` samples cut into parts, on a
generated multi-megabyte hub output, and on a template using every TextFSM option and
action; a rejected line is reported at its line number in the whole text. No timing is
asserted here (bench/parse.py measures).
"""

from __future__ import annotations

import io
import ipaddress
import random
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import textfsm

from ipsec_ops import parse as parse_mod
from ipsec_ops import parse_fast
from ipsec_ops.errors import IpsecOpsError
from ipsec_ops.lab.engine import Engine
from ipsec_ops.lab.render import asa
from ipsec_ops.lab.render.base import context_for
from ipsec_ops.lab.scenario import load_scenario
from ipsec_ops.parse import ParseError, find_template, parse, parse_with

HERE = Path(__file__).parent
FIXTURES = sorted((HERE / "templates").glob("*/*/*.raw"))
IPSEC = find_template("asa9", "show crypto ipsec sa")
IPSEC_FIXTURES = sorted((HERE / "templates" / "cisco_asa" / "show_crypto_ipsec_sa").glob("*.raw"))


def plain(template: Path, text: str) -> list[dict[str, Any]] | tuple[str, str]:
    """Plain TextFSM: records, or ("error", the rejected line)."""
    fsm = textfsm.TextFSM(io.StringIO(template.read_text(encoding="utf-8")))
    try:
        rows = fsm.ParseText(text)
    except textfsm.TextFSMError as exc:
        line = parse_mod._error_line(str(exc))
        if str(exc).startswith("Error: "):  # 'Error "message"' adds a period after the line
            line = line.removesuffix(".")
        return ("error", line)
    keys = [h.lower() for h in fsm.header]
    return [dict(zip(keys, row, strict=True)) for row in rows]


def fast(template: Path, text: str, workers: int = 1) -> list[dict[str, Any]] | tuple[str, str]:
    try:
        return parse_fast.parse(template, text, workers=workers)
    except ParseError as exc:
        return ("error", exc.line)


def generate(tunnels: int, seed: int = 7) -> str:
    """An ASA 9 hub's ``show crypto ipsec sa`` from the lab's renderer, one peer per tunnel."""
    ctx = context_for(Engine(load_scenario("default")), "fw-asa9")
    base = next(t for t in ctx.tunnels() if any(sa.has_sa for sa in t.ipsec))
    sa0 = next(sa for sa in base.ipsec if sa.has_sa)
    rng = random.Random(seed)
    views = []
    for i in range(tunnels):
        peer = ipaddress.IPv4Address("100.64.0.1") + i
        sas = tuple(
            replace(
                sa0,
                remote_net=ipaddress.IPv4Network((0xAC100000 + i * 512 + n * 256, 24)),
                spi_in=rng.getrandbits(32) | 1 << 28,
                spi_out=rng.getrandbits(32) | 1 << 28,
                encaps=rng.randrange(10**9),
                decaps=rng.randrange(10**9),
            )
            for n in range(1 + i % 2)
        )
        entry = replace(base.entry, seq=i + 1, peer=peer, acl_name=f"acl_{i + 1}")
        views.append(replace(base, entry=entry, peer=peer, ipsec=sas))
    hub = SimpleNamespace(device=ctx.device, tunnels=lambda: views)
    text: str = asa.ipsec_sa(None, hub, {})  # type: ignore[arg-type]
    return text


@pytest.fixture(scope="module")
def big() -> str:
    text = generate(700)
    assert len(text) > parse_mod.FAST_THRESHOLD
    return text


@pytest.mark.parametrize("raw", FIXTURES, ids=[str(p.relative_to(HERE)) for p in FIXTURES])
def test_every_fixture_same_as_plain_textfsm(raw: Path) -> None:
    template = find_template(raw.parent.parent.name, raw.parent.name.replace("_", " "))
    text = raw.read_text()
    assert fast(template, text) == plain(template, text)


@pytest.mark.parametrize("workers", [2, 3, 5])
@pytest.mark.parametrize("raw", IPSEC_FIXTURES, ids=[p.stem for p in IPSEC_FIXTURES])
def test_ipsec_samples_cut_into_parts(raw: Path, workers: int) -> None:
    text = raw.read_text()
    assert fast(IPSEC, text, workers) == plain(IPSEC, text)


def test_large_output_through_parse(big: str) -> None:
    records = parse("asa9", "show crypto ipsec sa", big)  # above FAST_THRESHOLD
    assert records == plain(IPSEC, big)
    assert len(records) == 700 + 350
    assert len({r["spi_in"][0] for r in records}) == len(records)


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_large_output_any_number_of_parts(big: str, workers: int) -> None:
    assert fast(IPSEC, big, workers) == plain(IPSEC, big)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.93])
@pytest.mark.parametrize("workers", [1, 2, 3])
def test_a_malformed_line_is_reported_at_its_line_in_the_whole_text(
    big: str, where: float, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = big.splitlines()
    at = int(len(lines) * where)
    while "#pkts decaps" not in lines[at]:
        at += 1
    bad = "      #pkts decaps: 12, #pkts garbled"
    text = "\n".join([*lines[:at], bad, *lines[at:]]) + "\n"
    assert plain(IPSEC, text) == ("error", bad)
    with pytest.raises(ParseError) as fast_error:
        parse_fast.parse(IPSEC, text, workers=workers)
    monkeypatch.setattr(parse_mod, "FAST_THRESHOLD", 10**12)  # parse_with: plain TextFSM
    with pytest.raises(ParseError) as plain_error:
        parse_with(IPSEC, text)
    for error in (fast_error.value, plain_error.value):
        assert (error.template, error.line_no, error.line) == (IPSEC.name, at + 1, bad)
        assert f"line {at + 1} not understood" in str(error)


def test_the_small_path_names_the_same_line(big: str) -> None:
    lines = big.splitlines()[:400]
    lines.insert(250, "      this line is not ASA output")
    text = "\n".join(lines)
    with pytest.raises(ParseError) as small:
        parse_with(IPSEC, text)
    with pytest.raises(ParseError) as large:
        parse_fast.parse(IPSEC, text, workers=2)
    assert (
        (small.value.line_no, small.value.line)
        == (large.value.line_no, large.value.line)
        == (
            251,
            "      this line is not ASA output",
        )
    )


def test_parts_join_back_to_the_text(big: str) -> None:
    split = parse_fast.SPLITTABLE[IPSEC.name]
    parts = parse_fast.split_text(big, split, 4)
    assert len(parts) == 4
    assert "".join(p.text for p in parts) == big
    line = 1
    for n, part in enumerate(parts):
        assert part.first_line == line
        line += part.text.count("\n")
        if n:
            assert split.boundary.match(part.text)
            assert part.context == "interface: outside"
            assert part.source() == f"interface: outside\n{part.text}"
        else:
            assert part.context is None


def test_no_cut_where_it_could_change_a_record() -> None:
    split = parse_fast.SPLITTABLE[IPSEC.name]
    text = (HERE / "templates/cisco_asa/show_crypto_ipsec_sa/lab_asa9.raw").read_text()
    assert len(parse_fast.split_text(text, split, 2)) == 2
    # line breaks TextFSM knows but the splitter does not cut at
    assert len(parse_fast.split_text(text.replace("\n", "\r\n"), split, 2)) == 1
    # an interface line the narrow context pattern does not vouch for
    odd = text.replace("interface: outside", "interface:\u3000outside")
    assert len(parse_fast.split_text(odd, split, 2)) == 1
    assert fast(IPSEC, odd, 2) == plain(IPSEC, odd)
    # no boundary after the middle: one part
    assert len(parse_fast.split_text("x\n" * 100, split, 2)) == 1


def test_errors_of_the_template_itself_are_those_of_parse_with(tmp_path: Path) -> None:
    bad = tmp_path / "bad.textfsm"
    bad.write_text("Value X (\\d+\n\nStart\n  ^${X} -> Record\n")
    for run in (lambda: parse_with(bad, "1"), lambda: parse_fast.parse(bad, "1")):
        with pytest.raises(IpsecOpsError, match="bad template"):
            run()
    missing = tmp_path / "missing.textfsm"
    for run in (lambda: parse_with(missing, "1"), lambda: parse_fast.parse(missing, "1")):
        with pytest.raises(IpsecOpsError, match="cannot read template"):
            run()


# Every option and action TextFSM has, so the fast engine's shortcuts meet all of them.
EVERYTHING = r"""Value Filldown,Key SECTION (\S+)
Value Required NAME (\w+)
Value List TAGS (\w+)
Value List PAIRS ((?P<k>\w+)=(?P<v>\w+))
Value Fillup TOTAL (\d+)
Value COUNT (\d+)
Value NOTE (.*)

# Start keeps TextFSM's rule-by-rule loop (a back-reference cannot be joined); Section runs
# joined.
Start
  ^section\s+${SECTION} -> Section
  ^(?i:ignored-case)\s*$$
  ^twin\s+(\w)\1\s*$$
  ^\s*$$
  ^. -> Error "not in a section"

Section
  ^item -> Continue.Record
  ^item\s+${NAME}(?:\s+${COUNT})?
  ^\s+tag\s+${TAGS}
  ^\s+pair\s+${PAIRS}
  ^\s+note\s+${NOTE} -> Continue
  ^\s+note\s+(\S+)\s+(\S+)\s*$$ -> Clear
  ^\s+total\s+${TOTAL}
  ^reset -> Clearall
  ^section\s+${SECTION}\s*$$
  ^stop -> End
  ^\s*$$
  ^. -> Error
"""


@pytest.mark.parametrize(
    "text",
    [
        "section a\nitem one 3\n  tag x\n  tag y\n  pair p=1\nitem two\n  note hello\n"
        "  total 5\nsection b\nitem three 1\n  note two words\nreset\nitem four\nstop\nitem x\n",
        "IGNORED-CASE\ntwin aa\nsection s\nitem a\n  pair k=v\n  pair q=w\n  total 9\n",
        "twin ab\n",
        "section s\nitem a\nbogus line\n",
        "bogus first\n",
    ],
)
def test_every_option_and_action(tmp_path: Path, text: str) -> None:
    template = tmp_path / "everything.textfsm"
    template.write_text(EVERYTHING)
    assert fast(template, text) == plain(template, text)


def test_which_states_run_joined(tmp_path: Path) -> None:
    fsm = parse_fast.FastFSM(io.StringIO(IPSEC.read_text()))
    fsm.ParseText((IPSEC_FIXTURES[0]).read_text())
    assert fsm._steps and all(step is not None for step in fsm._steps.values())
    template = tmp_path / "everything.textfsm"
    template.write_text(EVERYTHING)
    fsm = parse_fast.FastFSM(io.StringIO(EVERYTHING))
    fsm.ParseText("twin aa\nsection s\nitem a\n")
    assert fsm._steps[("Start", 0)] is None and fsm._steps[("Section", 0)] is not None


def test_the_ipsec_template_keeps_the_splitting_contract() -> None:
    """What SPLITTABLE relies on, read from the template itself (see its header comment)."""
    fsm = textfsm.TextFSM(io.StringIO(IPSEC.read_text()))
    assert [v.name for v in fsm.values if "Filldown" in v.OptionNames()] == ["INTERFACE"]
    assert not any("Fillup" in v.OptionNames() for v in fsm.values)
    split = parse_fast.SPLITTABLE[IPSEC.name]
    for line in (
        "interface: outside",
        "peer address: 192.0.2.1",
        "    Crypto map tag: outside_map, seq num: 10, local addr: 192.0.2.1",
        "    Crypto map tag: def, local addr: 10.132.0.17",
    ):
        assert split.boundary.match(line)
        after = set()
        for rules in fsm.states.values():
            first, second = [rule for rule in rules if rule.regex_obj.match(line)][:2]
            assert (first.line_op, first.record_op) == ("Continue", "Record")
            assert not first.regex_obj.regex.groupindex  # records before assigning
            assert second.line_op in ("", "Next") and second.record_op in ("", "NoRecord")
            after.add((second.regex, second.new_state))
        assert len(after) == 1  # the same rule, to the same state, from every state
    assert split.context.fullmatch("interface: outside")
