"""Flash MicroPython onto boards with esptool's Python API, one worker process per port.

Per port: connect and detect the chip (refused if the board definition names another one), read the
MAC, start esptool's flasher stub, erase, write the image at the board's offset (and with --with-app
a LittleFS image of the firmware) compressed, let esptool check the MD5, reset. A write that fails
at a high baud rate is retried at the next lower one. Each port gets its own worker process, because
esptool's logger is one per process: progress from several ports never mixes. The ports come back
as Results (errors as message keys, so every failure a technician can meet says what to do next);
drawing them is the many-ports renderer's job (reallabor.boardio.ports).
"""

import multiprocessing
import queue
import signal
import time
from dataclasses import dataclass, field

from reallabor import chips, espimage
from reallabor.errors import EXIT_BAD_INPUT, EXIT_FAILED, Cancelled, ReallaborError
from reallabor.firmware import devicecode, layout

BAUDS = (921600, 460800, 115200)
SUPPORTED_BAUDS = (2000000, 1500000, 1000000, 921600, 460800, 230400, 115200)  # what the stubs and bridges do
ROM_BAUD = 115200  # every ESP32 ROM loader syncs at this rate


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


def _connect(job: Job, result: Result, report):
    """The ROM bootloader on the job's port; the chip it names goes into result."""
    from esptool import cmds
    from esptool.util import FatalError
    from serial import SerialException

    report("flash.stage.connect")
    try:
        esp = cmds.detect_chip(job.port, ROM_BAUD, "default-reset", connect_attempts=job.connect_attempts)
    except (FatalError, SerialException, OSError) as e:
        raise _classify(e) from e
    found = chips.by_title(esp.CHIP_NAME)
    result.chip = found.name if found else esp.CHIP_NAME.lower()
    return esp


def flash_port(job: Job, report, learnt=lambda **columns: None) -> Result:
    """Flash one board. report(stage_key, **params) tells the parent how far it is, learnt(mac=...,
    chip=...) what it found out on the way."""
    log = _install_logger(lambda done, total: report("flash.stage.write", percent=int(100 * done / total) if total
                                                     else 0))
    from esptool import cmds
    from esptool.util import FatalError, flash_size_bytes
    from serial import SerialException

    result = Result(job.port)
    started = time.monotonic()
    esp = None
    try:
        esp = _connect(job, result, report)
        if result.chip != job.chip:
            raise _Failure("flash.wrong_chip", found=esp.CHIP_NAME, board=job.board, expected=chips.title(job.chip))
        result.mac = devicecode.ident().mac_text(esp.read_mac("BASE_MAC"))
        learnt(mac=result.mac, chip=result.chip)
        esp = cmds.run_stub(esp)
        cmds.attach_flash(esp)
        result.flash_size = flash_size_bytes(cmds.detect_flash_size(esp) or "4MB")
        writes = _layout(job, result)
        report("flash.stage.erase")
        cmds.erase_flash(esp)
        esp = _write(esp, job, writes, result, report)
        report("flash.stage.reset")
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


def identify_port(job: Job, report, learnt=lambda **columns: None) -> Result:
    """Ask the ROM bootloader which chip and MAC a port has, and how much flash; nothing is
    written. Afterwards the board is reset into its firmware where the port has reset lines (a
    board without them stays in download mode until RESET is pressed)."""
    _install_logger(lambda done, total: None)
    from esptool import cmds
    from esptool.util import FatalError, flash_size_bytes
    from serial import SerialException

    result = Result(job.port)
    started = time.monotonic()
    esp = None
    try:
        esp = _connect(job, result, report)
        result.mac = devicecode.ident().mac_text(esp.read_mac("BASE_MAC"))
        learnt(mac=result.mac, chip=result.chip)
        try:
            result.flash_size = flash_size_bytes(cmds.detect_flash_size(esp) or "")
        except (FatalError, SerialException, OSError, TypeError, ValueError):
            result.flash_size = None  # some ROMs cannot tell without the stub: not needed here
        result.reset = _has_reset_lines(esp)
        cmds.reset_chip(esp, "hard-reset" if result.reset else "no-reset")
        result.ok = True
    except (_Failure, FatalError, SerialException, OSError) as e:
        failure = e if isinstance(e, _Failure) else _classify(e)
        result.error, result.params = failure.key, failure.params
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
        from reallabor.firmware import fsimage

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
        report("flash.stage.baud", baud=baud)
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


_TASKS = {"flash": flash_port, "identify": identify_port}


def _worker(job: Job, events, task: str = "flash") -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it ends us

    def report(stage, **params):
        events.put(("stage", stage, params))

    try:
        result = _TASKS[task](job, report, lambda **columns: events.put(("found", columns)))
    except Exception as e:  # a bug, not a board problem: still report it for this port only
        result = Result(job.port, error="flash.internal", params={"error": repr(e)})
    events.put(("done", result))


