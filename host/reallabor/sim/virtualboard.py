"""A virtual board: a pseudo-terminal that behaves like a MicroPython board's USB serial port, backed
by unix-port MicroPython running in a directory that acts as the board's flash.

Real mpremote works against it unchanged. The unix port already speaks the raw REPL and raw-paste;
what it lacks is a board's console. A bridge thread stands in for it:

    mpremote <-> port (pty slave) | pty master <- bridge -> pipes <-> micropython -i virtualboard_boot.py

- Soft reset: the unix port ends the process on Ctrl-D in an empty raw REPL and prints no
  "soft reboot". The bridge follows the REPL's mode from what the host types and restarts the
  interpreter itself, printing what a board prints.
- Console: the interpreter's stdin is a pipe, not a terminal. On a terminal the unix port switches
  modes with TCSAFLUSH around every command, which throws away input a board's UART would have
  kept, and Ctrl-C would only work while its signal handler happens to be installed. So the bridge
  turns Ctrl-C into SIGINT while code runs and passes it on as a byte at a prompt, like a board's
  UART interrupt does.
- Watchdog: the firmware's watchdog (hal/sim.py) tells the bridge its timeout at every feed, and
  the bridge resets the board when it passes: in real time, and across a soft reset, as the chip's
  watchdog keeps running then. The boot after it reports reset cause "watchdog".
- Flash: virtualboard_boot.py mounts the flash directory as the filesystem root, so "/lib/x" and
  "lib/x" both land inside it, never on the host. Like a board it boots into main.py when there is
  one (the friendly REPL follows), and a process that ends on its own (a crash) boots again after a
  short pause.
- Deep sleep: the simulator's HAL announces it (`sim restart cause=deepsleep at=<ms> rtc=<hex>`).
  The bridge then ends the interpreter and the board sleeps for real: for that long nothing
  answers and what the host types is lost, as on a chip that is off. Then it wakes into main.py
  with the RTC memory it kept and the reset cause "deepsleep" (a watchdog reset restarts at once,
  cause "watchdog"). press_reset() is its RESET button: a fresh power-on boot, asleep or not.

Only tests and `reallabor virtual-board` import this module: it needs the unix port and POSIX ttys.
"""

import os
import pty
import re
import select
import signal
import subprocess
import threading
import time
import tty
from pathlib import Path

from reallabor.env import find_program

_CTRL_A, _CTRL_B, _CTRL_C, _CTRL_D, _CTRL_E = 1, 2, 3, 4, 5
_FIRST_PROMPT = b">>> "  # every boot ends in the friendly REPL first
# Output endings after which the REPL reads: friendly, continuation, raw REPL banner, after a command.
_PROMPTS = (b">>> ", b"... ", b"to exit\r\n>", b"\x04>", b"=== ")
_SOFT_REBOOT = b"MPY: soft reboot\r\n"
_OUT_LIMIT = 1 << 20  # bytes held for a host that does not read, like a UART nobody listens to
_REBOOT_PAUSE_S = 0.5  # between an unexpected exit and the next boot: no busy boot loops
# what the ESP32 port prints when its (task) watchdog resets the chip
_WATCHDOG_RESET = b"\r\nE (0) task_wdt: Task watchdog got triggered.\r\nets Jul 29 2019 12:21:46\r\n\r\nrst:0x7 (TG0WDT_SYS_RESET)\r\n"
_BOOT = Path(__file__).with_name("virtualboard_boot.py")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
# the HAL's last line before a deep sleep or watchdog reset (firmware/hal/sim.py)
_RESET_BANNER = b"\r\nets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET)\r\n"  # what a board's ROM prints
_RESTART = re.compile(rb"(\d+) I sim restart cause=(\w+) at=(\d+) rtc=([0-9a-f]*)\r?\n")


