"""What a device prints under crypto debug, as data: per platform style and scene, the lines.

A *scene* is what one burst of a negotiation shows: a failing outcome (one
attempt or retransmission: ``unreachable``, ``policy_mismatch``, ...), ``up`` (a
full successful exchange), ``rekey`` (a new IPsec SA pair over the existing
phase 1) or ``stale`` (traffic for an SPI the device no longer has). Styles:
``ios`` (IOS / IOS-XE, IKEv1), ``ios2`` (IOS / IOS-XE, IKEv2), ``asa`` (ASA and
PIX 7, IKEv1), ``asa2`` (ASA 8.4+, IKEv2), ``pix6`` (PIX 6.3).

Each line is ``"<codes>|<text>"``. The first code is the debug the line belongs
to: ``K`` ISAKMP / IKEv1, ``V`` IKEv2 (protocol), ``W`` IKEv2 platform (ASA),
``P`` IPsec, ``E`` crypto engine, ``X`` crypto engine packet (one line per
packet: the ``traffic`` scene), ``R`` crypto routing (reverse-route events). The
HA debugs (``debug crypto ha``, ``debug crypto isakmp ha``) print nothing: the lab
has no stateful failover, and a standalone router prints none [E]. Flags follow:
``!`` an error (shown by the ``... error`` debugs), ``~`` printed before the peer
is known (no debug context: hidden by peer conditions unless ``debug crypto
condition unmatched``), ``+`` verbose (ASA/PIX prints it only at a debug level of at least
:data:`VERBOSE_LEVEL`), ``i`` / ``r`` initiator / responder only, ``s`` only in
the first burst of an attempt, ``p`` an IKEv2 packet line (sent / received packet
with its header: what ``debug crypto ikev2 packet`` shows [E]). ``\\n`` in a text
starts a continuation line (printed without a timestamp). Placeholders are filled
from the tunnel's facts (:func:`ipsec_ops.lab.debug_facts.facts`); a line whose
placeholder has no value for this tunnel is left out. ASA ``!`` lines are what
``debug crypto condition error`` keeps (9.x) [E].

Sources: reference section 3 (C-numbers below), section 1 (FSM and state
names), S2/S10 (ASA IKEv1 debug layout), S3/S4 (IKEv2 debug layout). The fixed
fragments the catalog names are reproduced exactly; the surrounding lines and
all IKEv2 failure wording are practitioner knowledge [E]. Extend a scene by
adding lines; add a scene by adding a key.
"""

from __future__ import annotations

from dataclasses import dataclass

VERBOSE_LEVEL = 10  # ASA "[IKEv1 DEBUG]" lines need at least this level [E]
KINDS = {
    "K": "isakmp",
    "V": "ikev2",
    "W": "ikev2-platform",
    "P": "ipsec",
    "E": "engine",
    "X": "engine-packet",
    "R": "routing",
}


@dataclass(frozen=True)
class Template:
    kind: str  # "isakmp", "ikev2", "ikev2-platform", "ipsec", "engine"
    text: str
    error: bool = False
    context: bool = True
    verbose: bool = False
    role: str = ""  # "", "initiator" or "responder"
    start: bool = False
    packet: bool = False  # an IKEv2 packet line (`debug crypto ikev2 packet` shows it)


def template(spec: str) -> Template:
    """Parse one catalog line.

    >>> t = template("Kr~!|ISAKMP:(0):no offers accepted!")
    >>> t.kind, t.text, t.error, t.context, t.role
    ('isakmp', 'ISAKMP:(0):no offers accepted!', True, False, 'responder')
    """
    codes, _, text = spec.partition("|")
    role = "initiator" if "i" in codes[1:] else "responder" if "r" in codes[1:] else ""
    return Template(
        KINDS[codes[0]],
        text,
        "!" in codes,
        "~" not in codes,
        "+" in codes,
        role,
        "s" in codes,
        "p" in codes,
    )


# -- IOS / IOS-XE, IKEv1 --------------------------------------------------------------------

