"""The values a debug line's placeholders take for one tunnel (:mod:`ipsec_ops.lab.debug_catalog`).

Addresses, proxies, SPIs and conn-ids come from the tunnel's view so debug lines
agree with ``show crypto ...``; what the peer offered comes from the other end's
configuration (the negotiation's remote end); identifiers a real box makes up
(message ids, pointers, IKEv2 SPIs) are derived from the pair and the burst, so
the output is deterministic.
"""

from __future__ import annotations

from ipsec_ops.lab.config import AclLine, Device, IkePolicy
from ipsec_ops.lab.engine import Engine, pair_key, stable_int
from ipsec_ops.lab.render.asa_config import cipher_name, hash_name, nameif
from ipsec_ops.lab.render.base import net_mask
from ipsec_ops.lab.timeline import spi
from ipsec_ops.lab.views import TunnelView
from ipsec_ops.platforms import family

DEBUG_PERIOD_S = 1.5  # a failing negotiation prints one burst this often (seconds)
_DEFAULT_STATE = {
    "unreachable": "MM_NO_STATE",
    "policy_mismatch": "MM_NO_STATE",
    "no_peer_config": "MM_SA_SETUP",
    "auth_failed": "MM_KEY_EXCH",
}


def _ios_cipher(policy: IkePolicy) -> str:
    return {"aes": "AES-CBC", "3des": "3DES-CBC", "des": "DES-CBC"}.get(
        policy.encryption.split()[0], policy.encryption.upper()
    )


def _mismatch(offered: IkePolicy, held: IkePolicy) -> dict[str, str]:
    """The first phase 1 attribute that differs, in IOS (C13) and ASA (C17) words."""
    checks = (
        ("Encryption algorithm", "Encryption Algorithm", cipher_name, "encryption"),
        ("Hash algorithm", "Hash Algorithm", hash_name, "hash"),
        ("Diffie-Hellman group", "Group Description", str, "group"),
        ("Preshared authentication", "Auth Method", str, "auth"),
    )
    for ios_words, asa_class, asa_name, field in checks:
        ours, theirs = getattr(held, field), getattr(offered, field)
        if ours != theirs:
            show = (lambda v: f"Group {v}") if field == "group" else asa_name
            return {
                "attr": ios_words,
                "asa_class": asa_class,
                "asa_rcv": show(theirs),
                "asa_cfg": show(ours),
            }
    return {}


def _esp(transforms: tuple[str, ...]) -> tuple[str, str, str, int]:
    """(``esp-aes esp-sha-hmac``, ``ESP_AES``, ``prot 3, trans 12, hmac_alg 2``, keysize)."""
    names = [t.split()[0] for t in transforms]
    cipher = next((t for t in transforms if not t.endswith("-hmac")), "esp-null")
    hmac = next((n for n in names if n.endswith("-hmac")), "esp-none")
    base = cipher.split()[0]
    trans = {"esp-des": 2, "esp-3des": 3, "esp-aes": 12}.get(base, 11)
    alg = {"esp-md5-hmac": 1, "esp-sha-hmac": 2, "esp-sha256-hmac": 5}.get(hmac, 0)
    size = int(cipher.split()[1]) if len(cipher.split()) > 1 else (128 if "aes" in base else 0)
    return (
        " ".join(names),
        base.upper().replace("-", "_"),
        f"prot 3, trans {trans}, hmac_alg {alg}",
        size,
    )


