"""A virtual board: a pseudo-terminal that behaves like a MicroPython board's USB serial port, backed
by unix-port MicroPython running in a directory that acts as the board's flash.

Real mpremote works against it unchanged. The unix port already speaks the raw REPL and raw-paste;
what it lacks is a soft reset (Ctrl-D in an empty raw REPL ends the process, and no
"soft reboot" is printed), so a bridge between two terminals watches what the host sends and
restarts the interpreter itself:

    mpremote <-> port (pty slave) | master <- bridge thread -> master | pty slave <-> micropython

The flash directory is the interpreter's filesystem root (virtualboard_boot.py mounts it), so
"/lib/x" and "lib/x" both land inside it, never on the host. Like a board it boots into main.py
when there is one (and the friendly REPL afterwards), and a process that ends on its own (a crash,
a simulated deep sleep) boots again after a short pause.
Input is held back until the interpreter shows its first prompt: the unix port flushes pending
input when its REPL starts (it switches the terminal with TCSAFLUSH), where a board's UART would
have kept it. Only Ctrl-C goes through at once while main.py runs, to interrupt it.
Only tests and `reallabor virtual-board` import this module: it needs the unix port and POSIX ttys.
"""

import fcntl
import os
import pty
import re
import select
import signal
import subprocess
import termios
import threading
import time
import tty
from pathlib import Path

_CTRL_A, _CTRL_B, _CTRL_C, _CTRL_D, _CTRL_E = 1, 2, 3, 4, 5
_PROMPT = b">>> "
_SOFT_REBOOT = b"MPY: soft reboot\r\n"
_OUT_LIMIT = 1 << 20  # bytes held for a host that does not read, like a UART nobody listens to
_REBOOT_PAUSE_S = 0.5  # between an unexpected exit and the next boot: no busy boot loops
_BOOT = Path(__file__).with_name("virtualboard_boot.py")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