_IOS_SEND = "ISAKMP:({cid}): sending packet to {peer} my_port 500 peer_port 500 ({R}) {state}"
_IOS_RECV = "ISAKMP ({cid}): received packet from {peer} dport 500 sport 500 Global ({R}) {state}"
_IOS_MM_START = [
    "Ki s|ISAKMP:(0): SA request profile is (NULL)",
    "Ki s|ISAKMP: Created a peer struct for {peer}, peer port 500",
    "Ki s|ISAKMP:(0):Old State = IKE_READY  New State = IKE_I_MM1",
    "Ki s|ISAKMP:(0): beginning Main Mode exchange",
]
_IOS_QM = [
    "Pi|IPSEC(sa_request): ,\n  (key eng. msg.) OUTBOUND local= {local}:0, remote= {peer}:0,"
    "\n    local_proxy= {lproxy},\n    remote_proxy= {rproxy},"
    "\n    protocol= ESP, transform= {transform}  (Tunnel),"
    "\n    lifedur= {life_s}s and {life_kb}kb,"
    "\n    spi= 0x0(0), conn_id= 0, keysize= {keysize}, flags= 0x0",
    "Ki|ISAKMP:({cid}):beginning Quick Mode exchange, M-ID of {mid}",
    "Ki|ISAKMP:({cid}):Old State = IKE_QM_READY  New State = IKE_QM_I_QM1",
    "Kr|ISAKMP: set new node {mid} to QM_IDLE",
    "K|ISAKMP:({cid}): processing SA payload. message ID = {mid}",
    "K|ISAKMP:({cid}):Checking IPSec proposal 1",
    "K|ISAKMP:({cid}):atts are acceptable.",
    "E|CryptoEngine0: CRYPTO_ISA_IPSEC_KEY_CREATE(hw)(ipsec)",
    "P|IPSEC(key_engine): got a queue event with 1 KMI message(s)",
    "P|IPSEC(create_sa): sa created,\n  (sa) sa_dest= {local}, sa_proto= 50,"
    "\n    sa_spi= 0x{SPI_IN}({spi_in_dec}),\n    sa_trans= {transform} , sa_conn_id= {conn_in}",
    "P|IPSEC(create_sa): sa created,\n  (sa) sa_dest= {peer}, sa_proto= 50,"
    "\n    sa_spi= 0x{SPI_OUT}({spi_out_dec}),\n    sa_trans= {transform} , sa_conn_id= {conn_out}",
    "P|IPSEC(update_current_outbound_sa): updated peer {peer} current outbound sa to SPI {SPI_OUT}",
    "Ki|ISAKMP:({cid}):Old State = IKE_QM_I_QM1  New State = IKE_QM_PHASE2_COMPLETE",
    "Kr|ISAKMP:({cid}):Old State = IKE_QM_R_QM2  New State = IKE_QM_PHASE2_COMPLETE",
]
_IOS_UP = [
    *_IOS_MM_START,
    "Kr|" + _IOS_RECV.format(cid=0, peer="{peer}", R="N", state="NEW SA"),
    "Kr|ISAKMP:(0):Old State = IKE_READY  New State = IKE_R_MM1",
    "K|ISAKMP:(0):found peer pre-shared key matching {peer}",
    "K|ISAKMP:(0):Checking ISAKMP transform 1 against priority {prio} policy",
    "K|ISAKMP:(0):atts are acceptable. Next payload is 0",
    "E|CryptoEngine0: generate alg parameter",
    "K|ISAKMP:(0): processing KE payload. message ID = 0",
    "E|CRYPTO_ENGINE: Dh phase 1 status: 0",
    "K|ISAKMP:(0): processing NONCE payload. message ID = 0",
    "E|CryptoEngine0: create ISAKMP SKEYID for conn id {cid}",
    "K|ISAKMP:({cid}): processing ID payload. message ID = 0",
    "K|ISAKMP:({cid}): processing HASH payload. message ID = 0",
    "K|ISAKMP:({cid}):SA authentication status:\n\tauthenticated",
    "K|ISAKMP:({cid}):SA has been authenticated with {peer}",
    "Ki|ISAKMP:({cid}):Old State = IKE_I_MM6  New State = IKE_P1_COMPLETE",
    "Kr|ISAKMP:({cid}):Old State = IKE_R_MM5  New State = IKE_P1_COMPLETE",
    *_IOS_QM,
]
_IOS_RETRANSMIT = [  # C01, C03: only the initiator waits for an answer
    "Ki!|ISAKMP:(0): retransmitting phase 1 {state}...",
    "Ki!|ISAKMP (0:0): incrementing error counter on sa, attempt {attempt} of 5: retransmit"
    " phase 1",
    "Ki!|ISAKMP:(0): retransmitting phase 1 {state}",
    "Ki|" + _IOS_SEND.replace("{cid}", "0"),
]
_IOS = {
    "unreachable": [*_IOS_MM_START, *_IOS_RETRANSMIT],
    "no_peer_config": [
        *_IOS_MM_START,
        "Ki s|ISAKMP:(0):atts are acceptable. Next payload is 0",
        "Ki s|ISAKMP:(0):Old State = IKE_I_MM2  New State = IKE_I_MM3",
        *_IOS_RETRANSMIT,
    ],
    "policy_mismatch": [
        *_IOS_MM_START,
        "Ki|" + _IOS_SEND.replace("{cid}", "0"),
        "Ki|" + _IOS_RECV.replace("{cid}", "0"),
        # C16: the responder refused every proposal
        "Ki!|ISAKMP:(0): processing NOTIFY NO_PROPOSAL_CHOSEN protocol 1\n\tspi 0, message ID = 0,"
        " sa = 0x{ptr}",
        "Kr~|" + _IOS_RECV.format(cid=0, peer="{peer}", R="N", state="NEW SA"),
        "Kr~|ISAKMP:(0): processing SA payload. message ID = 0",
        "Kr~|ISAKMP:(0):Checking ISAKMP transform 1 against priority {prio} policy",
        "Kr~|ISAKMP:      encryption {enc}\nISAKMP:      hash {hash}\nISAKMP:      default group"
        " {group}\nISAKMP:      auth pre-share\nISAKMP:      life type in seconds",
        "Kr~!|ISAKMP:(0):{attr} offered does not match policy!",  # C13
        "Kr~!|ISAKMP:(0):atts are not acceptable. Next payload is 0",  # C12
        "Kr~!|ISAKMP:(0):no offers accepted!",  # C14
        "Kr!|ISAKMP:(0): phase 1 SA policy not acceptable! (local {local} remote {peer})",
        "Kr|ISAKMP:(0):Sending NOTIFY NO_PROPOSAL_CHOSEN protocol 1",
        'Kr!|ISAKMP:(0):deleting SA reason "Phase1 SA policy proposal not accepted" state (R)'
        " MM_NO_STATE (peer {peer})",
        # C15
        "Kr!|%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode failed with peer at {peer}",
    ],
    "auth_failed": [  # C22, C23 on both ends (each decrypts the other's MM5/MM6 with its key)
        *_IOS_MM_START,
        "K|" + _IOS_RECV,
        "K|ISAKMP:({cid}): processing ID payload. message ID = 0",
        "K!|ISAKMP: reserved not zero on payload 5!",
        "K!|%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from {peer} failed its sanity check or is"
        " malformed",
        "Ki!|ISAKMP:({cid}): retransmitting phase 1 MM_KEY_EXCH...",
        "Ki|" + _IOS_SEND,
    ],
    "phase2_mismatch": [
        *_IOS_QM[:3],
        "Ki|" + _IOS_RECV,
        "Ki!|ISAKMP:({cid}): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3\n\tspi"
        " {spi_in_dec}, message ID = {mid}, sa = 0x{ptr}",  # C43
        "Ki|ISAKMP:({cid}):peer does not do paranoid keepalives.",
        'Ki!|ISAKMP:({cid}):deleting node {mid} error TRUE reason "Delete Larval"',
        "Kr|" + _IOS_RECV,
        "Kr|ISAKMP: set new node {mid} to QM_IDLE",
        "Kr|ISAKMP:({cid}):Checking IPSec proposal 1\nISAKMP: transform 1, {esp_id}",
        "Kr|ISAKMP:({cid}):atts are acceptable.",
        "Pr|IPSEC(validate_proposal_request): proposal part #1",
        "Pr!|IPSEC(validate_transform_proposal): transform proposal ({prot_trans}) not supported"
        " for identity:\n    {{{olproxy}, {orproxy}}}",  # C41
        "Kr!|ISAKMP:({cid}): IPSec policy invalidated proposal with error 256",
        # C40
        "Kr!|ISAKMP:({cid}): phase 2 SA policy not acceptable! (local {local} remote {peer})",
        "Kr|ISAKMP:({cid}):Sending NOTIFY PROPOSAL_NOT_CHOSEN protocol 3",
        "Kr!|%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at {peer}",
    ],
    "proxy_mismatch": [
        *_IOS_QM[:3],
        "Ki|" + _IOS_RECV,
        # A responder that refuses our proxies answers INVALID_ID_INFO [E]
        "Ki!|ISAKMP:({cid}): processing NOTIFY INVALID_ID_INFO protocol 1\n\tspi"
        " {spi_in_dec}, message ID = {mid}, sa = 0x{ptr}",
        'Ki!|ISAKMP:({cid}):deleting node {mid} error TRUE reason "Delete Larval"',
        "Kr|" + _IOS_RECV,
        "Kr|ISAKMP:({cid}):atts are acceptable.",
        "Pr|IPSEC(validate_proposal_request): proposal part #1,\n  (key eng. msg.) INBOUND"
        " local= {local}:0, remote= {peer}:0,\n    local_proxy= {olproxy},\n    remote_proxy="
        " {orproxy},\n    protocol= ESP, transform= {otransform}  (Tunnel),",
        "Pr!|IPSEC(validate_transform_proposal): proxy identities not supported",  # C46
        "Kr!|ISAKMP:({cid}): IPSec policy invalidated proposal with error 32",
        "Kr!|ISAKMP:({cid}): phase 2 SA policy not acceptable! (local {local} remote {peer})",
        "Kr!|%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode failed with peer at {peer}",
    ],
    "stale": [  # C56 (rate-limited on the device; one per burst here)
        "P!|%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for"
        " destaddr={local}, prot=50, spi=0x{STALE}({stale_dec}), srcaddr={peer}",
        # `debug crypto engine error`: the engine finds no SA for the SPI [E]
        "E!|CryptoEngine0: decrypt failed, no SA for spi 0x{STALE} from {peer}",
    ],
    "up": _IOS_UP,
    "rekey": _IOS_QM,
}

