"""What the host needs to know about an ESP firmware file before anything is written: which chip it
was built for (the image header's chip id), its partition table, and so where MicroPython's
filesystem lives. Layouts from ESP-IDF's "App image format" and "Partition tables" documents."""

import hashlib
import random
import struct
from dataclasses import dataclass

from reallabor import chips
from reallabor.errors import EXIT_BAD_INPUT, ReallaborError

MAGIC = 0xE9
BLOCK = 4096  # flash sector, and MicroPython's LittleFS block size
PARTITION_TABLE = 0x8000  # flash address of the partition table
DEFAULT_FS_OFFSET = 0x200000  # MicroPython's filesystem start when the image has no table

_ENTRY = struct.Struct("<2sBBII16sI")  # magic, type, subtype, offset, size, label, flags
_ENTRY_MAGIC, _MD5_MAGIC = b"\xaa\x50", b"\xeb\xeb"
_TYPE_APP, _TYPE_DATA = 0x00, 0x01


@dataclass(frozen=True)
class Partition:
    label: str
    type: int
    subtype: int
    offset: int
    size: int


def image_chip(data: bytes, name: str) -> str:
    """The chip an image was built for, from its first header (the bootloader's in a MicroPython
    firmware file). Refuses files that are no ESP image."""
    if len(data) < 24 or data[0] != MAGIC:
        raise ReallaborError("image.not_esp", EXIT_BAD_INPUT, path=name)
    chip_id = struct.unpack_from("<H", data, 12)[0]
    chip = chips.by_image_id(chip_id)
    if chip is None:
        raise ReallaborError("image.unknown_chip", EXIT_BAD_INPUT, path=name, chip_id=chip_id)
    return chip.name


def partitions(data: bytes, image_offset: int) -> list[Partition]:
    """The partition table inside a firmware file written at image_offset, or [] if it has none."""
    start = PARTITION_TABLE - image_offset
    found = []
    for pos in range(start, min(start + 0xC00, len(data) - _ENTRY.size + 1), _ENTRY.size):
        magic, ptype, subtype, offset, size, label, _flags = _ENTRY.unpack_from(data, pos)
        if magic != _ENTRY_MAGIC:
            break
        found.append(Partition(label.rstrip(b"\x00").decode("ascii", "replace"), ptype, subtype, offset, size))
    return found


def filesystem_region(data: bytes, image_offset: int, flash_size: int) -> tuple[int, int]:
    """(offset, size) of MicroPython's LittleFS: the "vfs" data partition if the table has one (the
    ESP32 port's partitions-4MiB.csv of 1.22-1.25: 0x200000, 2 MB), otherwise the free flash after
    the last partition, where MicroPython creates it at boot (a custom table without vfs);
    0x200000 to the end without a table."""
    table = partitions(data, image_offset)
    vfs = [p for p in table if p.type == _TYPE_DATA and p.label == "vfs"]
    if vfs:
        start, end = vfs[0].offset, min(vfs[0].offset + vfs[0].size, flash_size)
    else:
        start = max((p.offset + p.size for p in table), default=DEFAULT_FS_OFFSET)
        end = flash_size
    return start, max(end - start, 0)


def partition_table(entries: list[Partition]) -> bytes:
    body = b"".join(_ENTRY.pack(_ENTRY_MAGIC, p.type, p.subtype, p.offset, p.size, p.label.encode(), 0)
                    for p in entries)
    body += _MD5_MAGIC + b"\xff" * 14 + hashlib.md5(body).digest()
    return body.ljust(0xC00, b"\xff")


def app_image(chip: str, payload: bytes, load_addr: int = 0x3F400020) -> bytes:
    """A valid ESP image with one segment: header, extended header with the chip id, segment,
    checksum byte padded to 16 bytes. Enough for esptool's image checks."""
    chip_id = chips.CHIPS[chip].image_id
    payload = payload + b"\x00" * (-len(payload) % 4)
    # magic, 1 segment, DIO, 4MB/40 MHz, entry; wp pin, drive strengths, chip id, revisions, no SHA
    header = struct.pack("<BBBBI", MAGIC, 1, 2, 0x20, 0x40080000)
    header += struct.pack("<BBBBHBHH4BB", 0xEE, 0, 0, 0, chip_id, 0, 0, 0xFFFF, 0, 0, 0, 0, 0)
    body = header + struct.pack("<II", load_addr, len(payload)) + payload
    check = 0xEF
    for b in payload:
        check ^= b
    body += b"\x00" * (15 - len(body) % 16)
    return body + bytes([check])


def synthetic_firmware(chip: str, size: int, seed: int = 1) -> bytes:
    """A stand-in for a MicroPython firmware file (tests and benchmarks; there is no internet here):
    bootloader image with the chip's id, partition table (as the port's partitions-4MiB.csv of
    1.22-1.25: nvs, phy_init, the 2 MB factory app, the 2 MB vfs filesystem after it), and an
    application image whose content compresses about as well as real code (~60 %)."""
    rng = random.Random(seed)
    offset = chips.CHIPS[chip].flash_offset
    words = [rng.randbytes(rng.randint(2, 12)) for _ in range(256)]
    boot = app_image(chip, rng.randbytes(0x4000))
    table = partition_table([
        Partition("nvs", _TYPE_DATA, 0x02, 0x9000, 0x6000),
        Partition("phy_init", _TYPE_DATA, 0x01, 0xF000, 0x1000),
        Partition("factory", _TYPE_APP, 0x00, 0x10000, 0x1F0000),
        Partition("vfs", _TYPE_DATA, 0x81, 0x200000, 0x200000),
    ])
    app_size = max(size - (0x10000 - offset) - 64, 0)
    chunks, filled = [], 0
    while filled < app_size:  # random runs mixed with a repeating vocabulary, like machine code
        piece = rng.randbytes(rng.randint(8, 64)) if rng.random() < 0.55 else rng.choice(words) * rng.randint(1, 8)
        chunks.append(piece)
        filled += len(piece)
    app = app_image(chip, b"".join(chunks)[:app_size])
    image = bytearray(b"\xff" * (0x10000 - offset))
    image[: len(boot)] = boot
    image[PARTITION_TABLE - offset: PARTITION_TABLE - offset + len(table)] = table
    return bytes(image + app)