def _start_shielded(process) -> None:
    """Start a worker with SIGINT blocked. The mask is inherited over fork and exec, so a Ctrl-C in
    the terminal (which reaches the whole process group) cannot hit the worker while it starts up,
    before it ignores SIGINT itself; the parent alone handles Ctrl-C and ends its workers."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no process groups that share Ctrl-C like this
        process.start()
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def flash_in_process(job: Job, progress, task: str = "flash") -> Result:
    """Flash one port in a worker process of its own; progress(stage_key, **params) as it goes.
    When the batch is cancelled (progress.cancelled, or progress raising Cancelled), the worker is
    terminated at once and Cancelled raised: the board is then half-written, and says so.
    task "identify": only ask the ROM bootloader (identify_port)."""
    context = multiprocessing.get_context("spawn")  # no fork of a process that runs threads
    events = context.Queue()
    worker = context.Process(target=_worker, args=(job, events, task), daemon=True)
    _start_shielded(worker)
    finished = False
    try:
        while True:
            if getattr(progress, "cancelled", False):
                raise Cancelled()
            try:
                event = events.get(timeout=0.2)
            except queue.Empty:
                if not worker.is_alive():  # died without a word
                    finished = True
                    return Result(job.port, error="flash.internal", params={"error": f"exit code {worker.exitcode}"})
                continue
            if event[0] == "stage":
                progress(event[1], **event[2])
            elif event[0] == "found":
                getattr(progress, "found", lambda **columns: None)(**event[1])
            else:
                finished = True
                return event[1]
    finally:
        if not finished:
            worker.terminate()  # SIGTERM: the worker ends where it is, without a word
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
        events.close()


def identify(port: str, progress, connect_attempts: int = 3) -> Result:
    """The chip and MAC of the board on a port, from its ROM bootloader, in a worker process."""
    return flash_in_process(Job(port, "", "", b"", 0, connect_attempts=connect_attempts), progress, "identify")


def port_job(jobs: dict[str, Job], virtual: frozenset = frozenset()):
    """The job for reallabor.boardio.ports.run: flash a port, return its table columns, or raise
    its failure (with the columns found so far). virtual: ports that are virtual boards, whose
    RESET button is the Enter key in their own terminal."""

    def job(port: str, progress) -> dict:
        r = flash_in_process(jobs[port], progress)
        columns = {"mac": r.mac, "chip": r.chip, "baud": r.baud, "seconds": f"{r.seconds:.1f} s"}
        if r.error == "flash.no_port":  # unplugged since the command started: one message for it everywhere
            raise ReallaborError("port.not_found", EXIT_BAD_INPUT, port=port)
        if not r.ok:
            error = ReallaborError(r.error, EXIT_FAILED, details=r.details, **r.params)
            error.columns = columns
            raise error
        if r.reset:
            return columns
        return {**columns, "notes": [("flash.press_reset_virtual" if port in virtual else "flash.press_reset", {})]}

    return job


def after_interrupt(outcome, board: str) -> list[tuple[str, dict]]:
    """What to do about a port that Ctrl-C stopped (an Outcome of reallabor.boardio.ports)."""
    if outcome.reached("flash.stage.reset") is not None:  # everything written and checked
        return [("flash.stopped_at_reset", {})]
    if outcome.reached("flash.stage.erase") is not None:  # erased, maybe half-written: no firmware on it
        return [("flash.stopped_half", {"port": outcome.port, "board": board})]
    return [("flash.stopped_before", {"port": outcome.port, "board": board})]


# -- preparation (before any port is touched) ----------------------------------------------------

def parse_bauds(text: str) -> tuple[int, ...]:
    """--baud "921600,460800,115200" -> the rates, fastest first as given; only rates the stubs and
    USB bridges support."""
    tokens = [t.strip() for t in text.split(",")]
    bauds = tuple(int(t) for t in tokens if t.isascii() and t.isdigit())
    if len(bauds) != len(tokens) or not bauds or any(b not in SUPPORTED_BAUDS for b in bauds):
        raise ReallaborError("flash.bad_baud", EXIT_BAD_INPUT, bauds=", ".join(map(str, SUPPORTED_BAUDS)))
    return bauds


def prepare(board, image: bytes, image_name: str, ports: list[str], with_app: bool = False,
            bauds: tuple = BAUDS, connect_attempts: int = 7) -> dict[str, Job]:
    """Refuse an image for another chip, or one that cannot fit the board, before anything is
    written; build the filesystem's files once for all ports (the same files deploy writes, the
    manifest included, so provision accepts the board at once). -> a Job per port."""
    chip = espimage.image_chip(image, image_name)
    if chip != board.chip:
        raise ReallaborError("flash.image_wrong_chip", EXIT_BAD_INPUT, path=image_name, found=chips.title(chip),
                             board=board.name, expected=chips.title(board.chip))
    if board.flash_offset + len(image) > board.flash_size:
        raise ReallaborError("flash.image_too_large", EXIT_BAD_INPUT, path=image_name, size=len(image),
                             offset=f"{board.flash_offset:#x}", flash=board.flash_size, board=board.name)
    app = layout.board_files(board) if with_app else None
    return {p: Job(p, board.name, board.chip, image, board.flash_offset, app, tuple(bauds), connect_attempts)
            for p in ports}
