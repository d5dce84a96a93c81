"""The one chip table: every fact about an Espressif chip that the host uses, from the board
checks (GPIOs, input-only pins, ADC1) through the image format (header chip id, image offset,
MicroPython's generic build) to what the simulated ROM bootloader answers (registers esptool reads).
Sources: the chips' datasheets and technical reference manuals, esptool's targets/*.py,
MicroPython's ports/esp32 boards and the ESP-IDF I2C driver."""

from dataclasses import dataclass, field


def pins(*ranges) -> frozenset:
    return frozenset(p for r in ranges for p in (range(r, r + 1) if isinstance(r, int) else r))


@dataclass(frozen=True)
class Rom:
    """Registers of a chip's ROM loader as esptool reads them (esptool/targets/*.py, the TRMs)."""

    magic: int | None  # word at 0x40001000 (ESP32); None: the ROM answers GET_SECURITY_INFO instead
    spi_base: int
    spi_usr: int  # offsets of SPI_USER, USER1, USER2, MISO_DLEN, W0
    spi_usr1: int
    spi_usr2: int
    spi_miso_dlen: int
    spi_w0: int
    addr_msb: bool  # ESP32 sends the address from the register's MSB
    mac_regs: tuple[int, int]  # (register with MAC bytes 2..5, register with bytes 0..1 in its low half)
    uart_clkdiv: int  # UART0 clock divider register (esptool reads it to estimate the crystal)
    fixed: dict = field(default_factory=dict)  # eFuse words giving package and revision


@dataclass(frozen=True)
class Chip:
    name: str  # as in board files: "esp32s3"
    title: str  # as people (and esptool's CHIP_NAME) write it: "ESP32-S3"
    image_id: int  # chip id in the extended image header (esptool: IMAGE_CHIP_ID)
    flash_offset: int  # where a MicroPython image starts (the second-stage bootloader's address)
    generic_build: str | None = None  # MicroPython's generic board for this chip
    gpios: frozenset = frozenset()
    input_only: frozenset = frozenset()
    adc1: frozenset = frozenset()  # ADC2 cannot be read while Wi-Fi runs, so batteries need ADC1
    # The longest clock stretch the hardware I2C controller waits for, whatever timeout is asked for;
    # None: no limit below the ESP-IDF driver's own wait (about 100 ms per byte of a transfer)
    i2c_stretch_max_us: int | None = None
    rom: Rom | None = None  # facts for the simulated ROM bootloader (chips we have boards for)

    @property
    def boards_possible(self) -> bool:
        return bool(self.gpios)


CHIPS = {c.name: c for c in (
    # ESP32 datasheet 2.2: GPIO20, 24 and 28-31 do not exist; 34-39 are inputs only. I2C: the
    # timeout register counts APB cycles in 20 bits, 2^20 / 80 MHz = 13.1 ms (ESP-IDF hal/i2c_ll.h,
    # I2C_LL_MAX_TIMEOUT 0xFFFFF; MicroPython's machine.I2C clamps its timeout to it).
    Chip("esp32", "ESP32", 0, 0x1000, "ESP32_GENERIC",
         pins(range(0, 20), 21, 22, 23, 25, 26, 27, range(32, 40)), pins(range(34, 40)), pins(range(32, 40)),
         13_107,
         # ESP32-D0WD-V3 revision v3.0: eFuse word 3 bit 15 and word 5 bit 20 plus APB_CTL_DATE bit 31
         # give major revision 3; package 1 in word 3 bits 9-11. The 8 MHz clock calibration (eFuse
         # word 4 and RTCCALICFG1) is chosen so the ROM's crystal estimate is exactly 40 MHz.
         Rom(0x00F01D83, 0x3FF42000, 0x1C, 0x20, 0x24, 0x2C, 0x80, True, (0x3FF5A004, 0x3FF5A008), 0x3FF40014,
             {0x3FF5A00C: (1 << 15) | (1 << 9), 0x3FF5A010: 50, 0x3FF5A014: 1 << 20,
              0x3FF6607C: 1 << 31, 0x3FF5F06C: 2048 << 7})),
    Chip("esp32s2", "ESP32-S2", 2, 0x1000, "ESP32_GENERIC_S2"),
    # ESP32-S3 datasheet 2.3: GPIO0-21 and 26-48; ADC1 is GPIO1-10. I2C: the timeout register is
    # an exponent, 2^31 cycles of the 40 MHz XTAL at most (I2C_LL_MAX_TIMEOUT 0x1F): any timeout
    # MicroPython asks for ends up there, so only the driver's own wait limits a stretch.
    Chip("esp32s3", "ESP32-S3", 9, 0x0, "ESP32_GENERIC_S3",
         pins(range(0, 22), range(26, 49)), frozenset(), pins(range(1, 11)), None,
         # ESP32-S3 (QFN56) v0.2: minor revision in eFuse block 1 word 3 bits 18-20, block version 1.1
         Rom(None, 0x60002000, 0x18, 0x1C, 0x20, 0x28, 0x58, False, (0x60007044, 0x60007048), 0x60000014,
             {0x60007050: (2 << 18) | (1 << 24), 0x6000706C: 1})),
    # ESP32-C3 datasheet 2.3: GPIO0-21; ADC1 is GPIO0-4. I2C as on the S3.
    Chip("esp32c3", "ESP32-C3", 5, 0x0, "ESP32_GENERIC_C3",
         pins(range(0, 22)), frozenset(), pins(range(0, 5)), None,
         # ESP32-C3 (QFN32) v0.4
         Rom(None, 0x60002000, 0x18, 0x1C, 0x20, 0x28, 0x58, False, (0x60008844, 0x60008848), 0x60000014,
             {0x60008850: 4 << 18})),
    Chip("esp32c2", "ESP32-C2", 12, 0x0),
    Chip("esp32c6", "ESP32-C6", 13, 0x0, "ESP32_GENERIC_C6"),
    Chip("esp32h2", "ESP32-H2", 16, 0x0),
)}

BOARD_CHIPS = tuple(name for name, c in CHIPS.items() if c.boards_possible)


def by_image_id(image_id: int) -> Chip | None:
    return next((c for c in CHIPS.values() if c.image_id == image_id), None)


def by_title(title: str) -> Chip | None:
    """esptool's CHIP_NAME ("ESP32-S3") -> the chip."""
    return next((c for c in CHIPS.values() if c.title == title), None)


def title(name: str) -> str:
    return CHIPS[name].title if name in CHIPS else name


def for_build(build: str) -> Chip | None:
    """The chip a generic MicroPython build is for ("ESP32_GENERIC_S3-SPIRAM_OCT" -> esp32s3);
    None for the builds of other boards."""
    base = build.split("-")[0]
    return next((c for c in CHIPS.values() if c.generic_build == base), None)
