"""One CLI session on a simulated device: line editing, modes, paging, errors.

Transport-agnostic: the SSH and telnet servers feed characters in with
:meth:`CliSession.feed` and give a ``write`` and a ``drop`` callable. The
session echoes every input character exactly once (never the enable secret),
accepts ``\\r``, ``\\n`` and ``\\r\\n`` as Enter, prints the prompt after every
Enter, pages output until paging is turned off, and answers errors in the
family's words. Device faults (latency, hang, drop mid-output) are applied here.

Asynchronous lines (crypto debugs) arrive with :meth:`CliSession.deliver`; they
are written only while the session waits at its command prompt, then the prompt
and what was typed so far are printed again, as IOS does. Lines that arrive
during a command, a more-prompt or a password prompt wait for the next prompt.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ipsec_ops.lab import debug_cli
from ipsec_ops.lab.commands import Builtin, grammars
from ipsec_ops.lab.grammar import Match, NoMatch
from ipsec_ops.lab.render.base import RenderContext

if TYPE_CHECKING:
    from ipsec_ops.lab.node import LabNode

_CLOSED = object()
MAX_PENDING_LINES = 2000  # asynchronous lines kept while a session is busy
PROMPT_QUIET_S = 0.3  # asynchronous lines wait this long after a prompt is printed
_FILTERS = {
    "include": "include",
    "exclude": "exclude",
    "begin": "begin",
    "section": "section",
    "grep": "include",
}


class SessionClosed(Exception):
    pass


def apply_filter(text: str, spec: str) -> str:
    """Apply an output modifier (``include X``, ``exclude X``, ``begin X``, ``section X``).

    >>> apply_filter("a\\ncrypto map X\\n set peer 1\\nb", "section crypto")
    'crypto map X\\n set peer 1'
    >>> apply_filter("one\\ntwo\\nthree", "inc t")
    'two\\nthree'
    """
    word, _, pattern = spec.strip().partition(" ")
    kind = next((v for k, v in _FILTERS.items() if k.startswith(word.lower()) and word), None)
    if kind is None or not pattern:
        raise ValueError(spec)
    regex = re.compile(pattern.strip())
    lines = text.split("\n")
    if kind == "include":
        return "\n".join(line for line in lines if regex.search(line))
    if kind == "exclude":
        return "\n".join(line for line in lines if not regex.search(line))
    if kind == "begin":
        start = next((i for i, line in enumerate(lines) if regex.search(line)), len(lines))
        return "\n".join(lines[start:])
    out, inside = [], False
    for line in lines:
        if line and not line[0].isspace():
            inside = bool(regex.search(line))
        elif not line:
            inside = False
        if inside:
            out.append(line)
    return "\n".join(out)


class CliSession:
    """The CLI of one connection to one lab device."""

    def __init__(
        self,
        node: LabNode,
        write: Callable[[str], None],
        drop: Callable[[], None],
        username: str = "",
        login: bool = False,
    ) -> None:
        self.node = node
        self.personality = node.personality
        self._write = write
        self._drop = drop
        self.username = username
        self.needs_login = login
        self.mode = "user"
        self.page_lines = self.personality.page_lines
        self.monitor = False
        self.context: str | None = None
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._last_cr = False
        self.closed = False
        self._gone = asyncio.Event()
        self._out: list[str] = []
        self._flush_scheduled = False
        self._buf: list[str] = []  # the line being typed
        self._at_prompt = False
        self._pending: list[str] = []
        self._pending_handle: asyncio.TimerHandle | None = None
        self._prompt_at = 0.0
        self._line = ""

    # -- input ---------------------------------------------------------------------

    def feed(self, data: str) -> None:
        for ch in data:
            self._queue.put_nowait(ch)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._gone.set()
            self._queue.put_nowait(_CLOSED)

    def kill(self) -> None:
        """The lab is stopping: end the session and cut its connection."""
        self.close()
        self._drop()

    def write(self, text: str) -> None:
        """Queue output; it leaves in one packet per loop turn (echo is per character)."""
        if self.closed:
            return
        self._out.append(text)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        if self._out and not self.closed:
            self._write("".join(self._out))
        self._out.clear()

    async def _char(self) -> str:
        item = await self._queue.get()
        if item is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise SessionClosed
        assert isinstance(item, str)
        return item

    async def read_line(self, echo: bool = True) -> str:
        buf: list[str] = []
        self._buf = buf
        while True:
            ch = await self._char()
            if ch == "\n" and self._last_cr:
                self._last_cr = False
                continue
            self._last_cr = ch == "\r"
            if ch in "\r\n":
                self.write("\r\n")
                return "".join(buf)
            if ch in ("\x7f", "\x08"):
                if buf:
                    buf.pop()
                    if echo:
                        self.write("\b \b")
            elif ch == "\x1a" and self.mode == "config":  # Ctrl-Z leaves config mode
                self.write("^Z\r\n")
                return "end"
            elif ch >= " " or ch == "\t":
                buf.append(ch)
                if echo:
                    self.write(ch)

    # -- the loop ------------------------------------------------------------------

    def prompt(self) -> str:
        dev = self.node.device
        parts = [dev.hostname]
        if self.context:
            parts.append(self.context)
        if dev.failover_prompt:
            parts.append(dev.failover_prompt)
        suffix = {"user": ">", "enable": "#", "config": "(config)#"}[self.mode]
        return "/".join(parts) + suffix + (" " if self.personality.prompt_space else "")

    async def run(self) -> None:
        try:
            if self.needs_login and not await self._login():
                return
            if self.personality.login_banner:
                self.write(self.personality.login_banner + "\r\n")
            self.write(self.prompt())
            while True:
                line = await self.read_command()
                await self._respond(line)
                self.write(self.prompt())
        except SessionClosed:
            pass
        finally:
            self.flush()
            self.node.sessions.discard(self)
            self.node.forget(self)

    async def read_command(self) -> str:
        """Read a command line at the prompt; asynchronous lines may be written meanwhile."""
        self._at_prompt = True
        self._prompt_at = asyncio.get_running_loop().time()
        self._schedule_pending()
        try:
            return await self.read_line()
        finally:
            self._at_prompt = False
            self._buf = []
            if self._pending_handle is not None:
                self._pending_handle.cancel()
                self._pending_handle = None

    # -- asynchronous lines ----------------------------------------------------------

    def deliver(self, lines: list[str]) -> None:
        """Lines the device prints on its own (debugs): at the prompt, else at the next one."""
        if self.closed or not lines:
            return
        self._pending.extend(lines)
        del self._pending[:-MAX_PENDING_LINES]
        self._schedule_pending()

    def _schedule_pending(self) -> None:
        """Write waiting lines once the prompt has stood for :data:`PROMPT_QUIET_S`.

        The pause keeps a burst out of the read that ends at the prompt (a client
        reading a command's output stops there), as a device's lines come later.
        """
        if not self._at_prompt or not self._pending or self._pending_handle is not None:
            return
        loop = asyncio.get_running_loop()
        wait = self._prompt_at + PROMPT_QUIET_S - loop.time()
        if wait <= 0:
            self._write_pending()
        else:
            self._pending_handle = loop.call_later(wait, self._pending_due)

    def _pending_due(self) -> None:
        self._pending_handle = None
        if self._at_prompt:
            self._write_pending()

    def _write_pending(self) -> None:
        if not self._pending or self.closed:
            return
        body = "\r\n".join(self._pending)
        self._pending.clear()
        self.write(f"\r\n{body}\r\n{self.prompt()}{''.join(self._buf)}")

    async def _login(self) -> bool:
        """Telnet login (PIX 6 with ``aaa authentication telnet console LOCAL``)."""
        self.write("\r\n\r\nUser Access Verification\r\n\r\n")
        for _ in range(3):
            self.write("Username: ")
            user = await self.read_line()
            self.write("Password: ")
            password = await self.read_line(echo=False)
            if self.node.check_password(user, password):
                self.username = user
                return True
            await asyncio.sleep(0.2)
            self.write("Error in authentication.\r\n\r\n")
        self._drop()
        return False

    async def _respond(self, line: str) -> None:
        await self.node.delay()
        text = line.strip()
        if not text:
            return
        self.node.log_command(text)
        self._line = line
        command, pipe, spec = text.partition("|")
        match = grammars(self.personality.family)[self.mode].match(command)
        if isinstance(match, NoMatch):
            self._error(match, line)
            return
        action = match.handler
        if isinstance(action, Builtin):
            await getattr(self, "cmd_" + action.name)(match)
            return
        words = " ".join(match.words)
        fault = self.node.device.faults
        if fault.hang_on and words.startswith(fault.hang_on):
            await self._gone.wait()  # the device never answers again
            raise SessionClosed
        ctx = RenderContext(
            self.node.device,
            self.node.engine,
            self.node.state,
            self.node.engine.clock.now(),
            self.context,
        )
        output = action(ctx, match.args)
        if pipe:
            try:
                output = apply_filter(output, spec)
            except (ValueError, re.error):
                self._error(NoMatch("invalid", len(command) + 1), line)
                return
        if fault.drop_on and words.startswith(fault.drop_on):
            self.write(output[: len(output) // 2].replace("\n", "\r\n"))
            self.flush()
            self._drop()
            raise SessionClosed
        await self.page(output)

    def _error(self, why: NoMatch, line: str) -> None:
        p = self.personality
        if why.kind == "ambiguous":
            message = p.ambiguous.format(line=line.strip())
        elif why.kind == "incomplete":
            message = p.incomplete
        elif why.kind == "unsimulated":
            message = f"% ipsec-ops lab: '{why.text}' is not simulated"
        elif why.column == len(line) - len(line.lstrip()) and p.style == "ios":
            message = p.invalid_first_word
        else:
            message = p.invalid
            if p.caret:
                self.write(" " * (len(self.prompt()) + why.column) + "^\r\n")
        self.write(message + "\r\n" + ("\r\n" if p.style == "ios" else ""))

    async def page(self, text: str) -> None:
        """Write output, stopping at the more-prompt every page while paging is on."""
        if not text:
            return
        lines = text.rstrip("\n").split("\n")
        size = self.page_lines - 1
        if self.page_lines <= 0 or len(lines) <= size:
            self.write("\r\n".join(lines) + "\r\n")
            return
        i = 0
        while i < len(lines):
            chunk = lines[i : i + size]
            self.write("\r\n".join(chunk) + "\r\n")
            i += len(chunk)
            if i >= len(lines):
                return
            self.write(self.personality.more)
            key = await self._char()
            if key == "\n" and self._last_cr:
                key = await self._char()
            self._last_cr = key == "\r"
            self.write(self.personality.more_erase)
            if key == " ":
                size = self.page_lines - 1
            elif key in "\r\n":
                size = 1
            else:
                return

    # -- built-in commands ---------------------------------------------------------

    async def cmd_exit(self, _: Match[object]) -> None:
        raise SessionClosed  # the server closes the channel cleanly

    async def cmd_enable(self, _: Match[object]) -> None:
        if self.mode != "user":
            return
        p = self.personality
        for _attempt in range(p.enable_tries):
            self.write("Password: ")
            secret = await self.read_line(echo=False)
            if secret == self.node.device.enable_secret:
                self.mode = "enable"
                return
            if p.style != "ios":
                self.write(p.bad_enable + "\r\n")
                return
        self.write(p.bad_enable + "\r\n\r\n")

    async def cmd_disable(self, _: Match[object]) -> None:
        self.mode = "user"

    async def cmd_configure(self, _: Match[object]) -> None:
        if self.personality.config_banner:
            self.write(self.personality.config_banner + "\r\n")
        self.mode = "config"

    async def cmd_end(self, _: Match[object]) -> None:
        self.mode = "enable"

    async def cmd_terminal_length(self, match: Match[object]) -> None:
        self.page_lines = int(match.args["n"])

    async def cmd_no_pager(self, _: Match[object]) -> None:
        self.page_lines = 0

    async def cmd_terminal_width(self, _: Match[object]) -> None:
        return None

    async def cmd_terminal_monitor(self, _: Match[object]) -> None:
        self.monitor = True

    async def cmd_terminal_no_monitor(self, _: Match[object]) -> None:
        self.monitor = False

    async def cmd_show_curpriv(self, _: Match[object]) -> None:
        level, modes = {
            "user": ("1", "P_UNPR"),
            "enable": ("15", "P_PRIV"),
            "config": ("15", "P_CONF"),
        }[self.mode]
        name = self.username or "enable_1"
        self.write(
            f"Username : {name}\r\nCurrent privilege level : {level}\r\n"
            f"Current Mode/s : {modes}\r\n"
        )

    async def cmd_changeto(self, match: Match[object]) -> None:
        name = match.args["name"]
        if name not in self.node.device.contexts:
            self.write(f"ERROR: Context '{name}' does not exist\r\n")
            return
        self.context = name

    async def cmd_clear(self, match: Match[object]) -> None:
        from ipsec_ops.lab.clear import run_clear  # the clear module imports this one

        await run_clear(self, match)

    async def cmd_changeto_system(self, _: Match[object]) -> None:
        self.context = None

    async def cmd_debug(self, match: Match[object]) -> None:
        """A debug command (:mod:`ipsec_ops.lab.debug_cli`); the device state changes."""
        assert isinstance(match.handler, Builtin)
        node = self.node
        reply = debug_cli.run(node.device.family, node.state, match.handler.action, match.args)
        if reply.bad_level:
            last = self._line.rstrip()
            self._error(NoMatch("invalid", len(last) - len(last.split()[-1])), self._line)
            return
        if reply.enabled:
            node.debug_owners[reply.enabled] = self
        node.debug_changed()
        if reply.text:
            self.write(reply.text + "\r\n")
