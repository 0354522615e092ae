"""Reading capture bundles: the pure side of the boundary (no network, no transport).

A bundle is what ``ipsec-ops collect`` writes, or what an engineer assembles by
hand from saved text: ``BUNDLE/<device>/device.json`` (at least ``name`` and
``platform``) and one text file per command, named by the command with spaces
turned into ``_``. Anything wrong is an InputFileError naming the file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ipsec_ops.errors import InputFileError
from ipsec_ops.isotime import epoch
from ipsec_ops.platforms import DEFAULT_FAMILY, FAMILIES, PLATFORMS, family_for_version, version_of

DEVICE_FILE = "device.json"
BUNDLE_FILE = "bundle.json"


def command_filename(command: str) -> str:
    """The file a command's output is saved in: spaces (and path-unsafe marks) become ``_``.

    >>> command_filename("show crypto isakmp sa")
    'show_crypto_isakmp_sa.txt'
    >>> command_filename("show running-config | section crypto")
    'show_running-config_section_crypto.txt'
    """
    return re.sub(r"[\s|/\\:]+", "_", command.strip()) + ".txt"


def _known_commands() -> dict[str, str]:
    """File name -> command, for every command some family collects."""
    known: dict[str, str] = {}
    for fam in FAMILIES.values():
        for command in fam.show_commands:
            known.setdefault(command_filename(command), command)
    return known


@dataclass
class DeviceCapture:
    """One device folder of a bundle."""

    name: str
    platform: str
    family: str
    folder: Path
    hostname: str = ""
    version: str | None = None
    status: str = "ok"  # as collect wrote it: ok, partial, failed, not_reached
    errors: list[dict[str, str]] = field(default_factory=list)
    collected_at: str | None = None  # ISO 8601, as device.json says (hand-made bundles: none)
    outputs: dict[str, str] = field(default_factory=dict)  # command -> raw text
    files: dict[str, str] = field(default_factory=dict)  # command -> file name

    @property
    def readable(self) -> bool:
        """False when collection never got this device's state."""
        return self.status in ("ok", "partial") and bool(self.outputs)


def _read_device_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(
            str(path),
            "",
            "missing: every device folder needs a device.json"
            ' with at least {"name": ..., "platform": ...}',
        ) from None
    except json.JSONDecodeError as exc:
        raise InputFileError(str(path), "", f"not valid JSON: {exc.msg}", exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), "", f"cannot read: {exc}") from None
    if not isinstance(data, dict):
        raise InputFileError(str(path), "", "expected a JSON object")
    return data


def read_device(folder: Path) -> DeviceCapture:
    """Read one device folder; raises InputFileError naming the bad file and field."""
    meta_path = folder / DEVICE_FILE
    meta = _read_device_json(meta_path)
    platform = meta.get("platform")
    if platform not in PLATFORMS:
        raise InputFileError(
            str(meta_path),
            "platform",
            f"unknown platform {platform!r} (known: {', '.join(PLATFORMS)})",
        )
    name = str(meta.get("name") or folder.name)
    capture = DeviceCapture(
        name=name,
        platform=platform,
        family=str(meta.get("family") or ""),
        folder=folder,
        hostname=str(meta.get("hostname") or ""),
        version=meta.get("version"),
        status=str(meta.get("status") or "ok"),
        errors=list(meta.get("errors") or []),
        collected_at=str(meta["collected_at"]) if meta.get("collected_at") else None,
    )
    listed = {c["file"]: c["command"] for c in meta.get("commands") or [] if c.get("file")}
    known = _known_commands()
    for path in sorted(folder.glob("*.txt")):
        command = listed.get(path.name) or known.get(path.name) or path.stem.replace("_", " ")
        try:
            capture.outputs[command] = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise InputFileError(str(path), "", f"cannot read: {exc}") from None
        capture.files[command] = path.name
    if capture.family and capture.family not in FAMILIES:
        raise InputFileError(str(meta_path), "family", f"unknown family {capture.family!r}")
    if not capture.version and "show version" in capture.outputs:
        capture.version = version_of(platform, capture.outputs["show version"])
    if not capture.family:
        capture.family = (
            family_for_version(platform, capture.version)
            if capture.version
            else DEFAULT_FAMILY[platform]
        )
    return capture


def read_bundle(path: Path) -> list[DeviceCapture]:
    """Every device of a bundle, sorted by name; an empty or missing bundle is an error."""
    if not path.exists():
        raise InputFileError(str(path), "", "no such bundle folder")
    if not path.is_dir():
        raise InputFileError(str(path), "", "a bundle is a folder of device folders")
    folders = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputFileError(str(path), "", "empty bundle: no device folders")
    return [read_device(folder) for folder in folders]


def collected_time(captures: list[DeviceCapture]) -> float | None:
    """When the bundle was collected: the latest ``collected_at`` in epoch seconds (UTC
    when it has no offset), or None when no device says (a hand-made bundle).

    >>> c = DeviceCapture("a", "cisco_ios", "ios15", Path("."), collected_at="1970-01-02T00:00:00Z")
    >>> collected_time([c]), collected_time([])
    (86400.0, None)
    """
    times = [t for t in (epoch(c.collected_at) for c in captures) if t is not None]
    return max(times) if times else None
