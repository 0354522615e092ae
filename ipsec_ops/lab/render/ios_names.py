"""Names and number formats the IOS / IOS-XE SA and session views share: cipher and
algorithm labels, IKEv2 SPIs, flow operands, session ids, ``hh:mm:ss`` lifetimes.

Facts without a cited source are tagged [E] (practitioner knowledge).
"""

from __future__ import annotations

import ipaddress

from ipsec_ops.lab.config import IkePolicy, TransformSet
from ipsec_ops.lab.render.base import net_mask
from ipsec_ops.lab.views import TunnelView

# -- naming helpers -------------------------------------------------------------------


def isakmp_encr(policy: IkePolicy) -> str:
    """``Encr`` column of ``show crypto isakmp sa detail``: the cipher without key size.

    >>> isakmp_encr(IkePolicy(10, "aes 256")), isakmp_encr(IkePolicy(10, "3des"))
    ('aes', '3des')
    """
    return policy.encryption.split()[0]


def engine_algorithm(cipher: str, digest: str) -> str:
    """``Algorithm`` of ``show crypto engine connections active``: cipher+hash, upper case.

    >>> engine_algorithm("esp-aes 256", "esp-sha-hmac"), engine_algorithm("3des", "md5")
    ('AES256+SHA', '3DES+MD5')
    """
    name = cipher.removeprefix("esp-").replace(" ", "").upper()
    return f"{name}+{digest.removeprefix('esp-').removesuffix('-hmac').upper()}"


def ipsec_algorithm(ts: TransformSet | None) -> str:
    """``Algorithm`` of an IPsec SA's engine connection (``UNKNOWN`` without a transform set).

    >>> ipsec_algorithm(TransformSet("T", ("esp-aes 256", "esp-sha-hmac"))), ipsec_algorithm(None)
    ('AES256+SHA', 'UNKNOWN')
    """
    if ts is None or not ts.transforms:
        return "UNKNOWN"
    auth = next((t for t in ts.transforms if t.endswith("-hmac")), "none")
    return engine_algorithm(ts.transforms[0], auth)


def ikev2_algorithms(policy: IkePolicy | None, established: bool) -> str:
    """The ``Encr: ... Auth verify: ...`` line of ``show crypto ikev2 sa``.

    >>> ikev2_algorithms(IkePolicy(10, hash="sha256"), True)[:60]
    'Encr: AES-CBC, keysize: 256, PRF: SHA256, Hash: SHA256, DH G'
    """
    if policy is None or not established:  # [E] what IOS prints before proposals are chosen
        return (
            "Encr: Unknown - 0, PRF: Unknown - 0, Hash: None, DH Grp:0, Auth sign: PSK, "
            "Auth verify: Unknown - 0"
        )
    name, _, size = policy.encryption.partition(" ")
    encr = f"AES-CBC, keysize: {size or '128'}" if name == "aes" else name.upper()
    prf = "SHA1" if policy.hash == "sha" else policy.hash.upper()
    mac = {"sha": "SHA96", "md5": "MD596"}.get(policy.hash, policy.hash.upper())
    return (
        f"Encr: {encr}, PRF: {prf}, Hash: {mac}, DH Grp:{policy.group}, "
        "Auth sign: PSK, Auth verify: PSK"
    )


def ikev2_spi(spi: int) -> str:
    """IKEv2 SPIs are 8 bytes; the engine keeps 4, so widen them deterministically.

    >>> ikev2_spi(0), ikev2_spi(1)
    ('0000000000000000', '000000019E3779B1')
    """
    return f"{spi:08X}{(spi * 0x9E3779B1) & 0xFFFFFFFF:08X}" if spi else "0" * 16


def flow_operand(net: ipaddress.IPv4Network) -> str:
    """An IPSEC FLOW operand of ``show crypto session``: ``host A`` or ``A/MASK``.

    >>> flow_operand(ipaddress.IPv4Network("10.1.0.0/24"))
    '10.1.0.0/255.255.255.0'
    """
    return f"host {net.network_address}" if net.prefixlen == 32 else net_mask(net)


def session_id(t: TunnelView, index: int) -> int:
    """The Session ID of the ``index``-th tunnel: 0 for IKEv1, ``index + 1`` for IKEv2.

    IKEv1 sessions print 0, IKEv2 ones a number [F ntc samples]; reused as the IKEv2
    Session-id of ``show crypto ikev2 sa detailed`` and ``show crypto ikev2 session``.
    """
    return index + 1 if t.entry.ike_version == 2 else 0


def lifetime_hms(seconds: int) -> str:
    """Two-digit ``hh:mm:ss`` of ISAKMP lifetimes.

    >>> lifetime_hms(86399), lifetime_hms(0)
    ('23:59:59', '00:00:00')
    """
    h, rest = divmod(max(0, seconds), 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"
