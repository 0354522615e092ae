"""The lab's telnet service, for PIX 6.x (its SSH is version 1 only, which paramiko cannot speak).

The server negotiates server-side echo (``WILL ECHO``, ``WILL SUPPRESS-GO-AHEAD``)
so the client does not echo locally, strips telnet commands from the input, and
hands the characters to a :class:`CliSession` that starts with a login.
"""

from __future__ import annotations

import asyncio

from ipsec_ops.lab.node import LabNode
from ipsec_ops.lab.session import CliSession

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA = 1, 3


class TelnetParser:
    """Removes telnet commands from a byte stream, across read boundaries.

    >>> p = TelnetParser()
    >>> p.feed(bytes([IAC, DO, ECHO]) + b"show" + bytes([IAC]))
    'show'
    >>> p.feed(bytes([IAC]) + b" ver\\r\\x00")
    '\\xff ver\\r\\x00'
    """

    def __init__(self) -> None:
        self._state = "data"

    def feed(self, data: bytes) -> str:
        out = bytearray()
        for byte in data:
            if self._state == "data":
                if byte == IAC:
                    self._state = "iac"
                else:
                    out.append(byte)
            elif self._state == "iac":
                if byte == IAC:
                    out.append(IAC)
                    self._state = "data"
                elif byte in (DO, DONT, WILL, WONT):
                    self._state = "option"
                elif byte == SB:
                    self._state = "sub"
                else:
                    self._state = "data"
            elif self._state == "option":
                self._state = "data"
            elif self._state == "sub":
                if byte == IAC:
                    self._state = "sub-iac"
            elif self._state == "sub-iac":
                self._state = "data" if byte == SE else "sub"
        return out.decode("latin-1")


async def _handle(
    node: LabNode, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    writer.write(bytes([IAC, WILL, ECHO, IAC, WILL, SGA]))

    def write(text: str) -> None:
        if not writer.is_closing():
            writer.write(text.replace("\xff", "\xff\xff").encode("latin-1", "replace"))

    def drop() -> None:
        cli.close()
        writer.transport.abort()

    cli = CliSession(node, write, drop, login=True)
    node.sessions.add(cli)
    me = asyncio.current_task()
    if me is not None:
        node.track(me)
    task = asyncio.get_running_loop().create_task(cli.run())
    parser = TelnetParser()
    try:
        while not task.done():
            reading = asyncio.ensure_future(reader.read(4096))
            done, _ = await asyncio.wait({reading, task}, return_when=asyncio.FIRST_COMPLETED)
            if reading not in done:
                reading.cancel()
                break
            data = reading.result()
            if not data:
                break
            cli.feed(parser.feed(data))
    except (ConnectionError, OSError):
        pass
    finally:
        cli.close()
        await asyncio.gather(task, return_exceptions=True)
        if not writer.is_closing():
            writer.close()


async def serve_telnet(node: LabNode, host: str, port: int) -> asyncio.Server:
    """Listen for telnet on ``host:port`` for ``node``."""
    return await asyncio.start_server(lambda r, w: _handle(node, r, w), host, port)
