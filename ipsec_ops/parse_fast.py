"""The fast path for large outputs: the same template, the same records, less time.

A 5,000-tunnel hub prints about 20 MB of ``show crypto ipsec sa``; plain TextFSM
takes seconds on it. Two things make it faster, neither changes a record:

1. :class:`FastFSM` is TextFSM itself with a quicker inner loop. TextFSM tries the
   rules of the current state one regex at a time; here each state's remaining rules
   are joined into one alternation ``(?P<_0>rule0)|(?P<_1>rule1)|...``. Python's
   ``re`` tries alternatives left to right at the same position, so the alternative
   that matches is exactly the first rule TextFSM would have matched, with the same
   groups (renamed per rule, so one match gives the values). TextFSM's own code
   applies the record and line actions; values without options are assigned and
   cleared directly instead of through option hooks that would do nothing, and a
   rule with no action skips the call. A state whose rules cannot be joined (a
   back-reference, a conditional group, a global inline flag) keeps TextFSM's
   rule-by-rule loop.
2. For templates declared in :data:`SPLITTABLE`, the text is cut at lines where the
   template provably restarts (see :class:`Split`) and the parts are parsed at the
   same time: the first in this process, the others in a
   :class:`concurrent.futures.ProcessPoolExecutor`. Each part after the first starts
   with the line that sets the template's Filldown context (``interface: X``), so the
   FSM is in the same state with the same values at the cut as it is in one pass.

A line the template rejects raises :class:`ipsec_ops.parse.ParseError` with the line
number in the whole text (the exact line, counted while parsing).

Used by :func:`ipsec_ops.parse.parse_with` for texts above
:data:`ipsec_ops.parse.FAST_THRESHOLD`; ``tests/test_parse_fast.py`` checks the
records equal plain TextFSM's, ``bench/parse.py`` measures both.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import re
import threading
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import textfsm
from textfsm import parser as fsm_parser

from ipsec_ops.errors import IpsecOpsError

# Below this many characters a part is not worth a process.
MIN_PART_CHARS = 2_000_000
# Line separators str.splitlines() knows besides "\n": with any of them in the text the
# splitter (which cuts at "\n") is not used and the text is parsed in one pass.
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_NAMED_GROUP = re.compile(r"\(\?P<([A-Za-z_]\w*)>")
# What a rule cannot keep inside a joined regex: back-references, conditional groups
# (their group numbers or names change) and global inline flags (only valid first).
_UNJOINABLE = re.compile(r"\(\?P=|\(\?\(|\(\?[aiLmsux-]+\)|\\[1-9]")
_RULE_GROUP = re.compile(r"_\d+")  # the group around rule i of a joined regex: "_i"
_BUILTIN_OPTIONS = {"Required", "Filldown", "Fillup", "Key", "List"}


@dataclass(frozen=True)
class _Joined:
    """Some rules of a state as one alternation: ``(?P<_0>rule0)|(?P<_1>rule1)|...``.

    Each rule's named groups are renamed ``_<rule>_<n>``; ``groups[rule]`` lists
    (renamed group, original name) in the rule's order, as ``groupdict()`` gives them.
    """

    regex: re.Pattern[str]
    rules: list[Any]
    groups: list[list[tuple[str, str]]]

    @classmethod
    def of(cls, rules: list[Any]) -> _Joined | None:
        if not rules or any(_UNJOINABLE.search(rule.regex) for rule in rules):
            return None
        parts, groups = [], []
        for i, rule in enumerate(rules):
            names: list[tuple[str, str]] = []

            def rename(m: re.Match[str], i: int = i, names: list[tuple[str, str]] = names) -> str:
                names.append((f"_{i}_{len(names)}", m.group(1)))
                return f"(?P<{names[-1][0]}>"

            parts.append(f"(?P<_{i}>{_NAMED_GROUP.sub(rename, rule.regex)})")
            groups.append(names)
        try:
            return cls(re.compile("|".join(parts)), rules, groups)
        except re.error:
            return None


@dataclass(frozen=True)
class _Step:
    """A joined regex ready to run: the rules, the Values each sets, rule by group number."""

    regex: re.Pattern[str]
    rules: list[Any]
    assigns: list[list[tuple[str, Any, bool]]]
    rule_of_group: dict[int, int]


class FastFSM(textfsm.TextFSM):
    """TextFSM with one joined regex per state and direct assignment of plain values.

    ``line_index`` is the 1-based number of the line being parsed (the line an error
    was raised on, after a failure).
    """

    _cur_state_name: str
    _fast_values = False  # TextFSM's own paths until __init__ has sorted the values

    def __init__(self, template: Any) -> None:
        super().__init__(template)
        self._by_name = {v.name: v for v in self.values}
        names = {type(o).__name__ for v in self.values for o in v.options}
        # Options other than TextFSM's own could have hooks the fast paths would skip.
        self._fast_values = names <= _BUILTIN_OPTIONS
        self._plain = [v for v in self.values if not v.options]
        self._optioned = [v for v in self.values if v.options]
        self._steps: dict[tuple[str, int], _Step | None] = {}
        self.line_index = 0

    # -- the rule search ----------------------------------------------------------

    def _step(self, state: str, start: int) -> _Step | None:
        """Rules ``start:`` of ``state`` as one regex (None when they cannot be joined).

        Each rule comes with the Values its groups set, resolved once: (group, Value,
        plain) where plain Values (no options) are assigned directly.
        """
        key = (state, start)
        if key not in self._steps:
            step = None
            joined = _Joined.of(self.states[state][start:])
            if joined is not None:
                by_number = {
                    number: int(name[1:])
                    for name, number in joined.regex.groupindex.items()
                    if _RULE_GROUP.fullmatch(name)
                }
                assigns = [
                    [
                        (g, self._by_name[n], self._plain_value(n))
                        for g, n in groups
                        if n in self._by_name
                    ]
                    for groups in joined.groups
                ]
                step = _Step(joined.regex, joined.rules, assigns, by_number)
            self._steps[key] = step
        return self._steps[key]

    def _plain_value(self, name: str) -> bool:
        return self._fast_values and not self._by_name[name].options

    def ParseText(self, text: str, eof: bool = True) -> list[list[Any]]:
        self.line_index = 0
        rows: list[list[Any]] = super().ParseText(text, eof)
        return rows

    def _CheckLine(self, line: str) -> None:
        self.line_index += 1
        start = 0
        while True:
            step = self._steps.get((self._cur_state_name, start)) or self._step(
                self._cur_state_name, start
            )
            if step is None:
                self._check_rules(line, start)
                return
            found = step.regex.match(line)
            if found is None:
                return
            index = step.rule_of_group[found.lastindex or 0]
            for group, target, plain in step.assigns[index]:
                if plain:
                    target.value = found.group(group)
                else:
                    target.AssignVar(found.group(group))
            rule = step.rules[index]
            if (rule.record_op or rule.line_op) and not self._Operations(rule, line):
                start += index + 1
                continue
            if rule.new_state:
                if rule.new_state not in ("End", "EOF"):
                    self._cur_state = self.states[rule.new_state]
                self._cur_state_name = rule.new_state
            return

    def _check_rules(self, line: str, start: int) -> None:
        """TextFSM's own loop, from rule ``start`` of the current state."""
        for rule in self._cur_state[start:]:
            matched = rule.regex_obj.match(line)
            if matched:
                for value in matched.groupdict():
                    self._AssignVar(matched, value)
                if self._Operations(rule, line):
                    if rule.new_state:
                        if rule.new_state not in ("End", "EOF"):
                            self._cur_state = self.states[rule.new_state]
                        self._cur_state_name = rule.new_state
                    break

    # -- values: the same effects as TextFSM's option hooks, without the calls -------

    def _GetValue(self, name: str) -> Any:
        return self._by_name.get(name)

    def _AssignVar(self, matched: Any, value: str) -> None:
        self._assign(value, matched.group(value))

    def _assign(self, name: str, text: str | None) -> None:
        target = self._by_name.get(name)
        if target is None:
            return
        if target.options or not self._fast_values:
            target.AssignVar(text)
        else:
            target.value = text

    def _ClearRecord(self) -> None:
        if not self._fast_values:
            super()._ClearRecord()
            return
        for value in self._plain:
            value.value = None
        for value in self._optioned:
            value.ClearVar()

    def _ClearAllRecord(self) -> None:
        if not self._fast_values:
            super()._ClearAllRecord()
            return
        for value in self._plain:
            value.value = None
        for value in self._optioned:
            value.ClearAllVar()

    def _AppendRecord(self) -> None:
        if not self._fast_values:
            super()._AppendRecord()
            return
        if not self.values:
            return
        try:
            for value in self._optioned:
                value.OnSaveRecord()
        except fsm_parser.SkipRecord:
            self._ClearRecord()
            return
        record = [value.value for value in self.values]
        if len(record) == record.count(None) + record.count([]):
            return
        self._result.append(["" if item is None else item for item in record])
        self._ClearRecord()