# -- IOS / IOS-XE, IKEv2 ---------------------------------------------------------------------

_V2 = "IKEv2:(SESSION ID = {sess},SA ID = {said}):"
_V2_SEND = _V2 + "Sending Packet [To {peer}:500/From {local}:500/VRF i0:f0]"
_V2_RECV = _V2 + "Received Packet [From {peer}:500/To {local}:500/VRF i0:f0]"
_V2_SPIS = (
    "\nInitiator SPI : {ispi} - Responder SPI : {rspi} Message id: {n}\nIKEv2 {x} Exchange {d}"
)


def _v2(head: str, exchange: str, direction: str, n: int = 0, payload: str = "") -> str:
    spis = _V2_SPIS.replace("{x}", exchange).replace("{d}", direction).replace("{n}", str(n))
    if exchange == "IKE_SA_INIT" and direction == "REQUEST":
        spis = spis.replace("{rspi}", "0000000000000000")
    return head + spis + (f"\nPayload contents:\n {payload}" if payload else "")


_IOS2_INIT = [
    "Vi s|" + _V2 + "Generating IKE_SA_INIT message",
    "Vip|" + _v2(_V2_SEND, "IKE_SA_INIT", "REQUEST", payload="SA KE N VID VID NOTIFY"),
]
_IOS2_CHILD = [
    "P|IPSEC(key_engine): got a queue event with 1 KMI message(s)",
    "P|IPSEC(create_sa): sa created,\n  (sa) sa_dest= {local}, sa_proto= 50,"
    "\n    sa_spi= 0x{SPI_IN}({spi_in_dec}),\n    sa_trans= {transform} , sa_conn_id= {conn_in}",
    "P|IPSEC(create_sa): sa created,\n  (sa) sa_dest= {peer}, sa_proto= 50,"
    "\n    sa_spi= 0x{SPI_OUT}({spi_out_dec}),\n    sa_trans= {transform} , sa_conn_id= {conn_out}",
]
_IOS2 = {
    "unreachable": [*_IOS2_INIT, "Vi!|" + _V2 + "Retransmitting packet"],
    "no_peer_config": [
        *_IOS2_INIT,
        "Vip|" + _v2(_V2_SEND, "IKE_AUTH", "REQUEST", 1, "ENCR"),
        "Vi!|" + _V2 + "Retransmitting packet",
    ],
    "policy_mismatch": [
        *_IOS2_INIT,
        "Vip|" + _v2(_V2_RECV, "IKE_SA_INIT", "RESPONSE", payload="NOTIFY(NO_PROPOSAL_CHOSEN)"),
        "Vi!|IKEv2-ERROR:" + _V2[6:] + ": Received NO_PROPOSAL_CHOSEN notify",
        "Vr~p|"
        + _v2(
            "IKEv2:Received Packet [From {peer}:500/To {local}:500/VRF i0:f0]",
            "IKE_SA_INIT",
            "REQUEST",
            payload="SA KE N VID VID NOTIFY",
        ),
        "Vr~!|IKEv2:(SA ID = {said}):Failed to find a matching policy",
        "Vrp|" + _v2(_V2_SEND, "IKE_SA_INIT", "RESPONSE", payload="NOTIFY(NO_PROPOSAL_CHOSEN)"),
    ],
    "auth_failed": [
        *_IOS2_INIT,
        "Vip|" + _v2(_V2_RECV, "IKE_AUTH", "RESPONSE", 1, "NOTIFY(AUTHENTICATION_FAILED)"),
        "Vi!|IKEv2-ERROR:" + _V2[6:] + ": Auth exchange failed",
        "Vrp|" + _v2(_V2_RECV, "IKE_AUTH", "REQUEST", 1, "ENCR"),
        "Vr!|" + _V2 + "Verification of peer's authentication data FAILED",
        "Vr!|IKEv2-ERROR:" + _V2[6:] + ": Failed to authenticate the IKE SA",
        "Vrp|" + _v2(_V2_SEND, "IKE_AUTH", "RESPONSE", 1, "NOTIFY(AUTHENTICATION_FAILED)"),
    ],
    "phase2_mismatch": [
        *_IOS2_INIT,
        "Vip|" + _v2(_V2_RECV, "IKE_AUTH", "RESPONSE", 1, "IDr AUTH NOTIFY(NO_PROPOSAL_CHOSEN)"),
        "Vi!|IKEv2-ERROR:" + _V2[6:] + ": Received NO_PROPOSAL_CHOSEN notify for the child SA",
        "Vr!|" + _V2 + "There was no IPSEC proposal matching the received one",
        "Vrp|" + _v2(_V2_SEND, "IKE_AUTH", "RESPONSE", 1, "IDr AUTH NOTIFY(NO_PROPOSAL_CHOSEN)"),
    ],
    "proxy_mismatch": [
        *_IOS2_INIT,
        "Vip|" + _v2(_V2_RECV, "IKE_AUTH", "RESPONSE", 1, "IDr AUTH NOTIFY(TS_UNACCEPTABLE)"),
        "Vi!|IKEv2-ERROR:" + _V2[6:] + ": Received TS_UNACCEPTABLE notify",
        "Vr!|" + _V2 + "There was no IPSEC policy found for received TS",  # C80 wording
        "Vrp|" + _v2(_V2_SEND, "IKE_AUTH", "RESPONSE", 1, "IDr AUTH NOTIFY(TS_UNACCEPTABLE)"),
    ],
    "stale": _IOS["stale"],
    "up": [
        *_IOS2_INIT,
        "Vrp|" + _v2(_V2_RECV, "IKE_SA_INIT", "REQUEST", payload="SA KE N VID VID NOTIFY"),
        "Vip|" + _v2(_V2_SEND, "IKE_AUTH", "REQUEST", 1, "ENCR"),
        "Vrp|" + _v2(_V2_RECV, "IKE_AUTH", "REQUEST", 1, "ENCR"),
        "V|" + _V2 + "Verification of peer's authentication data PASSED",
        "V|" + _V2 + "Session with IKE ID PAIR ({peer}, {local}) is UP",
        *_IOS2_CHILD,
    ],
    "rekey": [
        "Vp|" + _v2(_V2_SEND, "CREATE_CHILD_SA", "REQUEST", 2, "ENCR"),
        *_IOS2_CHILD,
    ],
}

