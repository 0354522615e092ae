"""A negotiation's outcome placed on the clock: what one end shows at instant ``t``.

Counters grow with traffic, lifetimes count down, SAs rekey with new SPIs
(derived from the pair, the cycle and the generation, so both ends agree),
failing initiators retry, flapping tunnels cycle, a cleared tunnel renegotiates.
Also the log events each end would have written up to ``t``.
"""

from __future__ import annotations

import hashlib

from ipsec_ops.lab.config import Device, IkePolicy, MapEntry
from ipsec_ops.lab.negotiation import Negotiation
from ipsec_ops.lab.views import IkeView, IpsecView, LogEvent, Outcome, TunnelView
from ipsec_ops.platforms import family

RETRY_S = 60  # a failing initiator starts a new attempt this often
RENEGOTIATE_S = 3.0  # a cleared tunnel with traffic is back after this long
FLAP_PERIOD_S = 120.0
FLAP_UP_S = 75.0
STALE_FROZEN_BEFORE_START_S = 600.0
KB_PER_PACKET = 0.5
# Devices rekey at a soft lifetime before the hard one; the replacement SA takes over
# then, so a healthy SA never shows less than 10% of its lifetime left.
REKEY_AT = 0.9
MAX_EVENTS = 200

# Phase 1 state names by (state table, outcome, role). Reference section 1.
_V1_STATES = {
    "ikev1_ios": {
        Outcome.UP: ("QM_IDLE", "QM_IDLE"),
        Outcome.UNREACHABLE: ("MM_NO_STATE", None),
        Outcome.POLICY_MISMATCH: ("MM_NO_STATE", None),
        Outcome.NO_PEER_CONFIG: ("MM_SA_SETUP", None),
        Outcome.AUTH_FAILED: ("MM_KEY_EXCH", "MM_KEY_EXCH"),
        Outcome.PHASE2_MISMATCH: ("QM_IDLE", "QM_IDLE"),
        Outcome.PROXY_MISMATCH: ("QM_IDLE", "QM_IDLE"),
    },
    "ikev1_asa": {
        Outcome.UP: ("MM_ACTIVE", "MM_ACTIVE"),
        Outcome.UNREACHABLE: ("MM_WAIT_MSG2", None),
        Outcome.POLICY_MISMATCH: ("MM_WAIT_MSG2", None),
        Outcome.NO_PEER_CONFIG: ("MM_WAIT_MSG4", None),
        Outcome.AUTH_FAILED: ("MM_WAIT_MSG6", "MM_WAIT_MSG5"),
        Outcome.PHASE2_MISMATCH: ("MM_ACTIVE", "MM_ACTIVE"),
        Outcome.PROXY_MISMATCH: ("MM_ACTIVE", "MM_ACTIVE"),
    },
}
_PHASE1_UP = {Outcome.UP, Outcome.PHASE2_MISMATCH, Outcome.PROXY_MISMATCH}
# What each failing outcome logs, and on which side.
_FAILURE_EVENT = {
    Outcome.POLICY_MISMATCH: "p1_policy",
    Outcome.AUTH_FAILED: "p1_auth",
    Outcome.PHASE2_MISMATCH: "p2_transform",
    Outcome.PROXY_MISMATCH: "p2_proxy",
    Outcome.UNREACHABLE: "no_answer",
    Outcome.NO_PEER_CONFIG: "no_answer",
}


def stable_int(*parts: object) -> int:
    """A deterministic 64-bit integer for ``parts`` (SPIs, ages, conn-ids).

    >>> stable_int("a", 1) == stable_int("a", 1) != stable_int("a", 2)
    True
    """
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def spi(*parts: object) -> int:
    """A non-zero 32-bit SPI above the reserved range (RFC 4303 reserves 1-255)."""
    return 0x1000 + stable_int("spi", *parts) % (0xFFFFFFFF - 0x1000)


