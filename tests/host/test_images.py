"""Image headers, partition tables and the LittleFS image, checked with esptool's and
littlefs-python's own readers."""

import pytest
from esptool.bin_image import LoadFirmwareImage
from littlefs import LittleFS, LittleFSError, UserContext

from reallabor import espimage
from reallabor.firmware import fsimage
from reallabor.espimage import Partition


@pytest.mark.parametrize("chip,chip_id", [("esp32", 0), ("esp32s3", 9), ("esp32c3", 5)])
def test_synthetic_firmware_is_a_valid_image_for_its_chip(chip, chip_id):
    data = espimage.synthetic_firmware(chip, 200_000)
    image = LoadFirmwareImage(chip, data)
    image.verify()  # esptool's checksum check
    assert image.chip_id == chip_id
    assert espimage.image_chip(data, "x") == chip


def test_filesystem_region_follows_the_partition_table():
    data = espimage.synthetic_firmware("esp32", 100_000)  # the port's partitions-4MiB.csv: vfs at 2 MB
    assert espimage.filesystem_region(data, 0x1000, 4 << 20) == (0x200000, 0x200000)
    assert espimage.filesystem_region(data, 0x1000, 8 << 20) == (0x200000, 0x200000)  # the partition, not the flash


def test_filesystem_region_without_a_vfs_partition_is_the_free_tail():
    table = espimage.partition_table([Partition("factory", 0, 0, 0x10000, 0x1F0000)])
    data = bytearray(b"\xff" * 0x8000) + table
    assert espimage.filesystem_region(bytes(data), 0x0, 4 << 20) == (0x200000, 0x200000)
    assert espimage.filesystem_region(bytes(data), 0x0, 8 << 20) == (0x200000, 0x600000)


def test_filesystem_region_uses_a_vfs_partition_and_clips_it_to_the_flash():
    table = espimage.partition_table([Partition("factory", 0, 0, 0x10000, 0x300000),
                                      Partition("vfs", 1, 0x81, 0x310000, 0x0F0000)])
    data = bytearray(b"\xff" * 0x8000) + table  # image written at 0x0
    assert espimage.filesystem_region(bytes(data), 0x0, 4 << 20) == (0x310000, 0x0F0000)
    assert espimage.filesystem_region(bytes(data), 0x0, 0x380000) == (0x310000, 0x70000)


def test_filesystem_region_without_a_table_starts_at_2mb():
    assert espimage.filesystem_region(b"\xe9" + b"\xff" * 100, 0x0, 4 << 20) == (0x200000, 0x200000)


def test_littlefs_image_mounts_with_its_files_and_block_count():
    files = {"main.py": b"from node import app\n", "lib/node/app.mpy": bytes(range(256)) * 40, "board.json": b"{}"}
    image = fsimage.build(files, 512)
    assert len(image) == 512 * 4096
    assert fsimage.read(image, 512) == files
    fs = LittleFS(context=UserContext(len(image), bytearray(image)), block_size=4096, block_count=0, mount=False)
    fs.mount()  # block count 0: read it from the superblock
    assert fs.block_count == 512


def test_littlefs_image_does_not_mount_with_another_block_count():
    image = fsimage.build({"main.py": b"pass\n"}, 512)
    with pytest.raises(LittleFSError):
        fsimage.read(image, 500)