def facts(
    engine: Engine,
    device: Device,
    index: int,
    view: TunnelView,
    scene: str,
    at: float,
    role: str | None = None,
) -> dict[str, object]:
    """The values the catalog's placeholders take for one tunnel at one burst.

    ``role`` defaults to the tunnel's own (tests play both roles on one tunnel).
    """
    entry, peer, local = view.entry, view.peer, view.local
    neg = engine.negotiation(device, entry)
    remote = neg.remote
    initiator = (role or neg.role) == "initiator"
    key, slot = pair_key(local, peer), int(at // DEBUG_PERIOD_S)
    ours = min(device.ike_policies, key=lambda p: p.priority, default=IkePolicy(10))
    theirs = min(remote.policies, key=lambda p: p.priority) if remote and remote.policies else ours
    offered = ours if initiator else theirs
    line = entry.acl[0]
    offered_acl = remote.acl[0] if remote and remote.acl else line.mirrored()
    ts = device.transform_set(entry.transform_set)
    offered_ts = ts if initiator or remote is None else remote.transform
    transform, _, _, keysize = _esp(ts.transforms if ts else ())
    otransform, esp_id, prot_trans, _ = _esp(offered_ts.transforms if offered_ts else ())
    sa = next((s for s in view.ipsec if s.has_sa), None)
    spi_in = sa.spi_in if sa else spi(key, "debug", slot, str(local))
    spi_out = sa.spi_out if sa else spi(key, "debug", slot, str(peer))
    stale = spi(key, "stale", slot)
    ike = view.ike
    mid = stable_int(key, "mid", slot) % 2**31
    values: dict[str, object] = {
        "peer": peer,
        "local": local,
        "R": "I" if initiator else "R",
        "Role": "Initiator" if initiator else "Responder",
        "cid": ike.conn_id if ike else 1001 + index,
        "state": _DEFAULT_STATE.get(scene, "QM_IDLE"),
        "attempt": 1 + slot % 5,
        "mid": mid,
        "mid8": f"{mid:08x}",
        "ptr": f"{stable_int(key, 'ptr') & 0xFFFFFFFF:08x}",
        "ptr2": f"{stable_int(key, 'scb') & 0xFFFFFFFF:08x}",
        "prio": (ours.priority if initiator else theirs.priority),
        "enc": _ios_cipher(offered),
        "hash": offered.hash.upper(),
        "group": offered.group,
        "laddr": line.src.network_address,
        "lmask": line.src.netmask,
        "raddr": line.dst.network_address,
        "rmask": line.dst.netmask,
        "lproxy": f"{net_mask(line.src)}/256/0",
        "rproxy": f"{net_mask(line.dst)}/256/0",
        "olproxy": f"{net_mask(offered_acl.dst)}/256/0",
        "orproxy": f"{net_mask(offered_acl.src)}/256/0",
        "transform": transform,
        "otransform": otransform,
        "esp_id": esp_id,
        "prot_trans": prot_trans,
        "keysize": keysize,
        "life_s": entry.sa_lifetime_s,
        "life_kb": entry.sa_lifetime_kb,
        "spi_in": f"{spi_in:08x}",
        "spi_out": f"{spi_out:08x}",
        "SPI_IN": f"{spi_in:08X}",
        "SPI_OUT": f"{spi_out:08X}",
        "spi_in_dec": spi_in,
        "spi_out_dec": spi_out,
        "conn_in": sa.conn_id_in if sa else 2001 + 2 * index,
        "conn_out": sa.conn_id_out if sa else 2002 + 2 * index,
        "STALE": f"{stale:08X}",
        "stale_dec": stale,
        "seq": f"{slot % 4096 + 1:x}",
        "ispi": f"{stable_int(key, 'ispi', slot // 40):016X}",
        "rspi": f"{stable_int(key, 'rspi', slot // 40):016X}",
        "sess": index + 1,
        "said": index + 1,
        "sess8": f"{stable_int(key, 'session') & 0xFFFFFFF:08x}",
        "intf": nameif(device, entry),
        "map": entry.map_name,
        "tag": "PIX" if device.platform == "cisco_pix" else "ASA",
        "proxy_reject": _proxy_reject(device, offered_acl, nameif(device, entry)),
    }
    values.update(_mismatch(offered, theirs if initiator else ours))
    return values


def _proxy_reject(device: Device, offered: AclLine, intf: str) -> str:
    """ASA 713061 text (C49): 8.4+ names the proxies, 8.2 / PIX 7 source and destination."""
    if not family(device.family).ikev2:
        src, dst = offered.src.network_address, offered.dst.network_address
        return f"Tunnel rejected: Crypto Map Policy not found for Src:{src}, Dst: {dst}!"
    rp, lp = f"{net_mask(offered.src)}/0/0", f"{net_mask(offered.dst)}/0/0"
    return (
        f"Rejecting IPSec tunnel: no matching crypto map entry for remote proxy {rp} "
        f"local proxy {lp} on interface {intf}"
    )
