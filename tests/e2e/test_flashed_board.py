"""A board flashed on the simulated ROM bootloader boots what was flashed: after its RESET button
(without BOOT held) MicroPython runs on the same port, its filesystem the flash's LittleFS
partition. So the technician's day runs in one go on one virtual board: flash, deploy, provision,
verify. `flash --with-app` leaves a board that provision accepts at once."""

import json

import pytest

from reallabor import espimage
from reallabor.sim.rombootloader import BootloaderBoard

BOARD = "esp32-devkitc"


@pytest.fixture
def rom_board(tmp_path):
    with BootloaderBoard("esp32", tmp_path / "flash.bin", mac=bytes.fromhex("0200000a0b01")) as b:
        yield b


@pytest.fixture
def image(tmp_path):
    path = tmp_path / "micropython.bin"
    path.write_bytes(espimage.synthetic_firmware("esp32", 300 * 1024))
    return path


def test_flash_with_app_then_provision_and_verify(rom_board, image, cli, data_dir, site_profile, broker):
    site_profile(data_dir, sensors=[], broker=broker.url)
    done = cli("flash", "--board", BOARD, "--port", rom_board.path, "--image", image, "--with-app", "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    rom_board.press_reset()
    assert rom_board.events[-1].startswith("boot:app:")
    provisioned = cli("provision", "--port", rom_board.path, "--board", BOARD, "--site", "hof", "--lang", "en")
    assert provisioned.returncode == 0, provisioned.stdout + provisioned.stderr
    assert "rl-0a0b01" in provisioned.stdout
    verified = cli("verify", "--port", rom_board.path, "--lang", "en")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "is ready" in verified.stdout


def test_plain_flash_then_deploy_provision_verify_in_one_go(rom_board, image, cli, data_dir, site_profile, broker):
    site_profile(data_dir, sensors=[], broker=broker.url)
    assert cli("flash", "--board", BOARD, "--port", rom_board.path, "--image", image).returncode == 0
    rom_board.press_reset()
    assert rom_board.events[-1] == "boot:app:0"  # an empty filesystem: MicroPython, no firmware of ours
    refused = cli("provision", "--port", rom_board.path, "--board", BOARD, "--site", "hof", "--lang", "en")
    assert refused.returncode == 1 and "First run: reallabor deploy" in refused.stderr
    for args in (("deploy", "--port", rom_board.path, "--board", BOARD),
                 ("provision", "--port", rom_board.path, "--board", BOARD, "--site", "hof"),
                 ("verify", "--port", rom_board.path)):
        done = cli(*args, "--lang", "en")
        assert done.returncode == 0, (args, done.stdout, done.stderr)


def test_what_the_board_wrote_is_on_its_flash_after_a_reset(rom_board, image, cli, data_dir, site_profile):
    from reallabor.firmware import fsimage

    site_profile(data_dir, sensors=[])
    assert cli("flash", "--board", BOARD, "--port", rom_board.path, "--image", image, "--with-app").returncode == 0
    rom_board.press_reset()
    assert cli("provision", "--port", rom_board.path, "--board", BOARD, "--site", "hof").returncode == 0
    rom_board.press_reset(boot_held=True)  # back into download mode: the firmware stops
    offset, size = espimage.filesystem_region(rom_board.flash.read(0x1000, 0x8000), 0x1000, rom_board.flash.size)
    files = fsimage.read(rom_board.flash.read(offset, size), size // espimage.BLOCK)
    assert json.loads(files["config.json"])["device"] == "rl-0a0b01"


def test_a_board_without_firmware_says_so_and_stays(rom_board):
    rom_board.press_reset()
    assert rom_board.events[-1] == "boot:no-image" and rom_board.app is None
