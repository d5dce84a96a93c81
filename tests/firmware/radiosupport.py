# Helpers for the radio tests (MicroPython): a real driver over a simulated chip on its own air,
# the EU868 facts the tests share, and stand-ins for machine to test hal/esp32.radio().
import json

from hal import simradio, simtime
from node.radio import make
from esp32standins import CALLS  # noqa: F401  (the radio tests read what the HAL asked for)
from support import RegisterDevice

# EU868 (LoRaWAN Regional Parameters): the three default channels, RX2, DR0..DR5 = SF12..SF7 at 125 kHz
CHANNELS = (868100000, 868300000, 868500000)
RX2 = 869525000
DATA_RATES = ((0, 12), (1, 11), (2, 10), (3, 9), (4, 8), (5, 7))

# the `lora` entries of boards/*.json
TTGO = {"chip": "sx1276", "spi": "spi1", "nss": 18, "reset": 23, "dio0": 26, "dio1": 33, "dio2": 32, "tcxo_v": None}
HELTEC = {"chip": "sx1262", "spi": "spi1", "nss": 8, "reset": 12, "busy": 13, "dio1": 14, "tcxo_v": 1.8,
          "dio2_rf_switch": True}


def sx1276(lora=TTGO, **chip_options):
    # -> (air, chip, driver): a fresh boot at virtual time 0, the driver not yet started
    simtime.clock.start(0, 0)
    air = simradio.Air()
    chip = simradio.SX1276(air, **chip_options)
    bus = simradio.SPI(chip)
    driver = make(lora, bus, chip.nss_pin, chip.reset_pin, dio0=chip.dio0_pin if lora.get("dio0") else None,
                  dio1=chip.dio1_pin if lora.get("dio1") else None)
    return air, chip, driver


def sx1262(lora=HELTEC, **chip_options):
    simtime.clock.start(0, 0)
    air = simradio.Air()
    chip = simradio.SX1262(air, **chip_options)
    bus = simradio.SPI(chip)
    driver = make(lora, bus, chip.nss_pin, chip.reset_pin, busy=chip.busy_pin,
                  dio1=chip.dio1_pin if lora.get("dio1") else None)
    return air, chip, driver


class NullSPI:
    # a bus where nothing answers and nothing is allocated: to measure the driver alone
    def write(self, buf):
        pass

    def readinto(self, buf, write=0):
        pass

    def write_readinto(self, wbuf, rbuf):
        pass


def null_pin(v=None):
    return 0


def polling_allocates(radio, rounds=1000):
    # -> bytes allocated by `rounds` calls each of poll_send() and poll_recv() while nothing happens
    import gc

    radio.ready = True
    radio.configure(868100000, 7)
    radio.start_send(b"x" * 24)
    radio.poll_send()  # the first call may fill caches
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    for _ in range(rounds):
        radio.poll_send()
    radio.standby()
    radio.start_recv(8)
    for _ in range(rounds):
        radio.poll_recv()
    used = gc.mem_alloc() - before
    gc.enable()
    return used


def uptime_ms(us):
    # a chip's virtual us as the firmware's clock ticks count them (since this boot)
    return us // 1000 - simtime.clock.boot_ms


def now_ms():
    return simtime.clock.elapsed - simtime.clock.boot_ms


def write_trace(path, board, records=()):
    with open(path, "w") as f:
        f.write(json.dumps({"format": "reallabor-trace", "version": 1, "board": board, "source": "synthetic",
                            "start": "2026-01-01T00:00:00Z"}) + "\n")
        for r in records:
            f.write(json.dumps(r) + "\n")


# -- hal/esp32.radio() over the machine stand-ins (esp32standins.py) -------------------------------

PMU = RegisterDevice({0x12: b"\x4d", 0x28: b"\xcf"})  # AXP192: DC-DC1/3, LDO3 on; LDO2 off (REG 12H)


def esp32_with_board(name):
    # hal.esp32 over the stand-ins, with boards/<name>.json as its board file
    import esp32standins
    from hal import boardfile, esp32

    with open(_boards() + "/%s.json" % name) as f:
        data = f.read()
    with open("board.json", "w") as f:
        f.write(data)
    esp32standins.I2C_DEVICES[0x34] = PMU
    boardfile._board = None
    esp32._buses.clear()
    esp32._radio = None
    CALLS.clear()
    return esp32


def _boards():
    import hal

    return hal.__file__.rsplit("/", 3)[0] + "/boards"
