"""Read a captured debug or syslog transcript: findings per peer, and what was not recognised.

Pure: text in, :class:`Analysis` out. Lines are cleaned (``\\r\\n``, prompts, echoed
commands, ``show logging`` headers, ``#`` notes, timestamps), matched against the message catalog
(``knowledge/messages.yaml``), attributed to a peer and turned into findings with
:func:`ipsec_ops.diagnose.finding`, so summaries and next steps come from findings.yaml.

Rules beyond "the catalog says so" (:func:`_judge`):

* a peer named nowhere on a line is the last one seen on the same IKE conn-id
  (``ISAKMP:(1001):`` / ``ISAKMP (0:1001):``), else the one of a neighbouring line;
* ``atts are not acceptable`` and ``... offered does not match policy`` only count
  when a rejection (``no offers accepted!``) follows: IOS tries every policy in turn;
* retransmissions only make PEER_UNREACHABLE when repeated (or ending in the SA's
  deletion), no reply follows, and the peer did not refuse for another reason;
* a generic line (IOS "Quick mode failed") joins the specific finding it explains;
* a success marker after a peer's failures means it recovered: severity info;
* down events beyond the flapping threshold of counters.yaml make FLAPPING.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ipsec_ops.analyze_render import IP, Analysis, PeerAnalysis, render_json, render_table, shape
from ipsec_ops.diagnose import finding
from ipsec_ops.errors import InputFileError, UsageError
from ipsec_ops.knowledge import SEVERITY_RANK, Knowledge, Message, knowledge
from ipsec_ops.model import Finding
from ipsec_ops.platforms import DEFAULT_FAMILY, FAMILIES, Family, family
from ipsec_ops.reports.common import peer_key

UNKNOWN_PEER = "unknown peer"
MAX_EVIDENCE = 5  # distinct evidence lines per finding (same shape: counted)
NEAR = 3  # lines a line naming no peer looks ahead of and behind itself for one
_GROUP_FAMILY = {"ios": "ios15", "asa": "asa9", "pix": "pix6.3"}

# Catalog ids with a role in the rules (knowledge/messages.yaml).
_SUPPORTING = {"C13": "IKE_POLICY_MISMATCH", "C12": "IKE_POLICY_MISMATCH"}  # most telling first
_YIELDS = {  # a generic line joins this finding when the peer also has it
    "C15": "IKE_AUTH_FAILED",
    "C15Q": "PROXY_ID_MISMATCH",
    "C40": "PROXY_ID_MISMATCH",
    "C43": "PROXY_ID_MISMATCH",
    "C53N": "PROXY_ID_MISMATCH",
}
_RETRANSMIT = {"C01", "C03", "C03b", "C04"}  # C03: deleted after the last retry
_REPLY = {"C01R", "C04R", "C12", "C12A", "C38"}
_P1_UP = {"C72", "C72I"}
_UP = {"C73", "C73I", "C74", "C71A", "C75", "C75P"}
_EVENTS = {"C70", "C71"}  # UP or DOWN in their `event` group
_DOWN = {"C78"}
_NAMES_NO_PEER = {"C55"}  # its addresses are inner hosts, not the peer
_P1_CODES = {"PEER_UNREACHABLE", "IKE_POLICY_MISMATCH", "IKE_AUTH_FAILED"}
_UP_CODES = _P1_CODES | {"PHASE2_MISMATCH", "PROXY_ID_MISMATCH", "STALE_SA"}
_TAG_RANK = {"D": 0, "F": 1, "E": 2}

_STAMP = re.compile(
    r"^\s*(?:<\d+>)?(?:\d+: )?[*.]?(?P<ts>"
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|[A-Z][a-z]{2} +\d{1,2}(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Z]{2,5}\b)?"
    r"|\d{1,2}:\d{2}:\d{2}(?:\.\d+)?|\d+[ywd]\d+[wdh])(?::? |:$)"
)
_PROMPT = re.compile(r"^[A-Za-z][\w.\-/]*(?:\([\w\-/ ]+\))?[#>]")
_HEADER = re.compile(
    r"^\s*(?:Syslog logging:|No (?:Active|Inactive) Message Discriminator|No active filter"
    r"|(?:Console|Monitor|Buffer|Trap|Exception|Persistent|History|Mail|ASDM|Standby"
    r"|Debug-trace|Permit-hostdown|Timestamp|Count and timestamp) [Ll]ogging|Facility: \d"
    r"|Device ID: |Logging Source-Interface|Log Buffer \(|filtering (?:dis|en)abled"
    r"|Crypto [\w ]+ debugging is (?:on|off)|All possible debugging|Cryptographic Subsystem:"
    r"|Type escape sequence|Sending \d+, \d+-byte|Packet sent with|Success rate is|[!.]{3,}\s*$)"
)
_NOISE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x08\x07]|\s*(?:--More--|<--- More --->)\s*")
_CONN = re.compile(r"ISAKMP(?:-\w+)?\s*:?\s*\((?:\d+:)?(\d+)\)|\bSA ID = (\d+)")
_STATE = re.compile(r"\b(?:MM|AG|AM)_[A-Z0-9_]+\b|\bQM_IDLE\b")
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}  # noqa: SIM905


@dataclass
class _Line:
    n: int  # position among the content lines
    raw: str
    text: str  # without its timestamp
    stamp: str | None
    message: Message | None = None
    peer: str | None = None  # named by the line itself
    conn: str | None = None
    owner: str | None = None  # the peer it is attributed to


def _split(text: str) -> tuple[list[_Line], dict[str, int], int]:
    """Content lines (continuations joined), counts of the lines ignored, lines read."""
    lines: list[_Line] = []
    noise = {"blank": 0, "comment": 0, "prompt": 0, "header": 0}
    sources = text.splitlines()
    for source in sources:
        raw = _NOISE.sub(" ", source).rstrip()
        if not raw.strip():
            noise["blank"] += 1
        elif raw.lstrip().startswith("#"):  # a note added to the capture, never device output
            noise["comment"] += 1
        elif _HEADER.match(raw):
            noise["header"] += 1
        elif _PROMPT.match(raw):
            noise["prompt"] += 1
        elif raw[0].isspace() and lines and not _STAMP.match(raw):
            last = lines[-1]
            last.raw, last.text = f"{last.raw} {raw.strip()}", f"{last.text} {raw.strip()}"
        else:
            m = _STAMP.match(raw)
            stamp = " ".join(m.group("ts").split()) if m else None
            lines.append(_Line(len(lines), raw.strip(), raw[m.end() :] if m else raw, stamp))
    return lines, noise, len(sources)


def _seconds(stamp: str | None) -> float | None:
    """Seconds of a timestamp, to compare two of one transcript (no year: 2000).

    >>> _seconds("Mar 1 00:00:10.500") - _seconds("Mar 1 00:00:00")
    10.5
    >>> _seconds("1d02h"), _seconds("bogus")
    (93600.0, None)
    """
    if not stamp:
        return None
    try:
        if m := re.match(r"([A-Z][a-z]{2}) (\d+)(?: (\d{4}))? (\d+):(\d+):(\d+)(\.\d+)?", stamp):
            mon, day, year, hh, mm, ss, frac = m.groups()
            if mon not in _MONTHS:
                return None
            when = datetime(int(year or 2000), _MONTHS[mon], int(day), int(hh), int(mm), int(ss))
            return when.replace(tzinfo=UTC).timestamp() + float(frac or 0)
        if m := re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)", stamp):
            return datetime.fromisoformat(f"{m[1]}T{m[2]}").replace(tzinfo=UTC).timestamp()
        if m := re.match(r"(\d+):(\d+):(\d+)(\.\d+)?$", stamp):
            return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3]) + float(m[4] or 0)
        if m := re.match(r"(\d+)([ywd])(\d+)([wdh])$", stamp):
            unit = {"y": 31536000, "w": 604800, "d": 86400, "h": 3600}
            return float(int(m[1]) * unit[m[2]] + int(m[3]) * unit[m[4]])
    except ValueError:
        return None
    return None


def _platform(platform: str | None) -> Family | None:
    if platform is None:
        return None
    name = DEFAULT_FAMILY.get(platform) or _GROUP_FAMILY.get(platform) or platform
    if name not in FAMILIES:
        known = sorted({*FAMILIES, *DEFAULT_FAMILY, *_GROUP_FAMILY})
        raise UsageError(f"unknown platform {platform!r} (known: {', '.join(known)})")
    return family(name)


def _attribute(lines: list[_Line]) -> None:
    """Set ``owner``: the line's own peer, its conn-id's, a close neighbour's, or none."""
    seen: dict[str, tuple[list[int], list[str]]] = {}
    for ln in lines:
        if ln.peer and ln.conn is not None:
            at, peers = seen.setdefault(ln.conn, ([], []))
            at.append(ln.n)
            peers.append(ln.peer)
    for ln in lines:
        if ln.peer:
            ln.owner = ln.peer
        elif ln.conn in seen:  # the last peer named on this conn-id, else the first after
            at, peers = seen[ln.conn]
            ln.owner = peers[max(bisect.bisect_right(at, ln.n) - 1, 0)]
    fixed = [ln.owner for ln in lines]
    secs = [_seconds(ln.stamp) for ln in lines]
    for i, ln in enumerate(lines):
        if ln.owner is None:  # a neighbour of the same exchange (within a second)
            near = [*range(i + 1, i + 1 + NEAR), *range(i - 1, i - 1 - NEAR, -1)]
            ln.owner = next((fixed[j] for j in near if _close(secs, i, j) and fixed[j]), None)


