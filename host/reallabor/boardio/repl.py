"""A board's REPL through mpremote's Python API (raw REPL, raw-paste), with every failure a
technician can cause (wrong port, busy port, no permission, a board that does not answer, a cable
pulled mid-way) turned into a ReallaborError that says what to do next.

Device paths are relative ("lib/node/app.mpy"): on a board the working directory is the
filesystem root, on the virtual board it is the directory that plays the flash.
"""

import ast
import contextlib
import errno
import json
import os
import time

import serial
from mpremote import transport_serial
from mpremote.transport import TransportError, TransportExecError
from mpremote.transport_serial import SerialTransport

from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError

# mpremote prints the raw bytes it got before it raises "could not enter raw repl"; we report that
# failure ourselves, in words. Silencing its module (not sys.stdout, which batch threads share).
transport_serial.print = lambda *args, **kwargs: None

CHUNK = 1024  # bytes per raw-paste write; a board's REPL compiles each chunk as a bytes literal
_OPEN_TRIES = 3
READ_TIMEOUT_S = 5  # longest wait for one byte; far above what a board needs to answer

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


class Device:
    """with Device(port) as dev: ... -- enters the raw REPL with a soft reset, as mpremote does."""

    def __init__(self, port: str, timeout: float = 10):
        self.port = port
        self.timeout = timeout
        self.transport: SerialTransport | None = None

    def __enter__(self) -> "Device":
        self.transport = _open(self.port)
        try:
            self.enter_raw(soft_reset=True)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
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

    def boot_log(self, seconds: float) -> str:
        """Reboot, collect what the board prints for a few seconds, then stop the program and
        return to the raw REPL."""
        s = self.transport.serial
        with self._guard():
            self.transport.exit_raw_repl()
            time.sleep(0.05)
            s.reset_input_buffer()
            s.write(b"\x04")
            out = bytearray()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                waiting = s.in_waiting
                if waiting:
                    out += s.read(waiting)
                else:
                    time.sleep(0.02)
            s.write(b"\r\x03\x03")  # stop main.py
        self.enter_raw(soft_reset=False)
        return out.decode("utf-8", "replace")

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
            transport.serial.timeout = READ_TIMEOUT_S
            return transport
    # Opening failed; open once more by hand to learn why (mpremote keeps only "failed to access").
    try:
        serial.Serial(port, exclusive=True).close() if os.name == "posix" else serial.Serial(port).close()
    except serial.SerialException as e:
        raise port_error(port, e)
    except ValueError as e:  # pyserial rejects some names outright
        raise ReallaborError("port.not_found", EXIT_BAD_INPUT, details=[str(e)], port=port)
    raise ReallaborError("port.busy", EXIT_FAILED, port=port)  # it was busy a moment ago


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
