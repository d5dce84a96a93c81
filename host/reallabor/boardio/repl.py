"""A board's REPL through mpremote's Python API (raw REPL, raw-paste), with every failure a
technician can cause (wrong port, busy port, no permission, a board that does not answer, a cable
pulled mid-way) turned into a ReallaborError that says what to do next.

Catching the board: before mpremote enters the raw REPL, Ctrl-C (stop the program) and Ctrl-B
(leave a raw REPL) go out again and again until the friendly prompt answers, for up to `wait`
seconds. So a board busy in main.py is stopped, and a node that deep-sleeps (it hears nothing until
it wakes, then runs main.py) is caught as it wakes; when it announces its sleep ("sleep <ms> ms" in
its log) the wait grows to its wake-up. If it never answers, what was heard tells why: nothing at
all, the ROM bootloader's words (download mode), our firmware going to sleep, or another program
that has the port open and reads the board's answers away.

Device paths are relative ("lib/node/app.mpy"): on a board the working directory is the
filesystem root, on the virtual board it is the directory that plays the flash.
"""

import ast
import contextlib
import errno
import json
import os
import re
import sys
import time

import serial
from mpremote import transport_serial
from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, Cancelled, ReallaborError

# mpremote prints the raw bytes it got before it raises "could not enter raw repl"; we report that
# failure ourselves, in words. Silencing its module (not sys.stdout, which batch threads share).
transport_serial.print = lambda *args, **kwargs: None

CHUNK = 1024  # bytes per raw-paste write; a board's REPL compiles each chunk as a bytes literal
_OPEN_TRIES = 3
READ_TIMEOUT_S = 5  # longest wait for one byte; far above what a board needs to answer
WAIT_S = 10  # how long a board may take to answer at all (a sleeping node: see --wait)
_ASK_EVERY_S = 0.4  # Ctrl-C again after this long without a prompt
_WAKE_MARGIN_S = 8  # after an announced wake-up: boot, Wi-Fi, main.py starting
MAX_SLEEP_WAIT_S = 900  # a node that announced a longer sleep is not waited for
_CATCH = b"\r\x03\x03\x02"  # stop a program, stop it again (a second KeyboardInterrupt handler), leave raw REPL
_SLEEP = re.compile(rb"\d+ I sleep (\d+) ms")  # our firmware, before its deep sleep (node/app.py)
_DOWNLOAD_MODE = (b"waiting for download", b"DOWNLOAD_BOOT")  # the ROM, started with BOOT held
_NO_IMAGE = b"invalid header"  # the ROM finds no firmware to start

# Runs on the board: sha256 of the given files and of every file under the given directories.
_HASHES = """
import binascii, hashlib, os
def _h(p):
    try:
        f = open(p, 'rb')
    except OSError:
        return None
    d = hashlib.sha256()
    b = bytearray(1024)
    m = memoryview(b)
    while True:
        n = f.readinto(b)
        if not n:
            break
        d.update(m[:n])
    f.close()
    return binascii.hexlify(d.digest()).decode()
def _walk(d, out):
    try:
        entries = list(os.ilistdir(d))
    except OSError:
        return
    for e in entries:
        p = d + '/' + e[0]
        if e[1] == 0x4000:
            _walk(p, out)
        else:
            out.append(p)
_p = %r
for _d in %r:
    _walk(_d, _p)
print(repr({p: _h(p) for p in _p}))
"""

_MKDIRS = """
import os
p = ''
for d in %r.split('/'):
    p += d
    try:
        os.mkdir(p)
    except OSError:
        pass
    p += '/'
"""

_INFO = """
import os, sys
print(repr({'mpy': getattr(sys.implementation, '_mpy', 0), 'platform': sys.platform,
 'version': '.'.join(str(v) for v in sys.implementation.version[:3]),
 'machine': os.uname().machine if hasattr(os, 'uname') else sys.platform}))
"""


# Runs on the board: its MAC, with our firmware (its hardware layer), with plain MicroPython
# (machine.unique_id is the base MAC on the ESP32), or on a virtual board without either.
MAC_PROBE = """
def _mac():
    try:
        import hal
        return hal.load().mac()
    except Exception:
        pass
    try:
        import machine
        return machine.unique_id()
    except Exception:
        pass
    import os
    m = os.getenv('RL_MAC') if hasattr(os, 'getenv') else None
    return bytes(int(x, 16) for x in m.split(':')) if m else None
print(repr(_mac()))
"""


