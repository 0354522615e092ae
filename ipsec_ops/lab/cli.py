"""``ipsec-ops lab up`` and ``ipsec-ops lab scenarios``."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from ipsec_ops.lab.runtime import Lab
from ipsec_ops.lab.scenario import builtin_names, builtin_summary, load_scenario
from ipsec_ops.paths import state_dir

lab_app = typer.Typer(
    help="The built-in device simulator (SSH and telnet on loopback).", no_args_is_help=True
)


@lab_app.command("scenarios")
def scenarios() -> None:
    """List the built-in scenarios, one line each."""
    for name in builtin_names():
        typer.echo(f"{name:10} {builtin_summary(name)}")


@lab_app.command("up")
def up(
    scenario: str = typer.Option(
        "default", "--scenario", "-s", help="Built-in name or a scenario YAML file."
    ),
    devices: int = typer.Option(
        50, "--devices", min=1, max=2000, help="Device count for the 'fleet' scenario."
    ),
    latency_ms: int = typer.Option(
        0, "--latency-ms", min=0, help="Added delay before every reply."
    ),
    inventory_out: Path = typer.Option(
        Path("lab-inventory"),
        "--inventory-out",
        help="Folder for the Nornir inventory and known_hosts.",
    ),
    port: int = typer.Option(
        2222,
        "--port",
        min=0,
        max=65535,
        help="SSH port on every device address (0: any free port).",
    ),
    telnet_port: int = typer.Option(
        2323,
        "--telnet-port",
        min=0,
        max=65535,
        help="Telnet port for PIX 6 devices (0: any free port).",
    ),
) -> None:
    """Serve the simulated devices until Ctrl-C, and write an inventory for them."""
    scen = load_scenario(scenario, devices=devices)
    keys = state_dir() / "lab-keys" / scen.name
    lab = Lab(scen, latency_ms=latency_ms, port=port, telnet_port=telnet_port, keys_dir=keys)

    async def serve() -> None:
        await lab.start_async()
        lab.write_inventory(inventory_out)
        typer.echo(f"lab '{scen.name}': {len(lab.endpoints)} devices")
        for e in lab.endpoints[:20]:
            typer.echo(
                f"  {e.name:12} {e.platform:10} {e.family:8} {e.transport:6} {e.host}:{e.port}"
            )
        if len(lab.endpoints) > 20:
            typer.echo(f"  ... and {len(lab.endpoints) - 20} more")
        typer.echo(
            f"inventory: {inventory_out}/hosts.yaml  known hosts: {inventory_out}/known_hosts"
        )
        typer.echo("Ctrl-C stops the lab.")
        await lab.serve_forever()

    asyncio.run(serve())
    typer.echo("lab stopped")