class Timeline:
    """Places one negotiation's outcome on the clock for one end, at instant ``t``."""

    def __init__(
        self,
        start: float,
        device: Device,
        index: int,
        entry: MapEntry,
        neg: Negotiation,
        key: str,
        t0: float,
        cleared: float | None,
        t: float,
    ) -> None:
        self.start, self.device, self.index, self.entry = start, device, index, entry
        self.neg, self.key, self.t0, self.cleared, self.t = neg, key, t0, cleared, t
        self.local = device.local_address_for(entry)
        self.table = family(device.family).ike_state_table  # the one platform table

    def view(self) -> TunnelView:
        neg, t = self.neg, self.t
        outcome = neg.outcome
        sending = outcome != Outcome.NO_TRAFFIC
        hits = tuple(
            int(self.entry.pps * max(0.0, t - self.start + 3600)) if sending else 0
            for _ in self.entry.acl
        )
        if t < self.t0:  # just cleared: renegotiating
            return self._down("DOWN-NEGOTIATING", self._ike_attempt(outcome, t), hits)
        if outcome == Outcome.NO_TRAFFIC:
            return self._down("DOWN", None, hits)
        if outcome != Outcome.UP:
            status = "UP-IDLE" if outcome in _PHASE1_UP else "DOWN-NEGOTIATING"
            return self._down(status, self._ike_attempt(outcome, t), hits, no_sa=True)
        if "flapping" in neg.faults:
            cycle, phase = divmod(t - self.t0, FLAP_PERIOD_S)
            if phase >= FLAP_UP_S:
                ike = self._ike_attempt(Outcome.UNREACHABLE, t)
                return self._down("DOWN-NEGOTIATING", ike, hits, no_sa=True)
            return self._up(self.t0 + cycle * FLAP_PERIOD_S, int(cycle), hits)
        if "stale" in neg.faults and self.cleared is None:
            return self._stale(hits)
        return self._up(self.t0, 0, hits)

    # -- pieces ------------------------------------------------------------------

    def _ike_attempt(self, outcome: Outcome, t: float) -> IkeView | None:
        """The IKE SA shown while phase 1 is failing or just established."""
        states = _V1_STATES[self.table].get(outcome)
        if states is None:
            return None
        initiator = self.neg.role == "initiator"
        state = states[0] if initiator else states[1]
        if state is None:
            return None
        established = outcome in _PHASE1_UP
        if self.entry.ike_version == 2:
            state = "READY" if established else "IN-NEG"
        if established:
            return self._ike(self.t0, t)
        attempt = int(max(0.0, t - self.t0) // RETRY_S)
        return IkeView(
            version=self.entry.ike_version,
            state=state,
            role=self.neg.role,
            conn_id=self._conn_id(attempt),
            lifetime_left_s=0,
            established=False,
            policy=self.neg.policy,
            age_s=int(max(0.0, t - self.t0) % RETRY_S),
            local_spi=spi(self.key, "ike-i", attempt, str(self.local)),
            remote_spi=0,
        )

    def _ike(self, since: float, t: float) -> IkeView:
        policy = self.neg.policy or IkePolicy(10)
        lifetime = policy.lifetime
        gen, age = divmod(max(0.0, t - since), lifetime * REKEY_AT)
        return IkeView(
            version=self.entry.ike_version,
            state="READY" if self.entry.ike_version == 2 else _V1_STATES[self.table][Outcome.UP][0],
            role=self.neg.role,
            conn_id=self._conn_id(int(gen)),
            lifetime_left_s=int(lifetime - age),
            established=True,
            policy=policy,
            age_s=int(age),
            local_spi=spi(self.key, self.cleared, "ike", int(gen), str(self.local)),
            remote_spi=spi(self.key, self.cleared, "ike", int(gen), str(self.entry.peer)),
        )

    def _conn_id(self, generation: int) -> int:
        """A conn-id that changes with every new SA (rekey, retry, or after a clear)."""
        n = max(1, len(self.device.map_entries))
        epoch = stable_int("clear", self.cleared) % 97 if self.cleared is not None else 0
        return 1001 + self.index + n * ((generation + epoch) % 500)

    def _rates(self) -> tuple[float, float]:
        """Packets per second we encapsulate and decapsulate while the SAs are up."""
        remote_pps = (
            self.neg.remote.entry.pps
            if self.neg.remote and self.neg.remote.entry
            else (self.entry.pps)
        )
        out_pps = 0.0 if self.neg.one_way_to_us else self.entry.pps
        in_pps = 0.0 if self.neg.one_way_from_us else remote_pps
        return out_pps, in_pps

    def _sa_lifetime(self) -> int:
        remote = self.neg.remote
        other = remote.sa_lifetime_s if remote else self.entry.sa_lifetime_s
        return min(self.entry.sa_lifetime_s, other)

    def _ipsec(self, since: float, cycle: int, t: float, frozen_at: float | None) -> IpsecView:
        lifetime = self._sa_lifetime()
        t_eff = min(t, frozen_at) if frozen_at is not None else t
        elapsed = max(0.0, t_eff - since)
        gen, age = divmod(elapsed, lifetime * REKEY_AT)
        out_pps, in_pps = self._rates()
        encaps, decaps = int(out_pps * elapsed), int(in_pps * elapsed)
        gen_packets = (out_pps + in_pps) * age
        line = self.entry.acl[0]
        ts = self.device.transform_set(self.entry.transform_set)
        base = 2001 + 2 * self.index
        return IpsecView(
            local_net=line.src,
            remote_net=line.dst,
            # The clear time is part of the SPI: SAs negotiated after a clear are new SAs.
            spi_in=spi(
                self.key, self.cleared, cycle, int(gen), str(self.entry.peer), str(self.local)
            ),
            spi_out=spi(
                self.key, self.cleared, cycle, int(gen), str(self.local), str(self.entry.peer)
            ),
            encaps=encaps,
            decaps=decaps,
            send_errors=0,
            recv_errors=0,
            lifetime_left_s=int(lifetime - age),
            lifetime_left_kb=max(0, int(self.entry.sa_lifetime_kb - gen_packets * KB_PER_PACKET)),
            conn_id_in=base,
            conn_id_out=base + 1,
            transform=ts,
            pfs_group=self.entry.pfs_group,
        )

    def _up(self, since: float, cycle: int, hits: tuple[int, ...]) -> TunnelView:
        ike = self._ike(since, self.t)
        sas = (self._ipsec(since, cycle, self.t, None), *self._extra_lines(since, cycle))
        return self._tunnel(ike, sas, "UP-ACTIVE", hits, int(self.t - since))

    def _extra_lines(self, since: float, cycle: int) -> tuple[IpsecView, ...]:
        """ACL lines after the first get their own SA pair (quiet: no traffic on them)."""
        out = []
        for n, line in enumerate(self.entry.acl[1:], start=1):
            first = self._ipsec(since, cycle * 100 + n, self.t, since)
            out.append(
                IpsecView(
                    line.src,
                    line.dst,
                    first.spi_in,
                    first.spi_out,
                    0,
                    0,
                    0,
                    0,
                    first.lifetime_left_s,
                    first.lifetime_left_kb,
                    first.conn_id_in + 100 * n,
                    first.conn_id_out + 100 * n,
                    first.transform,
                    first.pfs_group,
                )
            )
        return tuple(out)

    def _stale(self, hits: tuple[int, ...]) -> TunnelView:
        frozen = self.start - STALE_FROZEN_BEFORE_START_S
        sa = self._ipsec(self.t0, 0, self.t, frozen)
        return self._tunnel(None, (sa,), "UP-NO-IKE", hits, int(self.t - self.t0))

    def _down(
        self, status: str, ike: IkeView | None, hits: tuple[int, ...], no_sa: bool = False
    ) -> TunnelView:
        sending = self.neg.outcome != Outcome.NO_TRAFFIC
        no_sa_send = int(self.entry.pps * max(0.0, self.t - self.t0)) if no_sa and sending else 0
        ts = self.device.transform_set(self.entry.transform_set)
        sas = tuple(
            IpsecView(
                line.src,
                line.dst,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                ts,
                self.entry.pfs_group,
                no_sa_send if n == 0 else 0,
            )
            for n, line in enumerate(self.entry.acl)
        )
        return self._tunnel(ike, sas, status, hits, None)

    def _tunnel(
        self,
        ike: IkeView | None,
        sas: tuple[IpsecView, ...],
        status: str,
        hits: tuple[int, ...],
        uptime: int | None,
    ) -> TunnelView:
        return TunnelView(
            device=self.device,
            entry=self.entry,
            local=self.local,
            peer=self.entry.peer,
            outcome=self.neg.outcome,
            ike=ike,
            ipsec=sas,
            session_status=status,
            acl_hits=hits,
            uptime_s=uptime,
        )


def tunnel_events(
    start: float,
    clears: list[float],
    device: Device,
    index: int,
    entry: MapEntry,
    neg: Negotiation,
    key: str,
    until: float,
) -> list[LogEvent]:
    """Log events of one tunnel, from lab start to ``until`` (bounded)."""
    local = device.local_address_for(entry)

    def ev(at: float, kind: str, detail: str = "") -> LogEvent:
        return LogEvent(
            at, kind, local, entry.peer, entry.map_name, entry.ike_version, neg.role, detail
        )

    out: list[LogEvent] = []
    clears = sorted(c for c in clears if c <= until)
    if neg.outcome == Outcome.UP:
        if "flapping" in neg.faults:
            t0 = start - (3600 + stable_int(key, "age") % (4 * 86400))
            first = int(max(0.0, start - 600 - t0) // FLAP_PERIOD_S)
            cycle = first
            while True:
                up_at = t0 + cycle * FLAP_PERIOD_S
                if up_at > until:
                    break
                out.append(ev(up_at, "up"))
                if up_at + FLAP_UP_S <= until:
                    out.append(ev(up_at + FLAP_UP_S, "down"))
                cycle += 1
        for c in clears:
            out.append(ev(c, "down", "cleared"))
            if c + RENEGOTIATE_S <= until:
                out.append(ev(c + RENEGOTIATE_S, "up"))
        return out
    kind = _FAILURE_EVENT.get(neg.outcome)
    if kind is None:
        return out
    # A failing negotiation logs on the side that sees the failure, once per retry.
    sees = kind in ("p1_policy", "p2_transform", "p2_proxy") and neg.role == "responder"
    sees = sees or kind == "p1_auth" or (neg.role == "initiator" and kind != "no_answer")
    if not sees:
        return out
    t = until - ((until - start) % RETRY_S)
    while t >= start - 600 and len(out) < 20:
        out.append(ev(t, kind))
        t -= RETRY_S
    out.reverse()
    return out
