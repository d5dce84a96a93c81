"""A simulated ESP32 ROM serial bootloader on a pseudo-terminal, so real esptool can flash a board
that does not exist. Its SPI flash is a file, so a test can compare what was written byte for byte.

A simulated board stands for a board whose BOOT pin (GPIO0) is held low at power-on: it starts in
the ROM's download mode, and the loader's own reset commands land there again at 115200 Bd. There
are no DTR/RTS lines on a pty, so its RESET button is press_reset(): with BOOT held the download
mode again, without it the board boots what was flashed. A valid image for the chip at the image
offset starts MicroPython (the unix port, as a VirtualBoard on this same port) whose filesystem is
the flash's LittleFS partition as written: empty after a plain flash (MicroPython formats it at its
first boot), the firmware after `flash --with-app`. What the board writes there goes back into the
flash file when it is reset again or stopped.

Commands (byte, as in esptool's docs/en/advanced-topics/serial-protocol.rst):
  ROM loader and stub  SYNC 0x08 (answers 8 times, autobaud), READ_REG 0x0A, WRITE_REG 0x09
                       (emulates the SPI0 user-command registers: JEDEC ID 0x9F, SFDP 0x5A),
                       SPI_ATTACH 0x0D, SPI_SET_PARAMS 0x0B, CHANGE_BAUDRATE 0x0F,
                       FLASH_BEGIN/DATA/END 0x02/0x03/0x04, FLASH_DEFL_BEGIN/DATA/END 0x10/0x11/0x12,
                       SPI_FLASH_MD5 0x13, MEM_BEGIN/DATA/END 0x05/0x07/0x06 (the stub upload:
                       the stub is not executed, the loader answers OHAI and speaks stub protocol)
  ROM of S3 and C3     GET_SECURITY_INFO 0x14 (carries the chip id; the ESP32 ROM refuses it, so
                       esptool reads the magic word at 0x40001000 instead)
  stub only            ERASE_FLASH 0xD0, ERASE_REGION 0xD1
Not implemented (answered as invalid): READ_FLASH_SLOW 0x0E, READ_FLASH 0xD2, RUN_USER_CODE 0xD3,
the secure download and NAND commands.

Differences between ROM and stub that esptool relies on: 4 status bytes (ROM) or 2 (stub); the MD5
as 32 hex digits (ROM) or 16 raw bytes (stub); ROM status (1, code 0x05-0x0B), stub status (code 0xC0-0xC9, 0).
Flash behaves like NOR flash: writing can only clear bits, so a region that was not erased first
reads back wrong and esptool's MD5 check fails, as on a real chip.

Faults for tests: `max_baud` corrupts long packets above that rate (a flaky cable: each data block
then fails its checksum), `silent` never answers (board not in download mode, or a charge-only
cable). The link follows the host's real port speed (read from the pty's termios): bytes sent at a
speed the chip is not using are lost, as on a UART. `pace` adds the time the bytes would take on a
real UART, for benchmarks.
"""

import hashlib
import os
import pty
import select
import shutil
import struct
import tempfile
import termios
import threading
import time
import tty
import zlib
from dataclasses import dataclass
from pathlib import Path

from reallabor import espimage
from reallabor.chips import CHIPS, Chip
from reallabor.errors import ReallaborError
from reallabor.firmware import fsimage

SECTOR = 0x1000
_SYNC_DATA = b"\x07\x07\x12\x20" + b"\x55" * 32
_CHECKSUM_SEED = 0xEF
_LONG_PACKET = 256  # the fault model garbles packets longer than this (data blocks, not commands)

# commands
_FLASH_BEGIN, _FLASH_DATA, _FLASH_END = 0x02, 0x03, 0x04
_MEM_BEGIN, _MEM_END, _MEM_DATA = 0x05, 0x06, 0x07
_SYNC, _WRITE_REG, _READ_REG = 0x08, 0x09, 0x0A
_SPI_SET_PARAMS, _SPI_ATTACH, _CHANGE_BAUDRATE = 0x0B, 0x0D, 0x0F
_FLASH_DEFL_BEGIN, _FLASH_DEFL_DATA, _FLASH_DEFL_END = 0x10, 0x11, 0x12
_SPI_FLASH_MD5, _GET_SECURITY_INFO = 0x13, 0x14
_ERASE_FLASH, _ERASE_REGION = 0xD0, 0xD1