# Runs on the board right after the raw REPL came up. The ESP32's watchdog keeps running across
# the soft reset, so a node's watchdog (its interval plus a minute) would reset the board in the
# middle of a deploy, provision or verify: set it to a timeout no session with one board reaches.
# The node's next start sets its own again. Only with our firmware: its hardware layer knows the
# board (and a virtual board's watchdog); a board without it runs no watchdog of ours.
HOLD_WATCHDOG_MS = 15 * 60 * 1000
_HOLD_WATCHDOG = """
try:
    import hal
    hal.load().watchdog(%d).feed()
except Exception:
    pass
""" % HOLD_WATCHDOG_MS


class Device:
    """with Device(port) as dev: ... -- catches the board (see above), then enters the raw REPL
    with a soft reset, as mpremote does, and holds off the node's watchdog. say(key, **params): progress while it waits for a wake."""

    def __init__(self, port: str, timeout: float = 10, wait: float = WAIT_S, say=None):
        self.port = port
        self.timeout = timeout
        self.wait = wait
        self.say = say or (lambda key, **params: None)
        self.transport: SerialTransport | None = None
        self.restart_on_cancel = True  # Ctrl-C: put the board back into its program (deploy says no mid-way)
        self._running_main = False  # run_main started the program: nothing to restart

    def __enter__(self) -> "Device":
        self.transport = _open(self.port)
        try:
            users = port_users(self.port)
            if users:  # it would read the board's answers away: nothing would work, and not tell why
                raise in_use(self.port, users)
            self.catch()
            self.enter_raw(soft_reset=True)
            self.exec(_HOLD_WATCHDOG)
        except BaseException:
            self.close()
            raise
        return self

    def catch(self) -> None:
        """Until the friendly prompt answers: a program is stopped, a sleeping node caught as it
        wakes. Raises a ReallaborError that says why when the wait is over without an answer."""
        s = self.transport.serial
        deadline = time.monotonic() + self.wait
        heard = bytearray()
        with self._guard():
            while True:
                if getattr(self.say, "cancelled", False):  # Ctrl-C while we wait for the board
                    raise Cancelled()
                s.write(_CATCH)
                end = time.monotonic() + _ASK_EVERY_S
                fresh = bytearray()
                while time.monotonic() < end:
                    waiting = s.in_waiting
                    if waiting:
                        fresh += s.read(waiting)
                        if fresh.endswith(b">>> ") or b">>> " in fresh[-64:]:
                            return
                    else:
                        time.sleep(0.02)
                announced = _SLEEP.findall(bytes(heard[-40:] + fresh))  # the line may span two reads
                heard = (heard + fresh)[-4096:]
                if announced:
                    wake = int(announced[-1]) / 1000 + _WAKE_MARGIN_S
                    if wake <= MAX_SLEEP_WAIT_S and time.monotonic() + wake > deadline:
                        deadline = time.monotonic() + wake  # it told us when it comes back
                        self.say("device.stage.asleep", seconds=round(wake))
                if time.monotonic() >= deadline:
                    raise self._no_answer(bytes(heard))

    def _no_answer(self, heard: bytes) -> ReallaborError:
        users = port_users(self.port)
        if users:
            return in_use(self.port, users)
        wait = round(self.wait)
        if not heard.strip(b"\r\n\x00\xff"):
            return ReallaborError("device.silent", EXIT_FAILED, port=self.port, seconds=wait)
        if any(marker in heard for marker in _DOWNLOAD_MODE):
            return ReallaborError("device.in_bootloader", EXIT_FAILED, port=self.port)
        if _NO_IMAGE in heard:
            return ReallaborError("device.no_image", EXIT_FAILED, port=self.port)
        sleeping = _SLEEP.findall(heard)
        if sleeping:
            return ReallaborError("device.asleep", EXIT_FAILED, port=self.port,
                                  seconds=int(sleeping[-1]) // 1000, wait=wait)
        shown = heard.decode("utf-8", "replace").strip().splitlines()[-3:]
        return ReallaborError("device.no_answer", EXIT_FAILED, details=shown, port=self.port)

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is Cancelled and self.restart_on_cancel and not self._running_main and self.transport:
            with contextlib.suppress(Exception):  # we stopped its program: it shall run again
                self.reboot()
        self.close()

    def close(self) -> None:
        if self.transport:
            with contextlib.suppress(Exception):
                if self.transport.in_raw_repl:
                    self.transport.exit_raw_repl()
            with contextlib.suppress(Exception):
                self.transport.close()
            self.transport = None

    # -- REPL ------------------------------------------------------------------------------------

    def enter_raw(self, soft_reset: bool) -> None:
        with self._guard():
            try:
                self.transport.enter_raw_repl(soft_reset=soft_reset, timeout_overall=self.timeout)
            except TransportError:
                raise ReallaborError("device.no_answer", EXIT_FAILED, port=self.port)

    def exec(self, code: str) -> str:
        """Run code on the board; its printed output. A Python exception on the board raises
        ReallaborError with the board's traceback as details."""
        with self._guard():
            try:
                return self.transport.exec(code).decode("utf-8", "replace")
            except TransportExecError as e:
                lines = e.error_output.strip().splitlines()
                raise ReallaborError("device.exec_failed", EXIT_FAILED, details=lines[-6:], port=self.port)

    def eval(self, code: str):
        """Run code whose last printed line is a Python literal (repr of dicts, lists, strings)."""
        out = self.exec(code).strip().splitlines()
        try:
            return ast.literal_eval(out[-1])
        except (IndexError, ValueError, SyntaxError):
            raise ReallaborError("device.bad_reply", EXIT_FAILED, details=out[-6:], port=self.port)

    def info(self) -> dict:
        """{'mpy': sys.implementation._mpy, 'platform', 'version', 'machine'}"""
        return self.eval(_INFO)

    def mac(self) -> bytes | None:
        """The board's MAC, also without our firmware on it (None if it cannot tell)."""
        mac = self.eval(MAC_PROBE)
        return mac if isinstance(mac, bytes) and len(mac) == 6 else None

    def hashes(self, files=(), dirs=()) -> dict[str, str | None]:
        """path -> sha256 hex (None: missing) for the files, and for every file under dirs."""
        return self.eval(_HASHES % (list(files), list(dirs)))

    def read(self, path: str) -> bytes | None:
        """A file's content; None if it does not exist."""
        with self._guard():
            try:
                return self.transport.fs_readfile(path, chunk_size=CHUNK)
            except serial.SerialException:
                raise
            except (OSError, TransportExecError):
                return None

    def write(self, path: str, data: bytes, atomic: bool = False) -> None:
        """Write a file, creating its directories. atomic: through a temporary file and a rename,
        so a reset mid-way leaves the old file (used for config.json)."""
        self.mkdirs(path.rpartition("/")[0])
        target = path + ".tmp" if atomic else path
        with self._guard():
            try:
                self.transport.fs_writefile(target, data, chunk_size=CHUNK)
            except serial.SerialException:
                raise
            except (OSError, TransportExecError) as e:  # the board's filesystem said no (full, read-only)
                raise ReallaborError("device.write_failed", EXIT_FAILED, details=[str(e)[-200:]], port=self.port,
                                     path=path)
        if atomic:
            self.exec("import os\nos.rename(%r, %r)" % (target, path))

    def remove(self, path: str) -> None:
        self.exec("import os\ntry:\n os.remove(%r)\nexcept OSError:\n pass" % path)

    def mkdirs(self, directory: str) -> None:
        if directory:
            self.exec(_MKDIRS % directory)

    def reboot(self) -> None:
        """Soft reset into a normal boot: boot.py and main.py run with the files as they are now."""
        with self._guard():
            self.transport.exit_raw_repl()
            self.transport.serial.write(b"\x04")  # Ctrl-D in the friendly REPL
        self._running_main = True

    def run_main(self, until, seconds: float) -> str:
        """Soft reset into a normal boot (main.py runs) and read the console until until(text) is
        true or seconds have passed -> what it printed. The board keeps running its program."""
        s = self.transport.serial
        out = bytearray()
        with self._guard():
            self.transport.exit_raw_repl()
            time.sleep(0.05)
            s.reset_input_buffer()
            s.write(b"\x04")
            self._running_main = True
            end = time.monotonic() + seconds
            while True:
                waiting = s.in_waiting
                if waiting:
                    out += s.read(waiting)
                text = out.decode("utf-8", "replace")
                if until(text) or time.monotonic() >= end:
                    return text
                if not waiting:
                    time.sleep(0.05)

    @contextlib.contextmanager
    def _guard(self):
        """A pulled cable or a board that resets mid-way shows up as serial errors."""
        try:
            yield
        except serial.SerialException as e:
            raise ReallaborError("device.lost", EXIT_FAILED, details=[str(e)], port=self.port)


def _open(port: str) -> SerialTransport:
    for _ in range(_OPEN_TRIES):  # a port can fail for a moment, e.g. just after a reset
        try:
            transport = SerialTransport(port, baudrate=115200)
        except TransportError:
            if not os.path.exists(port) and os.name == "posix":
                break
            time.sleep(0.1)
        else:
            # mpremote reads pseudo-terminals with blocking reads and no timeout, so a silent
            # board would hang it for ever; a read timeout lets its own overall timeouts work.
            transport.serial.timeout = READ_TIMEOUT_S  # mpremote opened it exclusively (pyserial's lock)
            return transport
    # Opening failed; open once more by hand to learn why (mpremote keeps only "failed to access").
    try:
        serial.Serial(port, exclusive=True).close() if os.name == "posix" else serial.Serial(port).close()
    except serial.SerialException as e:
        error = port_error(port, e)
    except ValueError as e:  # pyserial rejects some names outright
        raise ReallaborError("port.not_found", EXIT_BAD_INPUT, details=[str(e)], port=port)
    else:
        error = ReallaborError("port.busy", EXIT_FAILED, port=port)  # it was busy a moment ago
    users = port_users(port) if error.key == "port.busy" else []
    raise in_use(port, users) if users else error


def port_error(port: str, e: Exception) -> ReallaborError:
    code = getattr(e, "errno", None)
    text = str(e)
    if code == errno.ENOENT or "FileNotFoundError" in text:
        return ReallaborError("port.not_found", EXIT_BAD_INPUT, port=port)
    if code in (errno.EACCES, errno.EPERM):
        return ReallaborError("port.no_permission", EXIT_FAILED, port=port)
    if code in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EBUSY) or "PermissionError" in text:
        return ReallaborError("port.busy", EXIT_FAILED, port=port)  # Windows says "access denied" when busy
    return ReallaborError("port.failed", EXIT_FAILED, details=[text], port=port)


