"""Flash MicroPython onto boards with esptool's Python API, one worker process per port.

Per port: connect and detect the chip (refused if the board definition names another one), read the
MAC, start esptool's flasher stub, erase, write the image at the board's offset (and with --with-app
a LittleFS image of the firmware) compressed, let esptool check the MD5, reset. A write that fails
at a high baud rate is retried at the next lower one. Each worker has its own esptool logger, so
progress from several ports never mixes; the parent draws one line per port and a summary table.
Errors come back as message keys, so every failure a technician can meet says what to do next.
"""

import multiprocessing
import os
import queue
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from reallabor import espimage
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, ReallaborError
from reallabor.i18n import msg

BAUDS = (921600, 460800, 115200)
SUPPORTED_BAUDS = (2000000, 1500000, 1000000, 921600, 460800, 230400, 115200)  # what the stubs and bridges do
ROM_BAUD = 115200  # every ESP32 ROM loader syncs at this rate
BY_PATH = Path("/dev/serial/by-path")
CHIP_NAMES = {"ESP32": "esp32", "ESP32-S2": "esp32s2", "ESP32-S3": "esp32s3", "ESP32-C3": "esp32c3",
              "ESP32-C2": "esp32c2", "ESP32-C6": "esp32c6", "ESP32-H2": "esp32h2"}


@dataclass(frozen=True)
class Job:
    """Everything a worker needs; plain data so it crosses the process boundary."""

    port: str
    board: str
    chip: str
    image: bytes
    offset: int
    app_files: dict | None = None  # path -> bytes for the LittleFS image, or None
    bauds: tuple = BAUDS
    connect_attempts: int = 7


@dataclass
class Result:
    port: str
    name: str = ""  # the stable name shown to people (by-path where the OS has it)
    ok: bool = False
    mac: str | None = None
    chip: str | None = None
    baud: int | None = None  # the rate the write succeeded at
    flash_size: int | None = None
    fs: tuple | None = None  # (offset, block count) of the LittleFS image written
    reset: bool = False  # False: the port has no reset lines, the technician presses RESET
    seconds: float = 0.0
    error: str | None = None  # message key
    params: dict = field(default_factory=dict)
    details: list = field(default_factory=list)  # esptool's last lines, for failures

    def message(self) -> str:
        return msg(self.error, **self.params) if self.error else ""


# -- ports ---------------------------------------------------------------------------------------

def stable_name(port: str) -> str:
    """The /dev/serial/by-path name of a device (it stays the same when boards are replugged in the
    same USB socket), or the name as given."""
    real = os.path.realpath(port)
    if BY_PATH.is_dir():
        for link in sorted(BY_PATH.iterdir()):
            if os.path.realpath(link) == real:
                return str(link)
    return port


def detected_ports() -> list[str]:
    """USB serial ports, under their stable names."""
    from serial.tools import list_ports

    return sorted(stable_name(p.device) for p in list_ports.comports() if p.vid is not None)


# -- one port (runs in a worker process) ---------------------------------------------------------

class _Failure(Exception):
    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def _classify(error: Exception) -> _Failure:
    """Map esptool's and pyserial's errors to what the technician has to do."""
    text = str(error)
    for needle, key in (
        ("Permission denied", "flash.permission"),
        ("exclusively lock", "flash.busy"),
        ("Device or resource busy", "flash.busy"),
        ("[Errno 2]", "flash.no_port"),
        ("FileNotFoundError", "flash.no_port"),
        ("Wrong boot mode", "flash.not_in_download_mode"),
        ("No serial data", "flash.no_data"),
        ("Failed to connect", "flash.no_data"),
        ("Invalid head of packet", "flash.noise"),
    ):
        if needle in text:
            return _Failure(key)
    return _Failure("flash.esptool", error=text.splitlines()[0] if text else type(error).__name__)


def _has_reset_lines(esp) -> bool:
    """True if the port can drive DTR/RTS (a USB-serial bridge); a pty or a bare UART cannot."""
    try:
        esp._port.cd  # TIOCMGET: refused with ENOTTY where there are no modem lines
        return True
    except OSError:
        return False