# -- ASA / PIX 7, IKEv1 ----------------------------------------------------------------------

_IP = "[IKEv1]: IP = {peer}, "
_GRP = "[IKEv1]: Group = {peer}, IP = {peer}, "
_DBG = "[IKEv1 DEBUG]: IP = {peer}, "
_DBG_GRP = "[IKEv1 DEBUG]: Group = {peer}, IP = {peer}, "
_DECODE = (
    "IKE_DECODE {verb} Message (msgid={m}) with payloads : HDR + {payloads} + NONE (0)"
    " total length : {n}"
)
_MM1 = _DECODE.format(verb="{verb}", m=0, payloads="SA (1) + VENDOR (13) + VENDOR (13)", n=172)
_MM3 = _DECODE.format(
    verb="{verb}",
    m=0,
    payloads="KE (4) + NONCE (10) + VENDOR (13) + NAT-D (20) + NAT-D (20)",
    n=304,
)
_MM5 = _DECODE.format(verb="{verb}", m=0, payloads="ID (5) + HASH (8) + VENDOR (13)", n=96)
_NOTIFY = _DECODE.format(verb="RECEIVED", m=0, payloads="NOTIFY (11)", n=96)
_ASA_P1_START = [
    "K+is|[IKEv1 DEBUG]: Pitcher: received a key acquire message, spi 0x0",
    "Kis|" + _IP + "IKE Initiator: New Phase 1, Intf {intf}, IKE Peer {peer}  local Proxy Address"
    " {laddr}, remote Proxy Address {raddr},  Crypto map ({map})",
    "K+is|" + _DBG + "constructing ISAKMP SA payload",
    "Kis|" + _IP + _MM1.replace("{verb}", "SENDING"),
]
_ASA_P2 = [
    "Ki|" + _GRP + "IKE Initiator: New Phase 2, Intf {intf}, IKE Peer {peer}  local Proxy Address"
    " {laddr}, remote Proxy Address {raddr},  Crypto map ({map})",
    "K+|" + _DBG_GRP + "Transmitting Proxy Id:\n  Local subnet:  {laddr}  mask {lmask} Protocol 0"
    "  Port 0\n  Remote subnet: {raddr}  Mask {rmask} Protocol 0  Port 0",
    "P|IPSEC: New embryonic SA created @ 0x{ptr},\n    SCB: 0x{ptr2},\n    Direction: inbound"
    "\n    SPI      : 0x{SPI_IN}\n    Session ID: 0x{sess8}\n    VPIF num  : 0x00000001"
    "\n    Tunnel type: l2l\n    Protocol   : esp\n    Lifetime   : 240 seconds",
    "K|" + _GRP + "Security negotiation complete for LAN-to-LAN Group ({peer})  {Role}, Inbound"
    " SPI = 0x{spi_in}, Outbound SPI = 0x{spi_out}",  # C74
    "P|IPSEC: Completed host OBSA update, SPI 0x{SPI_OUT}",
    "P|IPSEC: Completed host IBSA update, SPI 0x{SPI_IN}",
    "K|" + _GRP + "PHASE 2 COMPLETED (msgid={mid8})",  # C73
]
_ASA_SA = [_ASA_P2[2], *_ASA_P2[4:6]]  # the IPsec debug's lines of a new SA pair
_ASA_FSM = "QM FSM error (P2 struct &0x{ptr}, mess id 0x{mid8})!"
_ASA = {
    "unreachable": [  # C04
        *_ASA_P1_START,
        "Ki|" + _IP + _MM1.replace("{verb}", "RESENDING"),
        "K+i|" + _DBG + "IKE MM Initiator FSM error history (struct &0x{ptr})  <state>, <event>:"
        "  MM_WAIT_MSG2, EV_RETRY-->MM_WAIT_MSG2, EV_TIMEOUT",
    ],
    "no_peer_config": [  # C33 (INVALID_COOKIE), C04
        *_ASA_P1_START,
        "Ki|" + _IP + _NOTIFY,
        "Ki|" + _IP + "Received an un-encrypted INVALID_COOKIE notify message, dropping",
        "Ki|" + _IP + "Information Exchange processing failed",
        "Ki|" + _IP + _MM3.replace("{verb}", "RESENDING"),
    ],
    "policy_mismatch": [
        *_ASA_P1_START,
        "Ki|" + _IP + _NOTIFY,
        "Ki|" + _IP + "Received non-routine Notify message: No proposal chosen (14)",  # C53
        "Kr|" + _IP + _MM1.replace("{verb}", "RECEIVED"),
        "K+r|" + _DBG + "processing SA payload",
        "Kr!|[IKEv1]: Phase 1 failure: Mismatched attribute types for class {asa_class}:"
        " Rcv'd: {asa_rcv} Cfg'd: {asa_cfg}",  # C17
        "Kr!|" + _IP + "All SA proposals found unacceptable",  # C18
        "Kr|" + _IP + "Error processing payload: Payload ID: 1",
        "K+r|" + _DBG + "IKE SA MM:{ptr} terminating:  flags 0x01000002, refcnt 0, tuncnt 0",
        "Kr|" + _IP + "Removing peer from peer table failed, no match!",  # C51
        "Kr|" + _IP + "Error: Unable to remove PeerTblEntry",
    ],
    "auth_failed": [  # C33 / C33b, as the ASA's own log (render.asa) words it
        *_ASA_P1_START,
        "Ki|" + _IP + _NOTIFY,
        "Ki|" + _IP + "Received an un-encrypted PAYLOAD_MALFORMED notify message, dropping",
        "Ki!|" + _IP + "Error, peer has indicated that something is wrong with our message.  This"
        " could indicate a pre-shared key mismatch.",
        "Ki|" + _IP + "Information Exchange processing failed",
        "Ki|" + _IP + _MM5.replace("{verb}", "RESENDING"),
        "Kr|" + _IP + _MM5.replace("{verb}", "RECEIVED"),
        "Kr|"
        + _GRP
        + "Received encrypted Oakley Main Mode packet with invalid payloads, MessID = 0",
        "Kr!|" + _IP + "ERROR, had problems decrypting packet, probably due to mismatched"
        " pre-shared key.  Aborting",
    ],
    "phase2_mismatch": [
        _ASA_P2[0],
        "Ki|" + _GRP + "Received non-routine Notify message: No proposal chosen (14)",
        "Ki|" + _GRP + "Removing peer from correlator table failed, no match!",
        "K+r|" + _DBG_GRP + "processing IPSec SA payload",
        "Kr!|" + _GRP + "All IPSec SA proposals found unacceptable!",  # C42
        "Kr!|" + _GRP + _ASA_FSM,  # C50
        "Kr|" + _GRP + "Removing peer from correlator table failed, no match!",
    ],
    "proxy_mismatch": [
        _ASA_P2[0],
        "Ki|" + _GRP + "Received non-routine Notify message: Invalid ID info (18)",
        "K+r|" + _DBG_GRP + "processing IPSec SA payload",
        "Kr!|" + _GRP + "{proxy_reject}",  # C49
        "Kr!|" + _GRP + _ASA_FSM,
    ],
    "stale": [  # C57
        "P|%{tag}-4-402114: IPSEC: Received an ESP packet (SPI= 0x{STALE}, sequence number="
        " 0x{seq}) from {peer} to {local} with an invalid SPI.",
    ],
    "up": [
        *_ASA_P1_START,
        "Kr|" + _IP + _MM1.replace("{verb}", "RECEIVED"),
        "K+|" + _DBG + "Oakley proposal is acceptable",
        "K|" + _IP + "Connection landed on tunnel_group {peer}",
        "K+|" + _DBG_GRP + "Generating keys for {Role}...",
        "K|" + _GRP + "Automatic NAT Detection Status:     Remote end is NOT behind a NAT device"
        "     This   end is NOT behind a NAT device",
        "K+|" + _DBG_GRP + "Computing hash for ISAKMP",
        "K|" + _GRP + "PHASE 1 COMPLETED",  # C72
        "K|" + _GRP + "Keep-alive type for this connection: DPD",
        *_ASA_P2,
    ],
    "rekey": _ASA_P2,
}