def _close(secs: list[float | None], i: int, j: int) -> bool:
    if not 0 <= j < len(secs):
        return False
    a, b = secs[i], secs[j]
    return a is None or b is None or abs(a - b) <= 1


def analyze(text: str, platform: str | None = None, device: str = "-") -> Analysis:
    """Analyse a transcript; ``platform`` is a platform, family or log group (None: all).

    >>> a = analyze("*Mar  1 00:01:02.003: %CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from "
    ...             "192.0.2.7 failed its sanity check or is malformed\\nR1#")
    >>> [(p.peer, [f.code for f in p.findings]) for p in a.peers], a.noise["prompt"], a.platform
    ([('192.0.2.7', ['IKE_AUTH_FAILED'])], 1, 'ios15')
    """
    k = knowledge()
    fam = _platform(platform)
    group = fam.log_group if fam else None
    lines, noise, total = _split(text)
    for ln in lines:
        ln.message = k.match_message(ln.text, group)
        if ln.message is None or ln.message.id not in _NAMES_NO_PEER:
            peer = k.peer_of(ln.text, ln.message)
            m = re.match(IP, peer or "")
            ln.peer = m.group(0) if m else peer.rstrip(".,;:!)") if peer else None
        if m := _CONN.search(ln.text):
            ln.conn = m.group(1) if m.group(1) is not None else f"v2:{m.group(2)}"
    _attribute(lines)
    detected = fam is None
    if fam is None:
        platforms = [ln.message.platforms for ln in lines if ln.message]
        votes = Counter(p[0] for p in platforms if len(p) == 1)
        top = votes.most_common(1)[0][0] if votes else "ios"
        fam = family(_GROUP_FAMILY.get(top, "ios15"))
    by_peer: dict[str, list[_Line]] = {}
    for ln in lines:
        by_peer.setdefault(ln.owner or UNKNOWN_PEER, []).append(ln)
    peers = [
        _judge(peer, group_lines, fam, device, k)
        for peer, group_lines in by_peer.items()
        if any(ln.message for ln in group_lines)
    ]
    peers.sort(key=lambda p: (-_worst(p.findings), peer_key(p.peer)))
    unknown = [ln for ln in lines if ln.message is None]
    shapes: dict[str, list[Any]] = {}
    for ln in unknown:
        shapes.setdefault(shape(ln.text), [0, ln.raw])[0] += 1
    ranked = sorted(shapes.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return Analysis(
        device,
        fam.name,
        detected,
        peers,
        matched=len(lines) - len(unknown),
        unknown=len(unknown),
        noise=noise,
        shapes=[(s, n, example) for s, (n, example) in ranked],
        lines=total,
    )


def _worst(findings: list[Finding]) -> int:
    return max((SEVERITY_RANK[f.severity] for f in findings), default=-1)


def _code(ln: _Line, k: Knowledge) -> str | None:
    """The finding a line supports on its own; a timeout's bracketed state refines it."""
    assert ln.message is not None
    if ln.message.id in _SUPPORTING:
        return None
    m = ln.message.regex.search(ln.text)
    state = m.groupdict().get("state") if m else None
    if state:
        info = k.state("ikev1_asa", state) or k.state("ikev1_ios", state)
        if info and info.finding:
            return info.finding
    return ln.message.code


def _event(ln: _Line) -> str | None:
    """``up``, ``p1`` (phase 1 only), ``down`` or None for a lifecycle line."""
    assert ln.message is not None
    mid = ln.message.id
    if mid in _EVENTS:
        m = ln.message.regex.search(ln.text)
        return "up" if m and m.groupdict().get("event") == "UP" else "down"
    return "up" if mid in _UP else "p1" if mid in _P1_UP else "down" if mid in _DOWN else None


def _judge(peer: str, lines: list[_Line], fam: Family, device: str, k: Knowledge) -> PeerAnalysis:
    """One peer's findings from its lines, by the rules of the module docstring."""
    matched = [ln for ln in lines if ln.message]
    evidence: dict[str, list[_Line]] = {}
    for ln in matched:
        if code := _code(ln, k):
            evidence.setdefault(code, []).append(ln)
    for code, items in list(evidence.items()):  # generic lines join the specific finding
        for ln in list(items):
            target = _YIELDS.get(ln.message.id if ln.message else "")
            specific = [d for d in evidence.get(target or "", []) if _id(d) not in _YIELDS]
            if target and target != code and specific:
                items.remove(ln)
                evidence[target].append(ln)
    for ln in matched:  # supporting lines count only before a rejection of their kind
        target = _SUPPORTING.get(ln.message.id if ln.message else "")
        if target and any(d.n >= ln.n for d in evidence.get(target, [])):
            evidence[target].append(ln)
    run: list[_Line] = []  # retransmissions since the peer last answered
    for ln in matched:
        if _id(ln) in _RETRANSMIT:
            run.append(ln)
        elif _is_reply(ln, k):
            run = []
    other = any(evidence.get(c) for c in _UP_CODES - {"PEER_UNREACHABLE", "STALE_SA"})
    if other or not (len(run) >= 2 or any(_id(ln) == "C03" for ln in run)):
        run = []  # answered, refused for another reason, or a single resend
    if "PEER_UNREACHABLE" in evidence:
        kept = [ln for ln in evidence["PEER_UNREACHABLE"] if _id(ln) not in _RETRANSMIT]
        evidence["PEER_UNREACHABLE"] = sorted(kept + run, key=lambda ln: ln.n)
    events = [(ln, _event(ln)) for ln in matched]
    downs = _downs(events, k)
    if 2 * len(downs) >= int(k.thresholds["flapping"]["min_transitions"]):
        evidence["FLAPPING"] = downs
    order = list(k.codes)
    findings = []
    for code in sorted((c for c, v in evidence.items() if v), key=order.index):
        items = sorted(evidence[code], key=lambda ln: ln.n)
        findings.append(_finding(code, peer, items, lines, fam, device, k, events))
    findings.sort(key=lambda f: -SEVERITY_RANK[f.severity])
    stamps = [ln.stamp for ln in matched if ln.stamp]
    return PeerAnalysis(
        peer,
        len(matched),
        findings,
        stamps[0] if stamps else None,
        stamps[-1] if stamps else None,
        dict(Counter(_id(ln) for ln in matched)),
    )


def _id(ln: _Line) -> str:
    return ln.message.id if ln.message else ""


def _is_reply(ln: _Line, k: Knowledge) -> bool:
    """The line shows the peer answered (a received packet, a refusal, a success)."""
    code = _code(ln, k)
    spoke = code is not None and code != "PEER_UNREACHABLE"
    return _id(ln) in _REPLY or spoke or _event(ln) in ("up", "p1")


def _downs(events: list[tuple[_Line, str | None]], k: Knowledge) -> list[_Line]:
    """Down events not followed by an up within the hold-down (a rekey or a clear)."""
    hold = float(k.thresholds["flapping"].get("hold_down_s", 0))
    ups = [_seconds(ln.stamp) for ln, ev in events if ev == "up"]
    out = []
    for ln, ev in events:
        at = _seconds(ln.stamp)
        quick = at is not None and any(u is not None and 0 <= u - at <= hold for u in ups)
        if ev == "down" and not quick:
            out.append(ln)
    return out


def _finding(
    code: str,
    peer: str,
    items: list[_Line],
    lines: list[_Line],
    fam: Family,
    device: str,
    k: Knowledge,
    events: list[tuple[_Line, str | None]],
) -> Finding:
    """The finding for one code: strongest distinct lines first, recovery noted."""

    supporting = list(_SUPPORTING)

    def strength(ln: _Line) -> tuple[int, int, int]:
        mid = _id(ln)
        role = 1 + supporting.index(mid) if mid in _SUPPORTING else 0
        role = len(supporting) + 1 if _YIELDS.get(mid) == code else role
        return (role, _TAG_RANK.get(ln.message.tag if ln.message else "E", 2), ln.n)

    ranked = sorted(items, key=strength)
    seen: Counter[str] = Counter(shape(ln.text) for ln in ranked)
    shown: list[str] = []
    for ln in ranked:
        if shape(ln.text) in seen and len(shown) < MAX_EVIDENCE:
            n = seen.pop(shape(ln.text))
            shown.append(ln.raw + (f"  [x{n}]" if n > 1 else ""))
    top = ranked[0]
    m = top.message.regex.search(top.text) if top.message else None
    groups = m.groupdict() if m else {}
    meaning = top.message.meaning if top.message else ""
    meaning += f" ({groups['reason'].strip()})" if groups.get("reason") else ""
    last = items[-1].n
    states = [s for ln in lines if ln.n <= last for s in _STATE.findall(ln.text)]
    state = groups.get("state") or (states[-1] if states else None)
    secs = [s for s in (_seconds(ln.stamp) for ln in lines) if s is not None]
    span = f"{max(1, round((max(secs) - min(secs)) / 60))} min of log" if secs else "the log"
    lines_n = f"{len(items)} log line{'s' if len(items) != 1 else ''}"
    values = {
        "peer": peer if peer != UNKNOWN_PEER else "<peer>",
        "acl": "<crypto ACL>",
        "map": "<crypto map>",
        "interface": "<interface>",
        "local": "?",
        "state": state or "an unlogged state",
        "meaning": meaning,
        "why": f"{meaning} ({lines_n})",
        "errors": f"{lines_n}: {meaning}",
        "direction": meaning,
        "left": "?",
        "downs": len(items),
        "window": span,
    }
    f = finding(code, fam, None, device, shown, **values)
    kinds = ("up", "p1") if code in _P1_CODES else ("up",) if code in _UP_CODES else ()
    after = next((ln for ln, ev in events if ev in kinds and ln.n > last), None)
    if after is not None:
        what = "phase 1 completed" if _event(after) == "p1" else "tunnel up"
        f.severity = "info"
        f.summary += f"; recovered afterwards: {what}" + (
            f" at {after.stamp}" if after.stamp else ""
        )
        f.evidence.append(f"recovered: {after.raw}")
    return f


def analyze_file(
    path: Path, platform: str | None, fmt: str = "table", styled: bool = False
) -> tuple[str, int]:
    """Analyse the transcript in ``path``: the ``table`` or ``json`` text and the exit code.

    Exit code: 0 nothing wrong, 1 warnings only, 2 a critical finding. A missing,
    unreadable or binary file, or one without a single recognisable line, raises
    :class:`InputFileError` naming the file.
    """
    if fmt not in ("table", "json"):
        raise UsageError(f"unknown format {fmt!r} (expected table or json)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(str(path), "", "file not found") from None
    except OSError as exc:
        raise InputFileError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    head = data[:65536]
    controls = sum(1 for b in head if b < 32 and b not in b"\t\n\r\x08\x1b\x0c")
    if b"\x00" in head or controls > len(head) // 10:
        raise InputFileError(str(path), "", "binary file, expected a debug or syslog transcript")
    analysis = analyze(data.decode("utf-8", errors="replace"), platform)
    if not analysis.matched and not analysis.noise["header"]:
        raise InputFileError(str(path), "", "no IPsec debug or syslog line recognised")
    text = render_json(analysis) if fmt == "json" else render_table(analysis, styled=styled)
    return text, analysis.exit_code()