def port_users(port: str) -> list[tuple[int, str]]:
    """Other programs that have the port open, as (pid, name); Linux only (/proc), [] elsewhere.
    A virtual board's own process holds its pty's other end (the master) and is not counted."""
    if not sys.platform.startswith("linux"):
        return []
    real = os.path.realpath(port)
    index = real.rsplit("/", 1)[1] if real.startswith("/dev/pts/") else None
    users = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        holds = board_side = False
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:  # gone, or not ours to look at
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target == real:
                holds = True
            elif index is not None and target in ("/dev/ptmx", "/dev/pts/ptmx"):
                try:
                    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                        board_side = board_side or f"tty-index:\t{index}\n" in f.read()
                except OSError:
                    pass
        if holds and not board_side:
            try:
                with open(f"/proc/{pid}/comm") as f:
                    name = f.read().strip()
            except OSError:
                name = "?"
            users.append((int(pid), name))
    return users


def in_use(port: str, users: list[tuple[int, str]]) -> ReallaborError:
    return ReallaborError("port.in_use", EXIT_FAILED, port=port, programs=", ".join(f"{n} (PID {p})" for p, n in users),
                          count=len(users))


def mpy_version(mpy: int) -> tuple[int, int]:
    """sys.implementation._mpy -> (.mpy version, sub-version)"""
    return mpy & 0xFF, (mpy >> 8) & 3


def load_json(data: bytes | None):
    """A JSON file read from the board, or None if missing or not JSON."""
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None