# error codes: (ROM, stub)
_E_INVALID = (0x05, 0xC3)  # invalid message / invalid command
_E_FAILED = (0x06, 0xC4)  # failed to act / failed SPI operation
_E_CHECKSUM = (0x07, 0xC1)
_E_LENGTH = (0x05, 0xC0)
_E_INFLATE = (0x0B, 0xC7)
_E_NOT_IN_FLASH_MODE = (0x05, 0xC6)

# SPI0 user-command bits (ESP32 TRM, SPI_CMD_REG / SPI_USER_REG)
_SPI_CMD_USR = 1 << 18
_SPI_USR_MISO = 1 << 28
_SPI_USR_ADDR = 1 << 30

# What a GigaDevice GD25Q-series part answers: JEDEC manufacturer 0xC8, memory type 0x40, and the
# capacity byte log2(size). SFDP: signature, revision 1.6, two parameter headers (JEDEC basic and
# the vendor's own, whose id byte 0xC8 sits at 0x10 where esptool looks for XMC parts).
_JEDEC_MANUFACTURER, _JEDEC_TYPE = 0xC8, 0x40
_SFDP = b"SFDP\x06\x01\x01\xff" + b"\x00\x06\x01\x10\x30\x00\x00\xff" + b"\xc8\x00\x01\x03\x60\x00\x00\xff"


_ROM_FLASH_SIZE = 2 * 1024 * 1024  # what the ROM assumes until SPI_SET_PARAMS says otherwise

_SPEEDS = {getattr(termios, n): int(n[1:]) for n in dir(termios) if n.startswith("B") and n[1:].isdigit()}


def checksum(data: bytes) -> int:
    value = _CHECKSUM_SEED
    for b in data:
        value ^= b
    return value


def slip_encode(packet: bytes) -> bytes:
    return b"\xc0" + packet.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0"


def slip_decode(frame: bytes) -> bytes:
    return frame.replace(b"\xdb\xdc", b"\xc0").replace(b"\xdb\xdd", b"\xdb")


