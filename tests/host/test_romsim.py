"""The simulated ROM loader on bytes, for the details esptool's happy path does not show."""

import hashlib
import struct

import serial

from reallabor.sim.rombootloader import CHIPS, Bootloader, BootloaderBoard, Flash, checksum, slip_decode, slip_encode

SYNC = struct.pack("<BBHI", 0, 0x08, 36, 0) + b"\x07\x07\x12\x20" + b"\x55" * 32


def request(op: int, data: bytes = b"", chk: int = 0) -> bytes:
    return struct.pack("<BBHI", 0, op, len(data), chk) + data


def loader(tmp_path, chip="esp32") -> Bootloader:
    b = Bootloader(CHIPS[chip], Flash(tmp_path / "flash.bin", 1 << 20), bytes.fromhex("240ac4123456"))
    assert len(b.handle(SYNC)) == 8  # the ROM answers a SYNC eight times
    return b


def test_nothing_but_sync_is_answered_before_sync(tmp_path):
    b = Bootloader(CHIPS["esp32"], Flash(tmp_path / "f.bin", 1 << 20), bytes(6))
    assert b.handle(request(0x0A, struct.pack("<I", 0x40001000))) == []


def test_esp32_answers_the_magic_word_and_refuses_security_info(tmp_path):
    b = loader(tmp_path)
    (reply,) = b.handle(request(0x0A, struct.pack("<I", 0x40001000)))
    assert struct.unpack_from("<I", reply, 4)[0] == 0x00F01D83
    (reply,) = b.handle(request(0x14))
    assert reply[8:] == b"\x01\x05\x00\x00"  # ROM status: failed, "received message is invalid"


def test_s3_names_its_chip_id_in_security_info(tmp_path):
    (reply,) = loader(tmp_path, "esp32s3").handle(request(0x14))
    assert struct.unpack_from("<IBBBBBBBBII", reply, 8)[9] == 9
    assert reply[-4:] == b"\x00\x00\x00\x00"


def test_flash_is_nor_writing_only_clears_bits(tmp_path):
    f = Flash(tmp_path / "f.bin", 1 << 16)
    f.program(0, b"\xf0\x0f")
    f.program(0, b"\x3c\x3c")  # not erased in between
    assert f.read(0, 2) == b"\x30\x0c"
    f.erase(1, 1)  # a whole sector
    assert f.read(0, 4096) == b"\xff" * 4096


def test_bad_checksum_is_refused_with_rom_and_stub_codes(tmp_path):
    b = loader(tmp_path)
    b.handle(request(0x0D, bytes(8)))  # SPI_ATTACH
    b.handle(request(0x02, struct.pack("<IIII", 0x1000, 1, 0x400, 0)))  # FLASH_BEGIN
    block = b"\x00" * 0x400
    data = struct.pack("<IIII", len(block), 0, 0, 0) + block
    (reply,) = b.handle(request(0x03, data, chk=checksum(block) ^ 1))
    assert reply[8:] == b"\x01\x07\x00\x00"  # ROM: invalid CRC
    b.stub = True
    (reply,) = b.handle(request(0x03, data, chk=checksum(block) ^ 1))
    assert reply[8:] == b"\xc1\x00"  # stub: bad data checksum
    (reply,) = b.handle(request(0x03, data, chk=checksum(block)))
    assert reply[8:] == b"\x00\x00"


def test_md5_is_hex_from_the_rom_and_raw_from_the_stub(tmp_path):
    b = loader(tmp_path)
    b.handle(request(0x0D, bytes(8)))
    (reply,) = b.handle(request(0x13, struct.pack("<IIII", 0, 4096, 0, 0)))
    erased = hashlib.md5(b"\xff" * 4096)
    assert reply[8:40] == erased.hexdigest().encode() and reply[40:] == b"\x00" * 4
    b.stub = True
    (reply,) = b.handle(request(0x13, struct.pack("<IIII", 0, 4096, 0, 0)))
    assert reply[8:24] == erased.digest() and reply[24:] == b"\x00\x00"


def test_slip_round_trip_with_both_special_bytes():
    packet = b"\x00\xc0\xdb\xc0\xdd\xdc"
    frame = slip_encode(packet)
    assert frame[0] == frame[-1] == 0xC0 and b"\xc0" not in frame[1:-1]
    assert slip_decode(frame[1:-1]) == packet


def test_bytes_sent_at_another_baud_rate_are_lost(tmp_path):
    with BootloaderBoard("esp32", tmp_path / "f.bin", 1 << 20) as board, \
            serial.Serial(board.path, 115200, timeout=0.5) as port:
        port.write(slip_encode(SYNC))
        assert port.read(8 * 14).count(b"\xc0") == 16  # eight framed answers
        port.write(slip_encode(request(0x0F, struct.pack("<II", 460800, 0))))  # CHANGE_BAUDRATE
        assert port.read(14)[:3] == b"\xc0\x01\x0f"
        port.write(slip_encode(request(0x0A, struct.pack("<I", 0x40001000))))
        assert port.read(14) == b""  # the chip listens at 460800 now, the host still sends at 115200
        port.baudrate = 460800
        port.write(slip_encode(request(0x0A, struct.pack("<I", 0x40001000))))
        assert port.read(14)[:3] == b"\xc0\x01\x0a"