# -- ASA 8.4+, IKEv2 -------------------------------------------------------------------------

_PROTO = "IKEv2-PROTO-{n}: ({sess}): "
_PLAT = "IKEv2-PLAT-4: {verb} PKT [{x}] [{src}]:500->[{dst}]:500 InitSPI=0x{ispi} RespSPI=0x{rspi}"
_SENT = _PLAT.replace("{verb}", "SENT").replace("{src}", "{local}").replace("{dst}", "{peer}")
_RECV = _PLAT.replace("{verb}", "RECV").replace("{src}", "{peer}").replace("{dst}", "{local}")
_ASA2_INIT = [
    "Vi s|" + _PROTO.replace("{n}", "3") + "Generating IKE_SA_INIT message",
    "Vi|"
    + _PROTO.replace("{n}", "2")
    + "Sending Packet [To {peer}:500/From {local}:500/VRF i0:f0]",
    "Wi|"
    + _SENT.replace("{x}", "IKE_SA_INIT").replace("{rspi}", "0000000000000000")
    + " MID=00000000",
]
_ASA2_PROTO = _PROTO.replace("{n}", "1")
_ASA2 = {
    "unreachable": [*_ASA2_INIT, "Vi!|" + _PROTO.replace("{n}", "2") + "Retransmitting packet"],
    "no_peer_config": [
        *_ASA2_INIT,
        "Wi|" + _SENT.replace("{x}", "IKE_AUTH") + " MID=00000001",
        "Vi!|" + _PROTO.replace("{n}", "2") + "Retransmitting packet",
    ],
    "policy_mismatch": [
        *_ASA2_INIT,
        "Vi!|" + _ASA2_PROTO + "Received NO_PROPOSAL_CHOSEN notify",
        "Wr~|"
        + _RECV.replace("{x}", "IKE_SA_INIT").replace("{rspi}", "0000000000000000")
        + " MID=00000000",
        "Vr~!|" + _ASA2_PROTO + "Failed to find a matching policy",
    ],
    "auth_failed": [
        *_ASA2_INIT,
        "Vi!|" + _ASA2_PROTO + "Received AUTHENTICATION_FAILED notify",
        "Vr!|" + _ASA2_PROTO + "Failed to authenticate the IKE SA",
    ],
    "phase2_mismatch": [
        "Vi!|" + _ASA2_PROTO + "Received NO_PROPOSAL_CHOSEN notify for the child SA",
        "Vr!|" + _ASA2_PROTO + "There was no IPSEC proposal matching the received one",
    ],
    "proxy_mismatch": [
        "Vi!|" + _ASA2_PROTO + "Received TS_UNACCEPTABLE notify",
        "Vr!|" + _ASA2_PROTO + "There was no IPSEC policy found for received TS",
    ],
    "stale": _ASA["stale"],
    "up": [
        *_ASA2_INIT,
        "Wr|"
        + _RECV.replace("{x}", "IKE_SA_INIT").replace("{rspi}", "0000000000000000")
        + " MID=00000000",
        "W|" + _SENT.replace("{x}", "IKE_AUTH") + " MID=00000001",
        "V|" + _PROTO.replace("{n}", "2") + "Verification of peer's authentication data PASSED",
        "V|" + _PROTO.replace("{n}", "2") + "Session with IKE ID PAIR ({peer}, {local}) is UP",
        *_ASA_SA,
    ],
    "rekey": [
        "W|" + _SENT.replace("{x}", "CREATE_CHILD_SA") + " MID=00000002",
        *_ASA_SA,
    ],
}