class Flash:
    """SPI NOR flash backed by a file: erase sets 0xFF, programming can only clear bits."""

    def __init__(self, path: Path, size: int):
        self.path, self.size = Path(path), size
        if not self.path.exists() or self.path.stat().st_size != size:
            self.path.write_bytes(b"\xff" * size)
        self._fd = os.open(self.path, os.O_RDWR)

    def close(self) -> None:
        os.close(self._fd)

    def read(self, offset: int, length: int) -> bytes:
        return os.pread(self._fd, length, offset)

    def erase(self, offset: int, length: int) -> None:
        start = offset - offset % SECTOR
        end = min(-(-(offset + length) // SECTOR) * SECTOR, self.size)
        if end > start:
            os.pwrite(self._fd, b"\xff" * (end - start), start)

    def program(self, offset: int, data: bytes) -> None:
        old = self.read(offset, len(data))
        if old != b"\xff" * len(data):
            data = (int.from_bytes(old, "little") & int.from_bytes(data, "little")).to_bytes(len(data), "little")
        os.pwrite(self._fd, data, offset)


class LoaderError(Exception):
    def __init__(self, codes: tuple[int, int]):
        super().__init__(codes)
        self.codes = codes


class Bootloader:
    """The protocol state machine of one chip, independent of the transport (testable on bytes)."""

    def __init__(self, chip: Chip, flash: Flash, mac: bytes):
        self.chip, self.flash, self.mac = chip, flash, mac
        self.events: list[str] = []  # what happened, for tests and the virtual board's log
        self._op = 0
        self._after_reply = None
        self.reset("power-on")

    def reset(self, why: str) -> None:
        self.stub = False
        self.synced = False
        self.baud: int | None = None  # None until a SYNC sets it (the ROM detects the rate)
        self.attached = False
        self.rom_flash_size = _ROM_FLASH_SIZE
        self.regs: dict[int, int] = dict(self.chip.rom.fixed)
        word_hi, word_lo = self.chip.rom.mac_regs
        self.regs[word_hi] = int.from_bytes(self.mac[2:6], "big")
        self.regs[word_lo] = int.from_bytes(self.mac[0:2], "big")
        self.write: dict | None = None
        self.mem: dict | None = None
        self.events.append(f"reset:{why}")

    # -- packets ------------------------------------------------------------------------------

    def handle(self, packet: bytes) -> list[bytes]:
        """One decoded request -> the packets to send back (unencoded). Call settle() once they
        are sent: a new baud rate or a reset takes effect only after the reply went out."""
        self._after_reply = None
        if len(packet) < 8 or packet[0] != 0x00:
            return []
        op, size, chk = struct.unpack_from("<xBHI", packet)
        self._op = op
        data = packet[8:]
        if len(data) != size:
            return [self._reply(op, error=_E_LENGTH)]
        if not self.synced:
            if op != _SYNC or data != _SYNC_DATA:
                return []  # the ROM waits for a SYNC to learn the baud rate
        try:
            if op == _SYNC:
                if data != _SYNC_DATA:
                    raise LoaderError(_E_INVALID)
                self.synced = True
                value = 0 if self.stub else 0x20120707
                return [self._reply(op, value=value)] * 8
            handler = self._handlers().get(op)
            if handler is None:
                raise LoaderError(_E_INVALID)
            result = handler(data, chk)
        except LoaderError as e:
            return [self._reply(op, error=e.codes)]
        except struct.error:
            return [self._reply(op, error=_E_LENGTH)]
        if isinstance(result, list):  # MEM_END starting the stub: the reply, then its greeting
            return result
        value, body = result if isinstance(result, tuple) else (0, result or b"")
        return [self._reply(op, value=value, body=body)]

    def _reply(self, op: int, value: int = 0, body: bytes = b"", error: tuple[int, int] | None = None) -> bytes:
        if self.stub:  # the stub puts its error code in the first status byte
            status = bytes([error[1], 0]) if error else b"\x00\x00"
        else:  # the ROM: failure flag, error code, two reserved bytes
            status = bytes([1, error[0], 0, 0]) if error else b"\x00" * 4
        payload = body + status
        return struct.pack("<BBHI", 0x01, op, len(payload), value) + payload

    def _handlers(self) -> dict:
        h = {
            _READ_REG: self._read_reg, _WRITE_REG: self._write_reg,
            _SPI_ATTACH: self._spi_attach, _SPI_SET_PARAMS: self._spi_set_params,
            _CHANGE_BAUDRATE: self._change_baudrate,
            _FLASH_BEGIN: self._flash_begin, _FLASH_DATA: self._flash_data, _FLASH_END: self._flash_end,
            _FLASH_DEFL_BEGIN: self._flash_begin, _FLASH_DEFL_DATA: self._flash_data,
            _FLASH_DEFL_END: self._flash_end, _SPI_FLASH_MD5: self._md5,
            _MEM_BEGIN: self._mem_begin, _MEM_DATA: self._mem_data, _MEM_END: self._mem_end,
        }
        if self.chip.rom.magic is None:
            h[_GET_SECURITY_INFO] = self._security_info
        if self.stub:
            h[_ERASE_FLASH] = self._erase_flash
            h[_ERASE_REGION] = self._erase_region
        return h

    # -- registers ----------------------------------------------------------------------------

    def _read_reg(self, data: bytes, _chk: int):
        (addr,) = struct.unpack("<I", data)
        if addr == 0x40001000 and self.chip.rom.magic is not None:
            return self.chip.rom.magic, b""
        if addr == self.chip.rom.uart_clkdiv:  # the divider the UART would use at this baud
            return round(40_000_000 / (self.baud or 115200)), b""
        return self.regs.get(addr, 0), b""

    def _write_reg(self, data: bytes, _chk: int):
        if len(data) % 16:
            raise LoaderError(_E_LENGTH)
        for i in range(0, len(data), 16):
            addr, value, mask, _delay = struct.unpack_from("<IIII", data, i)
            self.regs[addr] = (self.regs.get(addr, 0) & ~mask) | (value & mask)
            if addr == self.chip.rom.spi_base and self.regs[addr] & _SPI_CMD_USR:
                self._spi_user_command()
        return b""

    def _spi_user_command(self) -> None:
        c, base = self.chip.rom, self.chip.rom.spi_base
        usr = self.regs.get(base + c.spi_usr, 0)
        command = self.regs.get(base + c.spi_usr2, 0) & 0xFF
        read_bits = self.regs.get(base + c.spi_miso_dlen, 0) + 1 if usr & _SPI_USR_MISO else 0
        addr = self.regs.get(base + 0x04, 0)
        if usr & _SPI_USR_ADDR and c.addr_msb:
            addr_len = ((self.regs.get(base + c.spi_usr1, 0) >> 26) & 0x3F) + 1
            addr >>= 32 - addr_len
        if command == 0x9F:  # RDID
            answer = bytes([_JEDEC_MANUFACTURER, _JEDEC_TYPE, self.flash.size.bit_length() - 1])
        elif command == 0x5A:  # RDSFDP
            answer = (_SFDP + b"\xff" * 64)[addr:addr + 4]
        else:  # write enable, reset, status: nothing to read back
            answer = b""
        word = int.from_bytes(answer.ljust(4, b"\x00")[:4], "little")
        self.regs[base + c.spi_w0] = word & ((1 << read_bits) - 1) if read_bits else 0
        self.regs[base] &= ~_SPI_CMD_USR  # done at once

    def _security_info(self, _data: bytes, _chk: int):
        # flags, flash_crypt_cnt, 7 key purposes, chip id, ECO version: nothing secured
        return struct.pack("<IBBBBBBBBII", 0, 0, 0, 0, 0, 0, 0, 0, 0, self.chip.image_id, 0)

    # -- flash ---------------------------------------------------------------------------------

    def _spi_attach(self, data: bytes, _chk: int):
        if len(data) != (4 if self.stub else 8):
            raise LoaderError(_E_LENGTH)
        self.attached = True
        return b""

    def _spi_set_params(self, data: bytes, _chk: int):
        _id, total, _block, _sector, _page, _mask = struct.unpack("<IIIIII", data)
        self.rom_flash_size = total
        return b""

    def _check_range(self, offset: int, length: int) -> None:
        if length and (not self.attached or offset + length > min(self.rom_flash_size, self.flash.size)):
            raise LoaderError(_E_FAILED)

    def _flash_begin(self, data: bytes, _chk: int):
        size, blocks, block_size, offset = struct.unpack_from("<IIII", data)
        self._check_range(offset, size)
        self.flash.erase(offset, size)
        compressed = self._op == _FLASH_DEFL_BEGIN
        self.write = {
            "offset": offset, "cursor": offset, "seq": 0, "blocks": blocks, "block_size": block_size,
            "inflate": zlib.decompressobj() if compressed else None, "end": offset + size,
        }
        self.events.append(f"{'defl_' if compressed else ''}begin:{offset:#x}+{size:#x}")
        return b""

    def _flash_data(self, data: bytes, chk: int):
        w = self.write
        length, seq = struct.unpack_from("<II", data)
        block = data[16:]
        if w is None or (w["inflate"] is None) != (self._op == _FLASH_DATA):
            raise LoaderError(_E_NOT_IN_FLASH_MODE)
        if length != len(block):
            raise LoaderError(_E_LENGTH)
        if checksum(block) != chk & 0xFF:
            raise LoaderError(_E_CHECKSUM)
        if seq != w["seq"]:
            raise LoaderError(_E_INVALID)
        if w["inflate"] is not None:
            try:
                block = w["inflate"].decompress(block)
            except zlib.error:
                raise LoaderError(_E_INFLATE) from None
        else:
            w["cursor"] = w["offset"] + seq * w["block_size"]
        self._check_range(w["cursor"], len(block))
        self.flash.program(w["cursor"], block)
        w["cursor"] += len(block)
        w["seq"] += 1
        return b""

    def _flash_end(self, data: bytes, _chk: int):
        (run_user_code,) = struct.unpack("<I", data)
        self.write = None
        if self.stub and run_user_code:
            return b""  # the stub stays; only a reboot leaves it
        # Leaving the loader: the chip resets, and with BOOT held it is back in download mode.
        self._after_reply = lambda: self.reset("loader-exit" if run_user_code else "software")
        return b""

    def _md5(self, data: bytes, _chk: int):
        addr, size, _, _ = struct.unpack("<IIII", data)
        self._check_range(addr, size)
        digest = hashlib.md5(self.flash.read(addr, size))
        return digest.digest() if self.stub else digest.hexdigest().encode()

    def _erase_flash(self, _data: bytes, _chk: int):
        self.flash.erase(0, self.flash.size)
        self.events.append("erase_flash")
        return b""

    def _erase_region(self, data: bytes, _chk: int):
        offset, size = struct.unpack("<II", data)
        if offset % SECTOR or size % SECTOR:
            raise LoaderError(_E_LENGTH)
        self._check_range(offset, size)
        self.flash.erase(offset, size)
        return b""

    def _change_baudrate(self, data: bytes, _chk: int):
        new, _old = struct.unpack("<II", data)
        self._after_reply = lambda: setattr(self, "baud", new)  # the reply still goes at the old rate
        self.events.append(f"baud:{new}")
        return b""

    # -- RAM download (the stub) ---------------------------------------------------------------

    def _mem_begin(self, data: bytes, _chk: int):
        size, blocks, block_size, offset = struct.unpack("<IIII", data)
        self.mem = {"size": size, "blocks": blocks, "block_size": block_size, "seq": 0, "received": 0}
        return b""

    def _mem_data(self, data: bytes, chk: int):
        length, seq = struct.unpack_from("<II", data)
        block = data[16:]
        if self.mem is None:
            raise LoaderError(_E_NOT_IN_FLASH_MODE)
        if length != len(block) or length > self.mem["block_size"]:
            raise LoaderError(_E_LENGTH)
        if checksum(block) != chk & 0xFF:
            raise LoaderError(_E_CHECKSUM)
        if seq != self.mem["seq"]:
            raise LoaderError(_E_INVALID)
        self.mem["seq"] += 1
        self.mem["received"] += length
        return b""

    def _mem_end(self, data: bytes, _chk: int):
        no_entry, entry = struct.unpack("<II", data)
        if self.mem is None or self.mem["received"] != self.mem["size"]:
            raise LoaderError(_E_FAILED)
        self.mem = None
        if no_entry or self.stub:
            return b""
        reply = self._reply(_MEM_END)
        self.stub = True
        self.attached = True  # the stub attaches the flash itself when it starts
        self.events.append(f"stub:{entry:#x}")
        return [reply, b"OHAI"]

    def settle(self) -> None:
        if self._after_reply:
            self._after_reply()
            self._after_reply = None


@dataclass
class Faults:
    max_baud: int | None = None  # above this rate long packets arrive corrupted
    silent: bool = False  # never answers


class BootloaderBoard:
    """One simulated board on a pty: `path` is the port to hand to esptool."""

    def __init__(self, chip: str, flash_file: Path, flash_size: int = 4 * 1024 * 1024,
                 mac: bytes = bytes.fromhex("240ac4000001"), faults: Faults | None = None,
                 link: Path | None = None, pace: bool = False, env: dict | None = None):
        self.flash = Flash(flash_file, flash_size)
        self.loader = Bootloader(CHIPS[chip], self.flash, mac)
        self.faults = faults or Faults()
        self.pace = pace
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)  # no echo or line editing before the host opens the port
        self.device = os.ttyname(self._slave)
        self.link = Path(link) if link else None
        if self.link:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            self.link.unlink(missing_ok=True)
            self.link.symlink_to(self.device)
        self.path = str(self.link or self.device)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._line_free_at = 0.0
        self.app = None  # the VirtualBoard running the flashed firmware, after a reset without BOOT
        self.app_env = env or {}  # for that VirtualBoard: e.g. RL_TRACE, a trace its sensors answer from
        self._app_fs: tuple[int, int, Path] | None = None  # (offset, blocks, directory) of its filesystem

    @property
    def events(self) -> list[str]:
        return self.loader.events

    def start(self) -> "BootloaderBoard":
        self._stop.clear()
        self._thread = threading.Thread(target=self.serve, name=f"virtual-board {self.path}", daemon=True)
        self._thread.start()
        return self

    def _stop_serving(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
            self._thread = None

    def stop(self) -> None:
        self._stop_serving()
        self._leave_app()
        for fd in (self._master, self._slave):
            os.close(fd)
        self.flash.close()
        if self.link:
            self.link.unlink(missing_ok=True)

    def press_reset(self, boot_held: bool = False) -> None:
        """The RESET button (EN): with BOOT held, the ROM's download mode; otherwise the flashed firmware."""
        self._stop_serving()
        self._leave_app()
        self.loader.reset("reset-button")
        if boot_held:
            self.start()
        else:
            self._boot_app()

    def _boot_app(self) -> None:
        from reallabor.sim.virtualboard import VirtualBoard

        offset = self.loader.chip.flash_offset
        head = self.flash.read(offset, espimage.PARTITION_TABLE - offset + 0xC00)
        try:
            chip = espimage.image_chip(head, "flash")
        except ReallaborError:
            chip = None
        if chip != self.loader.chip.name:  # what the ROM prints, again and again, on a board without firmware
            os.write(self._master, b"ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 "
                                   b"(SPI_FAST_FLASH_BOOT)\r\ninvalid header: 0x%08x\r\n"
                     % struct.unpack("<I", head[:4])[0])
            self.events.append("boot:no-image")
            return
        fs_offset, fs_size = espimage.filesystem_region(head, offset, self.flash.size)
        blocks = fs_size // espimage.BLOCK
        try:
            files = fsimage.read(self.flash.read(fs_offset, blocks * espimage.BLOCK), blocks)
        except Exception:  # littlefs: no filesystem yet; MicroPython makes an empty one at its first boot
            files = {}
        root = Path(tempfile.mkdtemp(prefix="reallabor-vboard-fs-"))
        for path, content in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
        self._app_fs = (fs_offset, blocks, root)
        self.app = VirtualBoard(root, self.loader.mac.hex(":"), env=self.app_env).start((self._master, self._slave))
        self.events.append(f"boot:app:{len(files)}")

    def _leave_app(self) -> None:
        """The firmware stops (a reset, the power): what it wrote to its filesystem is on the flash."""
        if not self.app:
            return
        self.app.stop()
        self.app = None
        offset, blocks, root = self._app_fs
        image = fsimage.build(fsimage.tree(root), blocks)
        self.flash.erase(offset, len(image))
        self.flash.program(offset, image)
        shutil.rmtree(root, ignore_errors=True)
        self._app_fs = None

    def __enter__(self) -> "BootloaderBoard":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def host_baud(self) -> int | None:
        return _SPEEDS.get(termios.tcgetattr(self._master)[5])

    def serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 1 << 16)
            except OSError:  # the slave side went away
                return
            if self.faults.silent:
                continue
            buffer += chunk
            *frames, buffer = buffer.split(b"\xc0")
            for frame in frames:
                if frame:
                    self._packet(slip_decode(frame))

    def _packet(self, packet: bytes) -> None:
        host = self.host_baud()
        loader = self.loader
        if loader.synced and loader.baud != host:
            return  # sent at a speed the chip is not listening at: framing errors, nothing usable
        if not loader.synced and len(packet) > 1 and packet[1] == _SYNC:
            loader.baud = host  # autobaud on the sync pattern
        baud = loader.baud or 115200
        if self.faults.max_baud and baud > self.faults.max_baud and len(packet) > _LONG_PACKET:
            packet = packet[:-1] + bytes([packet[-1] ^ 0x10])  # one flipped bit near the end
        self._wait_line(len(packet), baud)
        replies = loader.handle(packet)
        for reply in replies:
            self._wait_line(len(reply), baud)
            os.write(self._master, slip_encode(reply))
        loader.settle()

    def _wait_line(self, nbytes: int, baud: int) -> None:
        """With pacing, hold back until a real UART (8N1: 10 bits a byte) would be done."""
        if not self.pace:
            return
        now = time.monotonic()
        self._line_free_at = max(self._line_free_at, now) + nbytes * 10 / baud
        delay = self._line_free_at - now
        if delay > 0:
            time.sleep(delay)


def serve(chip: str, count: int, first_mac: str, flash: Path | None, flash_size: int, faults: Faults,
          link: Path | None, pace: bool, on_ready, keys=None, trace: Path | None = None) -> None:
    """Run count simulated ROM bootloaders until SIGTERM or Ctrl-C; on_ready(board) as each comes
    up. flash: the flash file (a directory of them with several boards). keys: lines typed by the
    technician (stdin): an empty line presses RESET on every board, "b" RESET with BOOT held.
    trace: the sensors of the flashed firmware answer from it."""
    import signal

    from reallabor.sim.virtualboard import mac_sequence

    root = flash or Path(tempfile.mkdtemp(prefix="reallabor-rom-"))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    running = []
    try:
        for n, mac in enumerate(mac_sequence(first_mac, count), 1):
            image = root / f"board{n}.bin" if count > 1 or not flash else root
            here = link.with_name(f"{link.name}-{n}") if link and count > 1 else link
            env = {"RL_TRACE": str(Path(trace).resolve())} if trace else None
            running.append(BootloaderBoard(chip, image, flash_size, bytes.fromhex(mac.replace(":", "")), faults,
                                           here, pace, env).start())
            on_ready(running[-1], image)
        if keys is not None:
            threading.Thread(target=_buttons, args=(keys, running), daemon=True).start()
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for board in running:
            board.stop()


def _buttons(keys, boards: list[BootloaderBoard]) -> None:
    for line in keys:
        for board in boards:
            board.press_reset(boot_held=line.strip().lower() == "b")