def flash_port(job: Job, report) -> Result:
    """Flash one board. report(stage_key, done, total) tells the parent how far it is."""
    log = _install_logger(lambda done, total: report("flash.stage.write", done, total))
    from esptool import cmds
    from esptool.util import FatalError, flash_size_bytes
    from serial import SerialException

    result = Result(job.port)
    started = time.monotonic()
    esp = None
    try:
        report("flash.stage.connect", 0, 0)
        try:
            esp = cmds.detect_chip(job.port, ROM_BAUD, "default-reset", connect_attempts=job.connect_attempts)
        except (FatalError, SerialException, OSError) as e:
            raise _classify(e) from e
        result.chip = CHIP_NAMES.get(esp.CHIP_NAME, esp.CHIP_NAME.lower())
        if result.chip != job.chip:
            raise _Failure("flash.wrong_chip", found=esp.CHIP_NAME, board=job.board,
                           expected=espimage.CHIP_TITLES.get(job.chip, job.chip))
        result.mac = ":".join(f"{b:02x}" for b in esp.read_mac("BASE_MAC"))
        esp = cmds.run_stub(esp)
        cmds.attach_flash(esp)
        result.flash_size = flash_size_bytes(cmds.detect_flash_size(esp) or "4MB")
        writes = _layout(job, result)
        report("flash.stage.erase", 0, 0)
        cmds.erase_flash(esp)
        esp = _write(esp, job, writes, result, report)
        report("flash.stage.reset", 0, 0)
        result.reset = _has_reset_lines(esp)
        # Without reset lines the stub reboots the chip by command: it comes back in the ROM loader
        # at 115200 Bd (the boot mode stays latched), so the technician only has to press RESET.
        cmds.reset_chip(esp, "hard-reset" if result.reset else "no-reset")
        result.ok = True
    except (_Failure, FatalError, SerialException, OSError) as e:
        failure = e if isinstance(e, _Failure) else _classify(e)
        result.error, result.params = failure.key, failure.params
        if failure.key in ("flash.esptool", "flash.write_failed"):  # show esptool's own account
            result.details = log.lines[-6:]
    finally:
        if esp is not None:
            esp._port.close()
        result.seconds = time.monotonic() - started
    return result


def _layout(job: Job, result: Result) -> list[tuple[int, bytes]]:
    """What goes where on this board's flash; refuses what does not fit."""
    image_end = job.offset + len(job.image)
    if image_end > result.flash_size:
        raise _Failure("flash.too_large", size=len(job.image), offset=f"{job.offset:#x}", flash=result.flash_size)
    writes = [(job.offset, job.image)]
    if job.app_files is not None:
        from reallabor import fsimage

        fs_offset, fs_size = espimage.filesystem_region(job.image, job.offset, result.flash_size)
        if image_end > fs_offset or fs_size < espimage.BLOCK:
            raise _Failure("flash.no_room_for_fs", size=len(job.image), offset=f"{job.offset:#x}",
                           fs_offset=f"{fs_offset:#x}", flash=result.flash_size)
        blocks = fs_size // espimage.BLOCK
        writes.append((fs_offset, fsimage.build(job.app_files, blocks)))
        result.fs = (fs_offset, blocks)
    return writes


def _write(esp, job: Job, writes, result: Result, report):
    """Write at the fastest rate that works; a failed write falls back to the next lower rate."""
    from esptool import cmds
    from esptool.util import FatalError

    for i, baud in enumerate(job.bauds):
        report("flash.stage.baud", baud, 0)
        try:
            if baud != esp.get_baud():
                esp.change_baud(baud)
            cmds.write_flash(esp, writes, compress=True)  # esptool checks the MD5 afterwards
            result.baud = baud
            return esp
        except FatalError as e:
            if i == len(job.bauds) - 1:
                raise _Failure("flash.write_failed", bauds=", ".join(str(b) for b in job.bauds),
                               error=str(e).splitlines()[0]) from e
    raise AssertionError("no baud rates given")


def _install_logger(on_progress):
    """Route esptool's output in this process into a list and its progress bars to on_progress.
    Installed before esptool is imported: some of its modules bind the logger at import time."""
    from esp_pylib.logger import EspLog, EspLogBase

    class Capture(EspLogBase):
        def __init__(self):
            self.lines = []

        def print(self, *args, **kwargs):
            text = " ".join(str(a) for a in args).strip()
            if text:
                self.lines.append(text)

        err = warn = note = hint = debug = print

        def set_verbosity(self, mode):
            pass

        def progress_bar(self, cur_iter, total_iters, prefix="", suffix="", bar_length=30):
            on_progress(cur_iter, total_iters)

    capture = Capture()
    EspLog.set_logger(capture)
    return capture


def _worker(job: Job, events) -> None:
    def report(stage, done, total):
        events.put(("stage", job.port, stage, done, total))

    try:
        result = flash_port(job, report)
    except Exception as e:  # a bug, not a board problem: still report it for this port only
        result = Result(job.port, error="flash.internal", params={"error": repr(e)})
    events.put(("done", job.port, result))


# -- many ports (the parent) ---------------------------------------------------------------------