# -- PIX 6.3 (IOS wording, "ISAKMP (0): " prefix, no timestamps) ------------------------------

_PIX_BLOCK = "K|crypto_isakmp_process_block:src:{peer}, dest:{local} spt:500 dpt:500"
_PIX_START = ["Ki s|ISAKMP (0): beginning Main Mode exchange"]
_PIX_QM = [
    "Ki|ISAKMP (0): beginning Quick Mode exchange, M-ID of {mid}:{mid8}",
    _PIX_BLOCK,
    "K|ISAKMP (0): processing SA payload. message ID = {mid}",
    "K|ISAKMP : Checking IPSec proposal 1",
    "K|ISAKMP (0): atts are acceptable.",
    "P|IPSEC(key_engine): got a queue event...",
    "P|IPSEC(spi_response): getting spi 0x{spi_in}({spi_in_dec}) for SA",
    "K|ISAKMP (0): Creating IPSec SAs\n        inbound SA from {peer} to {local} (proxy {raddr}"
    " to {laddr})\n        has spi 0x{spi_in} and conn_id {conn_in} and flags 4"
    "\n        outbound SA from {local} to {peer} (proxy {laddr} to {raddr})"
    "\n        has spi 0x{spi_out} and conn_id {conn_out} and flags 4",
    "P|IPSEC(create_sa): sa created,\n  (sa) sa_dest= {peer}, sa_prot= 50,"
    "\n    sa_spi= 0x{spi_out}({spi_out_dec}),\n    sa_trans= {transform} , sa_conn_id= {conn_out}",
    "K|return status is IKMP_NO_ERROR",
]
_PIX6 = {
    "unreachable": [
        *_PIX_START,
        "Ki!|ISAKMP (0): retransmitting phase 1 MM_NO_STATE...",
        "Ki!|ISAKMP (0:0): incrementing error counter on sa, attempt {attempt} of 5: retransmit"
        " phase 1",
    ],
    "no_peer_config": [
        *_PIX_START,
        "Ki!|ISAKMP (0): retransmitting phase 1 MM_SA_SETUP...",
    ],
    "policy_mismatch": [
        *_PIX_START,
        "Ki|" + _PIX_BLOCK[2:],
        "Ki!|ISAKMP (0): processing NOTIFY NO_PROPOSAL_CHOSEN protocol 1",
        "Kr~|" + _PIX_BLOCK[2:],
        "Kr~|OAK_MM exchange\nISAKMP (0): processing SA payload. message ID = 0",
        "Kr~|ISAKMP (0): Checking ISAKMP transform 1 against priority {prio} policy",
        "Kr~!|ISAKMP (0): {attr} offered does not match policy!",
        "Kr~!|ISAKMP (0): atts are not acceptable. Next payload is 0",
        "Kr~!|ISAKMP (0): no offers accepted!",
        "Kr!|ISAKMP (0): SA not acceptable!",
        "Kr|return status is IKMP_ERR_NO_RETRANS",
    ],
    "auth_failed": [
        *_PIX_START,
        _PIX_BLOCK,
        "K|OAK_MM exchange\nISAKMP (0): processing ID payload. message ID = 0",
        "K!|ISAKMP: reserved not zero on payload 5!",  # C23
        "K!|ISAKMP (0): malformed payload",
        "K|return status is IKMP_ERR_NO_RETRANS",
    ],
    "phase2_mismatch": [
        _PIX_QM[0],
        "Ki!|ISAKMP (0): processing NOTIFY PROPOSAL_NOT_CHOSEN protocol 3",
        "Kr|" + _PIX_BLOCK[2:],
        "Kr|ISAKMP : Checking IPSec proposal 1",
        "Pr!|IPSEC(validate_transform_proposal): transform proposal ({prot_trans}) not supported"
        " for identity:\n    {{{olproxy}, {orproxy}}}",
        "Kr!|ISAKMP (0): phase 2 SA policy not acceptable!",
        "Kr|return status is IKMP_ERR_NO_RETRANS",
    ],
    "proxy_mismatch": [
        _PIX_QM[0],
        "Ki!|ISAKMP (0): processing NOTIFY INVALID_ID_INFO protocol 1",
        "Kr|" + _PIX_BLOCK[2:],
        "Pr!|IPSEC(validate_transform_proposal): proxy identities not supported",
        "Kr!|ISAKMP (0): phase 2 SA policy not acceptable!",
    ],
    "stale": [  # C58
        "P!|%PIX-4-402101: decaps: rec'd IPSEC packet has invalid spi for destaddr={local},"
        " prot=esp, spi=0x{STALE}",
    ],
    "up": [
        *_PIX_START,
        _PIX_BLOCK,
        "K|OAK_MM exchange\nISAKMP (0): processing SA payload. message ID = 0",
        "K|ISAKMP (0): Checking ISAKMP transform 1 against priority {prio} policy",
        "K|ISAKMP (0): atts are acceptable. Next payload is 0",
        "K|ISAKMP (0): SA is doing pre-shared key authentication using id type ID_IPV4_ADDR",
        "K|ISAKMP (0): SA has been authenticated",
        *_PIX_QM,
    ],
    "rekey": _PIX_QM,
}