class VirtualBoard:
    """with VirtualBoard(flash_dir, mac="02:00:00:00:00:01") as vb: mpremote connect vb.port ..."""

    def __init__(self, flash: Path, mac: str, micropython: str | None = None, env: dict | None = None,
                 heap: str = "2M"):
        if not MAC_RE.match(mac):
            raise ValueError(f"MAC {mac!r}: expected six lower-case hex pairs separated by ':'")
        self.flash = Path(flash).resolve()
        self.mac = mac
        self.micropython = micropython or find_program("micropython")
        self.heap = heap
        self.extra_env = env or {}
        self.port = ""
        self.boots = 0  # how often the interpreter started: power-on, soft resets, reboots
        self._host = -1  # master side of the port
        self._hold = -1  # our own open slave fd: keeps the port usable between connections
        self._own_pty = True
        self._proc: subprocess.Popen | None = None
        self._dev_in = self._dev_out = self._mark = -1  # the interpreter's stdin, stdout, "main.py starts"
        self._wake_r, self._wake_w = -1, -1
        self._wdt_r, self._wdt_w = -1, -1  # the firmware's watchdog feeds: its timeout in ms per line
        self._wdt_due: float | None = None  # when the watchdog resets the board (monotonic s)
        self.watchdog_resets = 0
        self._reset_cause = "power"
        self._thread: threading.Thread | None = None
        self._stop = False
        # what the host typed, as far as the REPL's mode is concerned
        self._mode = "friendly"  # friendly | paste (Ctrl-E) | raw | rawpaste
        self._pending = False  # raw REPL: bytes typed since its buffer was last cleared
        self._line = False  # friendly REPL: the current line has text
        self._paste_step = 0  # raw-paste request seen so far: \x05, A, \x01
        # what the interpreter does
        self._ready = False  # its REPL came up after the boot
        self._executing = False  # code runs: Ctrl-C means SIGINT
        self._script = False  # this boot runs main.py
        self._main_started = False  # the boot file reported that main.py starts now
        self._interrupt = False  # Ctrl-C came before main.py started: send it when it does
        self._after_sigint: bytearray | None = None  # input since our last SIGINT, until a prompt
        self._swallow = False  # hide the banner of a soft reset in the raw REPL
        self._boot_seen = b""
        self._tail = b""  # the last bytes of output, to recognise prompts
        self._to_host = bytearray()
        self._to_dev = bytearray()
        self._held = bytearray()  # host input held back until the REPL is up
        self._line_out = b""  # the interpreter's output since its last newline (for _RESTART)
        self._asleep_until: float | None = None  # deep sleep: the monotonic time it wakes
        self._wake_env: dict = {}  # RL_RESET, RL_RTC for the boot after a deep sleep
        self._reset_pressed = False

    # -- life cycle -------------------------------------------------------------------------------

    def start(self, pty_pair: tuple[int, int] | None = None) -> "VirtualBoard":
        """pty_pair: the (master, slave) of a port that already exists (a simulated ROM bootloader
        hands its port over when the flashed firmware starts); they stay open after stop()."""
        self.flash.mkdir(mode=0o700, parents=True, exist_ok=True)  # it will hold the board's secrets
        self._own_pty = pty_pair is None
        self._host, self._hold = pty_pair or pty.openpty()
        if self._own_pty:
            tty.setraw(self._hold)
        self.port = os.ttyname(self._hold)
        os.set_blocking(self._host, False)
        self._wake_r, self._wake_w = os.pipe()
        self._wdt_r, self._wdt_w = os.pipe()
        os.set_blocking(self._wdt_r, False)
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
        owned = (self._host, self._hold) if self._own_pty else ()
        for fd in (*owned, self._wake_r, self._wake_w, self._wdt_r, self._wdt_w):
            if fd >= 0:
                os.close(fd)
        if not self._own_pty:
            os.set_blocking(self._host, True)
        self._host = self._hold = self._wake_r = self._wake_w = self._wdt_r = self._wdt_w = -1

    def __enter__(self) -> "VirtualBoard":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def asleep(self) -> bool:
        return self._asleep_until is not None

    def press_reset(self) -> None:
        """The RESET button (EN): the interpreter restarts as after a power-on, asleep or not."""
        self._reset_pressed = True
        if self._wake_w >= 0:
            os.write(self._wake_w, b"r")

    def env(self, main: bool, mark_fd: int) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RL_")}
        env.update(MICROPYPATH=os.pathsep.join(("", ".frozen", "/lib")), RL_FLASH=str(self.flash),
                   RL_RUN_MAIN="1" if main else "0", RL_MARK_FD=str(mark_fd), RL_MAC=self.mac, RL_SPEED="1",
                   RL_WDT_FD=str(self._wdt_w), RL_RESET=self._reset_cause)
        env.update(self._wake_env)
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
        stdin_r, self._dev_in = os.pipe()
        self._dev_out, stdout_w = os.pipe()
        self._mark, mark_w = os.pipe()
        self._script = main and (self.flash / "main.py").is_file()
        argv = [self.micropython, "-X", f"heapsize={self.heap}", "-i", str(_BOOT)]
        self._proc = subprocess.Popen(argv, stdin=stdin_r, stdout=stdout_w, stderr=stdout_w, cwd=self.flash,
                                      env=self.env(self._script, mark_w), pass_fds=(mark_w, self._wdt_w),
                                      preexec_fn=_child_setup)
        for fd in (stdin_r, stdout_w, mark_w):
            os.close(fd)
        for fd in (self._dev_in, self._dev_out, self._mark):
            os.set_blocking(fd, False)
        self._to_dev.clear()
        self._line_out = b""
        self._wake_env = {}  # only the boot right after a wake-up sees its cause
        self.boots += 1
        self._ready, self._swallow, self._boot_seen, self._tail = False, raw, b"", b""
        self._executing, self._main_started, self._interrupt = self._script, False, False
        self._after_sigint = None
        if raw:
            self._held[:0] = bytes([_CTRL_A])  # re-enter the raw REPL once the prompt is up
        else:
            self._mode, self._pending, self._line, self._paste_step = "friendly", False, False, 0

    def _kill(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
        if self._proc:
            self._proc.wait()
        for fd in (self._dev_in, self._dev_out, self._mark):
            if fd >= 0:
                os.close(fd)
        self._dev_in = self._dev_out = self._mark = -1

    def _interrupt_now(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._after_sigint = bytearray(self._to_dev)  # kept in case the SIGINT ends the process
            os.kill(self._proc.pid, signal.SIGINT)

    # -- the bridge -------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stop:
            if self._reset_pressed:
                self._reset_pressed = False
                self._asleep_until = None
                self._wdt_due = None  # the reset button resets the watchdog too
                self._boot(main=True)
                self._to_host_add(_RESET_BANNER)
                continue
            if self._asleep_until is not None:
                self._sleep_step()
                continue
            readers = [self._host, self._wake_r, self._dev_out, self._wdt_r] + ([self._mark] if self._mark >= 0 else [])
            writers = ([self._host] if self._to_host else []) + ([self._dev_in] if self._to_dev else [])
            wait = 0.5 if self._wdt_due is None else min(0.5, max(0.0, self._wdt_due - time.monotonic()))
            readable, writable, _ = select.select(readers, writers, [], wait)
            if self._stop:
                return
            if self._wdt_r in readable:
                self._watchdog_fed()
            if self._wdt_due is not None and time.monotonic() >= self._wdt_due:
                self._watchdog_reset()
                continue
            if self._host in readable:
                boots = self.boots
                self._from_host(_read(self._host) or b"")
                if self.boots != boots:  # a soft reset: the other descriptors are new ones now
                    continue
            if self._mark >= 0 and self._mark in readable:
                self._main_starts()
            if self._dev_out in readable:
                data = _read(self._dev_out)
                if data is None:  # end of output: the interpreter is gone
                    self._ended()
                    continue
                self._from_dev(data)
            if self._wake_r in readable:
                _read(self._wake_r)
            if self._host in writable:
                _flush(self._host, self._to_host)
            if self._dev_in in writable:
                _flush(self._dev_in, self._to_dev)

    def _sleep_step(self) -> None:
        """Deep sleep: the chip is off; what the host types is lost; at the time, it wakes."""
        remaining = self._asleep_until - time.monotonic()
        if remaining <= 0:
            self._asleep_until = None
            self._boot(main=True)  # with the wake-up's reset cause and RTC memory (env())
            return
        writers = [self._host] if self._to_host else []
        readable, writable, _ = select.select([self._host, self._wake_r], writers, [], min(remaining, 0.5))
        if self._host in readable:
            _read(self._host)
        if self._wake_r in readable:
            _read(self._wake_r)
        if self._host in writable:
            _flush(self._host, self._to_host)

    def _fall_asleep(self, cause: str, at_ms: int, uptime_ms: int, rtc: str) -> None:
        """The HAL announced a deep sleep (or a watchdog reset): end this boot, sleep, wake."""
        self._kill()
        self._to_dev.clear()
        self._held.clear()
        self._ready = False
        self._wake_env = {"RL_RESET": cause, "RL_RTC": rtc}
        self._wdt_due = None  # the chip resets when it sleeps: the watchdog stops
        self._asleep_until = time.monotonic() + (max(at_ms - uptime_ms, 0) / 1000 if cause == "deepsleep" else 0)

    def _main_starts(self) -> None:
        data = _read(self._mark)
        if data == b"":
            return
        if data is None:  # closed without a word: no main.py this time
            os.close(self._mark)
            self._mark = -1
            return
        self._main_started = True
        if self._interrupt:
            self._interrupt_now()

    def _watchdog_fed(self) -> None:
        lines = (_read(self._wdt_r) or b"").split()
        if lines:
            self._wdt_due = time.monotonic() + int(lines[-1]) / 1000

    def _watchdog_reset(self) -> None:
        """Not fed in time: the chip resets, the watchdog with it, and the board boots again."""
        self._wdt_due = None
        self.watchdog_resets += 1
        self._to_host_add(_WATCHDOG_RESET)
        self._reset_cause = "watchdog"
        self._boot(main=True)
        self._reset_cause = "power"

    def _ended(self) -> None:
        """The interpreter exited by itself: reboot like a board after a crash or deep sleep."""
        try:
            code = self._proc.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        if code == -signal.SIGINT:
            # Our SIGINT landed just as a command ended, when the unix port has no handler: on a
            # board that Ctrl-C would only have stopped the program. Back to the REPL, and what
            # the host typed since goes to the new one.
            mode = self._mode, self._pending, self._line, self._paste_step
            typed = self._after_sigint or b""
            self._boot(main=False)
            self._mode, self._pending, self._line, self._paste_step = mode
            self._held[:0] = typed
            return
        time.sleep(_REBOOT_PAUSE_S)
        self._wdt_due = None  # the process ended as at a reset (a deep sleep): the watchdog stops too
        self._boot(main=True)

    def _to_host_add(self, data: bytes) -> None:
        self._to_host += data
        if len(self._to_host) > _OUT_LIMIT:
            del self._to_host[: len(self._to_host) - _OUT_LIMIT]

    def _from_dev(self, data: bytes) -> None:
        lines = self._line_out + data
        restart = _RESTART.search(lines)
        if restart:  # pass on what came before, then the chip sleeps
            data = data[: max(len(data) - (len(lines) - restart.end()), 0)]
        self._line_out = lines[lines.rfind(b"\n") + 1:][-256:]
        self._from_dev_shown(data)
        if restart:
            self._fall_asleep(restart[2].decode(), int(restart[3]), int(restart[1]), restart[4].decode())

    def _from_dev_shown(self, data: bytes) -> None:
        self._tail = (self._tail + data)[-16:]
        # The code is done at a prompt, or in the raw REPL at the \x04 ending its output: mpremote
        # types on as soon as it has that, before the ">" follows.
        if self._tail.endswith(_PROMPTS) or (self._mode.startswith("raw") and b"\x04" in data):
            self._executing = False
            self._after_sigint = None
        if self._ready:
            self._to_host_add(data)
            return
        if not self._swallow:
            self._to_host_add(data)
        self._boot_seen += data
        if _FIRST_PROMPT not in self._boot_seen:
            if not self._swallow:
                self._boot_seen = self._boot_seen[-len(_FIRST_PROMPT):]
            return
        self._ready = True  # the REPL is up: what was typed meanwhile can go in now
        self._executing = False
        if self._swallow:
            self._to_host_add(_SOFT_REBOOT + self._boot_seen.split(_FIRST_PROMPT, 1)[1])
        self._to_dev += self._held
        if self._after_sigint is not None:
            self._after_sigint += self._held
        self._held.clear()

    def _from_host(self, data: bytes) -> None:
        for b in data:
            if b == _CTRL_C and self._executing:
                # A board's UART raises KeyboardInterrupt in the running code; the byte is consumed.
                if self._script and not self._main_started:
                    self._interrupt = True  # still booting: interrupt main.py as soon as it starts
                elif self._after_sigint is None:  # one is on its way: a second could hit the
                    self._interrupt_now()  # moment the unix port has no handler and kill it
                self._input_byte(b)
                continue
            if not self._input_byte(b):
                continue
            if not self._ready:
                self._held.append(b)
                continue
            self._to_dev.append(b)
            if self._after_sigint is not None:
                self._after_sigint.append(b)

    def _input_byte(self, b: int) -> bool:
        """Follow the REPL's mode from what the host types; False swallows the byte because the
        bridge handles it (a soft reset)."""
        if self._mode == "rawpaste":
            if b == _CTRL_D:  # end of the pasted code: it runs, then the raw prompt returns
                self._mode, self._pending, self._executing = "raw", False, True
            return True
        if self._mode == "paste":  # the friendly REPL's paste mode (Ctrl-E)
            if b == _CTRL_D:
                self._mode, self._executing = "friendly", True
            elif b == _CTRL_C:
                self._mode = "friendly"
            return True
        if self._mode == "friendly":
            if b == _CTRL_A:
                self._mode, self._pending = "raw", False
            elif b == _CTRL_E:
                self._mode = "paste"
            elif b == _CTRL_C:
                self._line = False
            elif b == _CTRL_D and not self._executing:  # Ctrl-D in the friendly REPL: soft reset
                self._boot(main=True)
                self._to_host_add(_SOFT_REBOOT)
                return False
            elif b in (0x0D, 0x0A):  # a line with text runs; an empty one only gets a new prompt
                self._executing = self._executing or self._line
                self._line = False
            elif b >= 0x20:
                self._line = True
            return True
        # raw REPL
        if self._paste_step == 1 and b == ord("A"):
            self._paste_step = 2
            return True
        if self._paste_step == 2 and b == _CTRL_A:
            self._paste_step, self._mode = 0, "rawpaste"
            return True
        self._paste_step = 0
        if b == _CTRL_E and not self._pending:
            self._paste_step = 1
        elif b in (_CTRL_A, _CTRL_C):
            self._pending = False
        elif b == _CTRL_B:
            self._mode, self._line = "friendly", False
        elif b == _CTRL_D:
            if not self._pending and not self._executing:  # Ctrl-D on an empty raw REPL: soft reset
                self._boot(main=False, raw=True)
                return False
            self._pending, self._executing = False, True
        else:
            self._pending = True
        return True


def _child_setup() -> None:
    # In the child: out of our terminal's session (a Ctrl-C there stops us, not the board), and the
    # files it creates are private (config.json holds secrets).
    os.umask(0o077)
    os.setsid()


def _read(fd: int) -> bytes | None:
    """What is there to read; b"" if nothing yet, None at the end (the other side closed)."""
    try:
        return os.read(fd, 65536) or None
    except BlockingIOError:
        return b""
    except OSError:
        return None


def _flush(fd: int, buf: bytearray) -> None:
    try:
        n = os.write(fd, buf)
    except (BlockingIOError, OSError):
        return
    del buf[:n]


def random_mac() -> str:
    """A locally administered MAC (02:...), so that boards of separate runs never share one."""
    return "02:" + os.urandom(5).hex(":")


def mac_sequence(first: str, count: int) -> list[str]:
    """count MACs counting up from first ("02:00:00:00:00:01", "...:02", ...)."""
    if not MAC_RE.match(first):
        raise ValueError(first)
    start = int(first.replace(":", ""), 16)
    return [":".join(f"{(start + i) >> s & 0xFF:02x}" for s in range(40, -1, -8)) for i in range(count)]


def serve(count: int, first_mac: str, flash: Path | None, trace: Path | None, on_ready, keys=None) -> None:
    """Run count virtual boards until SIGTERM or Ctrl-C; on_ready(n, board) as each comes up.
    flash: the directory that plays the flash (one below it per board when there are several).
    keys: lines typed by the technician (stdin): each one presses RESET on every board."""
    import signal
    import sys
    import tempfile

    root = flash or Path(tempfile.mkdtemp(prefix="reallabor-vboard-"))
    env = {"RL_TRACE": str(trace.resolve())} if trace else {}
    running = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the interpreters on kill, too
    try:
        for n, mac in enumerate(mac_sequence(first_mac, count), 1):
            running.append(VirtualBoard(root / f"board{n}" if count > 1 else root, mac, env=env).start())
            on_ready(n, running[-1])
        if keys is not None:
            threading.Thread(target=_reset_keys, args=(keys, running), daemon=True).start()
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for vb in running:
            vb.stop()


def _reset_keys(keys, boards: list[VirtualBoard]) -> None:
    for _line in keys:
        for board in boards:
            board.press_reset()