# -- splitting ----------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """Where a template restarts, so its text can be cut there.

    ``boundary`` matches lines at which, in every state of the template, the first
    matching rule is ``Continue.Record`` and the next one assigns and moves to the same
    state whatever the state before (narrower than the template's rules on purpose: a
    line it misses is only a cut not taken). The last line before a cut that starts
    with ``prefix`` is the one that set the template's only Filldown value; it is put
    in front of the part, after checking it against ``context`` (the template's own
    pattern for it, made narrower: when it does not match, the text is not cut).
    """

    boundary: re.Pattern[str]
    context: re.Pattern[str]
    prefix: str  # every line the template could take as a context line starts with it


SPLITTABLE: dict[str, Split] = {
    # Blocks start at "interface:", "peer address:" or "Crypto map tag:"; INTERFACE is
    # the only Filldown value (see the contract in the template's header comment).
    "cisco_asa_show_crypto_ipsec_sa.textfsm": Split(
        boundary=re.compile(r"^(?:interface:|peer address:|[ \t]*Crypto map tag:)", re.M),
        context=re.compile(r"interface:[ \t]+\S+[ \t]*"),
        prefix="interface:",
    ),
}


@dataclass(frozen=True)
class Part:
    """A slice of the text, the context line put in front of it, its first line number."""

    text: str
    first_line: int
    context: str | None = None

    def source(self) -> str:
        return self.text if self.context is None else f"{self.context}\n{self.text}"


def split_text(text: str, split: Split, parts: int) -> list[Part]:
    """Cut ``text`` into at most ``parts`` slices at boundary lines.

    Returns the whole text as one part when it cannot be cut safely: fewer than two
    parts wanted, line breaks other than ``\\n`` (TextFSM splits lines as
    ``str.splitlines`` does), or a Filldown context line the ``context`` pattern does
    not recognise.
    """
    if parts < 2 or _OTHER_BREAKS.search(text):
        return [Part(text, 1)]
    cuts = [0]
    for n in range(1, parts):
        newline = text.find("\n", max(cuts[-1], len(text) * n // parts))
        found = split.boundary.search(text, newline + 1) if newline >= 0 else None
        if found is None:
            break
        if found.start() > cuts[-1]:
            cuts.append(found.start())
    cuts.append(len(text))
    out = []
    line = 1
    for a, b in itertools.pairwise(cuts):
        context = None
        if a:
            start = _last_line_start(text, split.prefix, a)
            if start is not None:
                end = text.find("\n", start)
                candidate = text[start:end]
                if not split.context.fullmatch(candidate):
                    return [Part(text, 1)]
                context = candidate
        out.append(Part(text[a:b], line, context))
        line += text.count("\n", a, b)
    return out


def _last_line_start(text: str, prefix: str, before: int) -> int | None:
    """Start of the last line before offset ``before`` that begins with ``prefix``."""
    at = text.rfind("\n" + prefix, 0, before)
    if at >= 0:
        return at + 1
    return 0 if text.startswith(prefix) and before > 0 else None


# -- running it --------------------------------------------------------------------


def _fsm(template_text: str) -> FastFSM:
    """A new FSM for the template text: one per parse, so threads may parse at once.

    Building one costs about a millisecond; the joined regexes come from ``re``'s cache
    after the first parse in a process.
    """
    return FastFSM(io.StringIO(template_text))


@dataclass(frozen=True)
class Failure:
    """A line the template rejected: its 1-based number in the part and its text."""

    line_index: int
    line: str
    message: str


def parse_part(template_text: str, source: str) -> tuple[list[str], list[list[Any]]] | Failure:
    """Header and rows of one part (runs in the worker processes too)."""
    fsm = _fsm(template_text)
    try:
        rows = fsm.ParseText(source)
    except textfsm.TextFSMError as exc:
        return Failure(fsm.line_index, _rejected_line(source, fsm.line_index), str(exc))
    return list(fsm.header), rows


def _rejected_line(source: str, index: int) -> str:
    lines = source.splitlines()
    return lines[index - 1] if 0 < index <= len(lines) else ""


_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0
_POOL_LOCK = threading.Lock()


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _pool(workers: int) -> Executor:
    """The shared worker pool (created on first use, reused after).

    Forked workers start in milliseconds; fork is used only while this process has a
    single thread, otherwise a fork server (or spawn) starts them.
    """
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is None or workers > _POOL_SIZE:
            if _POOL is not None:
                _POOL.shutdown(wait=False)
            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods and threading.active_count() == 1:
                method = "fork"
            else:
                method = "forkserver" if "forkserver" in methods else "spawn"
            _POOL = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
            _POOL_SIZE = workers
        return _POOL


def shutdown() -> None:
    """Stop the worker pool (it is also stopped at interpreter exit)."""
    global _POOL, _POOL_SIZE
    with _POOL_LOCK:
        if _POOL is not None:
            _POOL.shutdown()
            _POOL, _POOL_SIZE = None, 0


@dataclass
class Outcome:
    """Header and rows of a whole text, or its first rejected line."""

    header: list[str]
    rows: list[list[Any]]
    failure: Failure | None = None
    line_no: int | None = None  # of the failure, in the whole text


def parse_rows(
    template_name: str, template_text: str, text: str, workers: int | None = None
) -> Outcome:
    """Parse ``text`` with a template (its file name and text).

    ``workers`` is how many parts the text of a template in :data:`SPLITTABLE` is cut
    into (default: one per CPU, parts of at least :data:`MIN_PART_CHARS`).
    """
    split = SPLITTABLE.get(template_name)
    if workers is None:
        workers = min(cpu_count(), max(1, len(text) // MIN_PART_CHARS))
    parts = split_text(text, split, workers) if split else [Part(text, 1)]
    results: list[tuple[list[str], list[list[Any]]] | Failure]
    if len(parts) == 1:
        results = [parse_part(template_text, text)]
    else:
        pool = _pool(len(parts) - 1)
        futures = [pool.submit(parse_part, template_text, p.source()) for p in parts[1:]]
        first = parse_part(template_text, parts[0].source())
        results = [first, *(f.result() for f in futures)]
    outcome = Outcome([], [])
    for part, result in zip(parts, results, strict=True):
        if isinstance(result, Failure):
            offset = 1 if part.context is not None else 0
            line_no = part.first_line + result.line_index - 1 - offset
            return Outcome([], [], result, line_no)
        outcome.header, part_rows = result
        outcome.rows += part_rows
    return outcome


def parse(template: Path, text: str, workers: int | None = None) -> list[dict[str, Any]]:
    """Records of ``text`` under ``template``: lower-case keys, as :func:`parse_with`.

    The same errors too: unreadable or bad template, ParseError for a rejected line.
    """
    from ipsec_ops.parse import ParseError, _compiled

    template_text = _compiled(str(template))
    try:
        _fsm(template_text)
    except textfsm.TextFSMTemplateError as exc:
        raise IpsecOpsError(f"{template}: bad template: {exc}") from None
    outcome = parse_rows(template.name, template_text, text, workers)
    if outcome.failure is not None:
        raise ParseError(template.name, outcome.line_no, outcome.failure.line)
    keys = [h.lower() for h in outcome.header]
    return [dict(zip(keys, row, strict=True)) for row in outcome.rows]