class Progress:
    """One line per port: redrawn in place on a terminal, printed on each new stage otherwise."""

    def __init__(self, ports: list[str], stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.names = {p: stable_name(p) for p in ports}
        self.lines = {p: msg("flash.stage.waiting") for p in ports}
        self.width = max(len(n) for n in self.names.values())
        self.drawn = False
        self.last_stage: dict[str, str] = {}
        self.baud: dict[str, int] = {}

    def update(self, port: str, stage: str, done: int, total: int) -> None:
        if stage == "flash.stage.baud":
            self.baud[port] = done
            text = msg(stage, baud=done)
        elif stage == "flash.stage.write":
            text = msg(stage, percent=int(100 * done / total) if total else 0, baud=self.baud.get(port, "?"))
        else:
            text = msg(stage)
        self.lines[port] = text
        if self.tty:
            self._redraw()
        elif self.last_stage.get(port) != stage or (stage == "flash.stage.write" and done == total):
            print(f"{self.names[port]:{self.width}}  {text}", file=self.stream, flush=True)
        self.last_stage[port] = stage

    def _redraw(self) -> None:
        out = [f"\x1b[{len(self.lines)}F"] if self.drawn else []
        out += [f"\x1b[2K{self.names[p]:{self.width}}  {t}\n" for p, t in self.lines.items()]
        self.stream.write("".join(out))
        self.stream.flush()
        self.drawn = True


def flash_many(jobs: list[Job], progress: Progress | None = None) -> list[Result]:
    """Run one worker process per job; a failing port does not stop the others."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that may run threads
    events = context.Queue()
    workers = {job.port: context.Process(target=_worker, args=(job, events), daemon=True) for job in jobs}
    for w in workers.values():
        w.start()
    results: dict[str, Result] = {}
    try:
        while len(results) < len(jobs):
            try:
                event = events.get(timeout=0.5)
            except queue.Empty:
                for port, w in workers.items():  # a worker that died without a word
                    if port not in results and not w.is_alive() and w.exitcode not in (0, None):
                        results[port] = Result(port, error="flash.internal",
                                               params={"error": f"exit code {w.exitcode}"})
                continue
            if event[0] == "stage" and progress:
                progress.update(*event[1:])
            elif event[0] == "done":
                results[event[1]] = event[2]
                if progress:
                    r = event[2]
                    progress.update(event[1], "flash.stage.ok" if r.ok else "flash.stage.failed", 0, 0)
    finally:
        for w in workers.values():
            w.join(timeout=5)
            if w.is_alive():
                w.terminate()
    for r in results.values():
        r.name = stable_name(r.port)
    return [results[job.port] for job in jobs]


def summary(results: list[Result]) -> list[str]:
    """The table printed at the end: one row per port, then what to do for each failure."""
    head = (msg("flash.col.port"), msg("flash.col.mac"), msg("flash.col.chip"), msg("flash.col.baud"),
            msg("flash.col.time"), msg("flash.col.result"))
    rows = [(r.name, r.mac or "-", r.chip or "-", str(r.baud or "-"), f"{r.seconds:.1f} s",
             msg("flash.result.ok") if r.ok else msg("flash.result.failed")) for r in results]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in [head, *rows]]
    for r in results:
        if not r.ok:
            lines.append(f"{r.name}: {r.message()}")
            lines += [f"    {d}" for d in r.details]
        elif not r.reset:
            lines.append(f"{r.name}: {msg('flash.press_reset')}")
    return lines


# -- preparation (before any port is touched) ----------------------------------------------------

def prepare(board, image: bytes, image_name: str, with_app: bool) -> tuple[bytes, dict | None]:
    """Refuse an image for another chip, or one that cannot fit the board, before anything is
    written; build the app files once for all ports."""
    chip = espimage.image_chip(image, image_name)
    if chip != board.chip:
        raise ReallaborError("flash.image_wrong_chip", EXIT_BAD_INPUT, path=image_name,
                             found=espimage.CHIP_TITLES.get(chip, chip), board=board.name,
                             expected=espimage.CHIP_TITLES.get(board.chip, board.chip))
    if board.flash_offset + len(image) > board.flash_size:
        raise ReallaborError("flash.image_too_large", EXIT_BAD_INPUT, path=image_name, size=len(image),
                             offset=f"{board.flash_offset:#x}", flash=board.flash_size, board=board.name)
    app = None
    if with_app:
        from reallabor import fsimage

        app = fsimage.app_files(board)
    return image, app


def run(board, image: bytes, image_name: str, ports: list[str], with_app: bool = False,
        bauds: tuple = BAUDS, connect_attempts: int = 7, stream=None) -> list[Result]:
    """The whole `reallabor flash`: check, flash all ports in parallel, print the summary; raises
    if any port failed (after all of them finished)."""
    if not ports:
        raise ReallaborError("flash.no_ports", EXIT_BAD_INPUT)
    if len(set(ports)) != len(ports):
        raise ReallaborError("flash.port_twice", EXIT_BAD_INPUT)
    image, app = prepare(board, image, image_name, with_app)
    if not bauds or any(b not in SUPPORTED_BAUDS for b in bauds):
        raise ReallaborError("flash.bad_baud", EXIT_BAD_INPUT, bauds=", ".join(map(str, SUPPORTED_BAUDS)))
    jobs = [Job(p, board.name, board.chip, image, board.flash_offset, app, tuple(bauds), connect_attempts)
            for p in ports]
    stream = stream or sys.stdout
    results = flash_many(jobs, Progress(ports, stream))
    for line in summary(results):
        print(line, file=stream)
    failed = [r for r in results if not r.ok]
    if failed:
        raise ReallaborError("flash.some_failed", EXIT_FAILED, failed=len(failed), total=len(results))
    return results