# IOS / IOS-XE: the route events of a tunnel coming up (`debug crypto routing`) and the
# per-packet lines of `debug crypto engine packet` [E: wording practitioner knowledge].
_IOS_ROUTING = [
    "R|IPSEC(rte_mgr): VPN Route Event create routes for peer or rekeying for peer {peer}",
    "R|IPSEC(rte_mgr): VPN Route Refcount 1 {intf}",
    "R|IPSEC(rte_mgr): VPN Route Added {raddr} {rmask} via {peer} in IP DEFAULT TABLE",
]
_IOS_PACKETS = [
    "X|CryptoEngine0: encrypt packet, conn id {conn_out}, spi 0x{SPI_OUT}, seq 0x{seq}",
    "X|CryptoEngine0: decrypt packet, conn id {conn_in}, spi 0x{SPI_IN}, seq 0x{seq}",
]
for _scenes in (_IOS, _IOS2):
    _scenes["up"] = [*_scenes["up"], *_IOS_ROUTING]
    _scenes["traffic"] = _IOS_PACKETS

RAW: dict[str, dict[str, list[str]]] = {
    "ios": _IOS,
    "ios2": _IOS2,
    "asa": _ASA,
    "asa2": _ASA2,
    "pix6": _PIX6,
}
SCENES: dict[tuple[str, str], tuple[Template, ...]] = {
    (style, scene): tuple(template(spec) for spec in specs)
    for style, scenes in RAW.items()
    for scene, specs in scenes.items()
}