class VirtualBoard:
    """with VirtualBoard(flash_dir, mac="02:00:00:00:00:01") as vb: mpremote connect vb.port ..."""

    def __init__(self, flash: Path, mac: str, micropython: str | None = None, env: dict | None = None,
                 heap: str = "2M"):
        if not MAC_RE.match(mac):
            raise ValueError(f"MAC {mac!r}: expected six lower-case hex pairs separated by ':'")
        from reallabor.replay import find_micropython

        self.flash = Path(flash).resolve()
        self.mac = mac
        self.micropython = micropython or find_micropython()
        self.heap = heap
        self.extra_env = env or {}
        self.port = ""
        self.boots = 0  # how often the interpreter started: power-on, soft resets, reboots
        self._host = -1  # master side of the port
        self._hold = -1  # our own open slave fd: keeps the port usable between connections
        self._dev = -1  # master side of the interpreter's terminal
        self._proc: subprocess.Popen | None = None
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None
        self._stop = False
        # what the host sent, as far as the REPL's mode is concerned
        self._mode = "friendly"  # friendly | raw | paste
        self._pending = False  # raw REPL: bytes typed since the buffer was last cleared
        self._paste_step = 0  # raw-paste request seen so far: \x05, A, \x01
        self._ready = False  # the interpreter's REPL reads its input
        self._script = False  # it runs main.py
        self._swallow = False  # hide the banner of a soft reset in the raw REPL
        self._boot_seen = b""
        self._to_host = bytearray()
        self._to_dev = bytearray()
        self._held = bytearray()  # host input held back while the interpreter boots

    # -- life cycle -------------------------------------------------------------------------------

    def start(self) -> "VirtualBoard":
        self.flash.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold the board's secrets
        self._host, self._hold = pty.openpty()
        tty.setraw(self._hold)
        self.port = os.ttyname(self._hold)
        os.set_blocking(self._host, False)
        self._wake_r, self._wake_w = os.pipe()
        self._boot(main=True)
        self._thread = threading.Thread(target=self._run, name=f"virtual-board {self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop = True
        if self._wake_w >= 0:
            os.write(self._wake_w, b"x")
        if self._thread:
            self._thread.join(5)
        self._kill()
        for fd in (self._host, self._hold, self._wake_r, self._wake_w):
            if fd >= 0:
                os.close(fd)
        self._host = self._hold = self._wake_r = self._wake_w = -1

    def __enter__(self) -> "VirtualBoard":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def env(self, main: bool) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RL_")}
        env.update(MICROPYPATH=os.pathsep.join(("", ".frozen", "/lib")), RL_FLASH=str(self.flash),
                   RL_RUN_MAIN="1" if main else "0", RL_MAC=self.mac, RL_SPEED="1")
        env.update(self.extra_env)
        if "RL_TRACE" in self.extra_env:  # a host path: the board sees its directory at /.sim
            trace = Path(self.extra_env["RL_TRACE"]).resolve()
            env.update(RL_SIM_DIR=str(trace.parent), RL_TRACE=f"/.sim/{trace.name}")
        return env

    # -- the interpreter --------------------------------------------------------------------------

    def _boot(self, main: bool, raw: bool = False) -> None:
        """Start a fresh interpreter. main: run main.py first (a power-on or a friendly soft reset);
        raw: come back in the raw REPL (mpremote's soft reset), printing only what a board prints."""
        self._kill()
        parent, child = pty.openpty()
        tty.setraw(child)
        attrs = termios.tcgetattr(child)
        attrs[3] |= termios.ISIG  # Ctrl-C while code runs becomes SIGINT -> KeyboardInterrupt
        termios.tcsetattr(child, termios.TCSANOW, attrs)
        argv = [self.micropython, "-X", f"heapsize={self.heap}", "-i", str(_BOOT)]
        self._script = main and (self.flash / "main.py").is_file()
        self._proc = subprocess.Popen(argv, stdin=child, stdout=child, stderr=child, cwd=self.flash,
                                      env=self.env(self._script), preexec_fn=_own_terminal)
        os.close(child)
        os.set_blocking(parent, False)
        self._dev = parent
        self._to_dev.clear()
        self.boots += 1
        self._ready, self._swallow, self._boot_seen = False, raw, b""
        if raw:
            self._held[:0] = bytes([_CTRL_A])  # re-enter the raw REPL once the prompt is up
        else:
            self._mode, self._pending, self._paste_step = "friendly", False, 0

    def _kill(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()
            self._proc = None
        if self._dev >= 0:
            os.close(self._dev)
            self._dev = -1

    # -- the bridge -------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop:
            readers = [self._host, self._wake_r] + ([self._dev] if self._dev >= 0 else [])
            writers = ([self._host] if self._to_host else []) + ([self._dev] if self._to_dev and self._dev >= 0 else [])
            readable, writable, _ = select.select(readers, writers, [], 0.2)
            if self._stop:
                return
            if self._host in readable:
                self._from_host(_read(self._host))
            if self._dev >= 0 and self._dev in readable:
                data = _read(self._dev)
                if data is None:  # the interpreter is gone
                    self._ended()
                    continue
                self._from_dev(data)
            if self._host in writable:
                _flush(self._host, self._to_host)
            if self._dev >= 0 and self._dev in writable:
                _flush(self._dev, self._to_dev)
            if self._proc and self._proc.poll() is not None and self._dev >= 0 and not _pending_input(self._dev):
                self._ended()

    def _ended(self) -> None:
        """The interpreter exited by itself: reboot like a board after a crash or deep sleep."""
        if self._stop:
            return
        time.sleep(_REBOOT_PAUSE_S)
        self._boot(main=True)

    def _to_host_add(self, data: bytes) -> None:
        self._to_host += data
        if len(self._to_host) > _OUT_LIMIT:
            del self._to_host[: len(self._to_host) - _OUT_LIMIT]

    def _from_dev(self, data: bytes) -> None:
        if self._ready:
            self._to_host_add(data)
            return
        if not self._swallow:
            self._to_host_add(data)
        self._boot_seen += data
        if _PROMPT not in self._boot_seen:
            if not self._swallow:
                self._boot_seen = self._boot_seen[-len(_PROMPT):]
            return
        self._ready = True  # the REPL is up: what was typed meanwhile can go in now
        if self._swallow:
            self._to_host_add(_SOFT_REBOOT + self._boot_seen.split(_PROMPT, 1)[1])
        self._to_dev += self._held
        self._held.clear()

    def _from_host(self, data: bytes | None) -> None:
        if not data:
            return
        for b in data:
            if not self._input_byte(b):
                continue
            if self._ready or (b == _CTRL_C and self._script):
                self._to_dev.append(b)
            else:
                self._held.append(b)

    def _input_byte(self, b: int) -> bool:
        """Follow the REPL's mode from what the host types; False swallows the byte because the
        bridge handles it (a soft reset)."""
        if self._mode == "paste":
            if b == _CTRL_D:  # end of the pasted code: it runs, then the raw prompt returns
                self._mode, self._pending = "raw", False
            return True
        if self._mode == "friendly":
            if b == _CTRL_A:
                self._mode, self._pending = "raw", False
            elif b == _CTRL_D:
                self._boot(main=True)
                self._to_host_add(_SOFT_REBOOT)
                return False
            return True
        # raw REPL
        if self._paste_step == 1 and b == ord("A"):
            self._paste_step = 2
            return True
        if self._paste_step == 2 and b == _CTRL_A:
            self._paste_step, self._mode = 0, "paste"
            return True
        self._paste_step = 0
        if b == _CTRL_E and not self._pending:
            self._paste_step = 1
        elif b in (_CTRL_A, _CTRL_C):
            self._pending = False
        elif b == _CTRL_B:
            self._mode = "friendly"
        elif b == _CTRL_D:
            if not self._pending:  # Ctrl-D on an empty raw REPL: soft reset
                self._boot(main=False, raw=True)
                return False
            self._pending = False
        else:
            self._pending = True
        return True


def _own_terminal() -> None:
    # In the child: a session of its own with the pty as controlling terminal, so Ctrl-C reaches it;
    # files it creates (config.json holds secrets) are private.
    os.umask(0o077)
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _read(fd: int) -> bytes | None:
    try:
        return os.read(fd, 65536)
    except BlockingIOError:
        return b""
    except OSError:  # EIO: the other side of the terminal is closed
        return None


def _flush(fd: int, buf: bytearray) -> None:
    try:
        n = os.write(fd, buf)
    except (BlockingIOError, OSError):
        return
    del buf[:n]


def _pending_input(fd: int) -> bool:
    readable, _, _ = select.select([fd], [], [], 0)
    return bool(readable)
