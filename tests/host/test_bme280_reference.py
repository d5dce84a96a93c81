"""The firmware's integer BME280 compensation, run in unix-port MicroPython, agrees with Adafruit's
floating-point driver (CPython) on random calibration/raw combinations."""

import json
import random
import struct
import subprocess

import adafruit_bme280.basic as adafruit

COMBINATIONS = 1000
# Adafruit follows the datasheet's double formulas; the integer ones drop low bits on the way (t_fine
# itself differs by a few units). Allowed: one step of the published resolution for temperature
# (0.01 degC) and pressure (1 Pa), two for humidity (the formula's 1/1024 %RH plus our rounding).
# Measured with this seed: 0.0073 degC, 0.0092 hPa, 0.0124 %RH.
TOLERANCE = {"temperature": 0.01, "pressure": 0.01, "humidity": 0.02}

RUN_FIRMWARE = r"""
import json, sys
from node.sensors import DONE
from node.sensors.bme280 import BME280
from support import MemoryI2C, RegisterDevice
out = []
for c in json.load(open(sys.argv[1])):
    dev = RegisterDevice({0xD0: b"\x60", 0x88: bytes.fromhex(c["tp"]), 0xE1: bytes.fromhex(c["h"]),
                          0xF7: bytes.fromhex(c["data"])})
    s = BME280(MemoryI2C({0x76: dev}), {"type": "bme280", "name": "x", "addr": 0x76,
               "oversampling": {"temperature": 1, "pressure": 1, "humidity": 1}})
    s.init(); s.start()
    assert s.poll() == DONE
    out.append(s.values)
print(json.dumps(out))
"""


class RegisterBus:
    """The busio.I2C calls adafruit_bus_device makes, over a register file."""

    def __init__(self, regs: dict[int, bytes]):
        self.regs = bytearray(256)
        self.pointer = 0
        for reg, data in regs.items():
            self.regs[reg:reg + len(data)] = data

    def try_lock(self):
        return True

    def unlock(self):
        pass

    def writeto(self, addr, buf, *, start=0, end=None):
        data = bytes(buf[start:end])
        if not data:
            return  # adafruit_bus_device probes the address with an empty write
        self.pointer = data[0]
        for i, b in enumerate(data[1:]):
            if self.pointer + i not in (0xE0,):  # a reset write must not clear our registers
                self.regs[self.pointer + i] = b

    def readfrom_into(self, addr, buf, *, start=0, end=None):
        end = len(buf) if end is None else end
        for i in range(start, end):
            buf[i] = self.regs[(self.pointer + i - start) & 0xFF]

    def writeto_then_readfrom(self, addr, out, into, *, out_start=0, out_end=None, in_start=0, in_end=None):
        self.writeto(addr, out, start=out_start, end=out_end)
        self.readfrom_into(addr, into, start=in_start, end=in_end)


def pack_h(h1, h2, h3, h4, h5, h6) -> bytes:
    return struct.pack("<hBBBBb", h2, h3, (h4 >> 4) & 0xFF, (h4 & 0xF) | ((h5 & 0xF) << 4), (h5 >> 4) & 0xFF, h6)


def random_combination(rng: random.Random) -> dict:
    t = (rng.randint(26000, 29500), rng.randint(25000, 27500), rng.randint(-1200, -50))
    p = (rng.randint(35000, 38500), rng.randint(-11000, -10000), rng.randint(2800, 3300), rng.randint(2000, 9000),
         rng.randint(-200, 200), rng.randint(-10, 0), rng.randint(9000, 16000), rng.randint(-15000, -10000),
         rng.randint(4000, 6500))
    h3 = 0 if rng.random() < 0.5 else rng.randint(1, 10)  # real parts mostly carry dig_H3 = 0
    h = (rng.randint(0, 100), rng.randint(300, 420), h3, rng.randint(250, 400),
         rng.randint(0, 60), rng.randint(20, 40))
    adc_t, adc_p, adc_h = rng.randint(440000, 600000), rng.randint(250000, 450000), rng.randint(15000, 45000)
    return {
        "tp": (struct.pack("<HhhHhhhhhhhh", *t, *p) + bytes((0, h[0]))).hex(),
        "h": pack_h(*h).hex(),
        "data": (struct.pack(">I", adc_p << 4)[1:] + struct.pack(">I", adc_t << 4)[1:] + struct.pack(">H", adc_h)).hex(),
    }


def reference(c: dict) -> tuple[float, float, float]:
    bus = RegisterBus({0xD0: b"\x60", 0x88: bytes.fromhex(c["tp"]), 0xE1: bytes.fromhex(c["h"]),
                       0xF7: bytes.fromhex(c["data"]), 0xF3: b"\x00"})
    sensor = adafruit.Adafruit_BME280_I2C(bus, address=0x76)
    humidity = sensor.humidity
    h1, h2, h3, h4, h5, h6 = sensor._humidity_calib
    if h3:
        # Adafruit multiplies by (1 + H3/2^26 * x) once more than Bosch's double formula (datasheet
        # 8.1), which only matters when dig_H3 != 0. There the datasheet formula is the reference.
        x = sensor._t_fine - 76800.0
        adc_h = int.from_bytes(bytes.fromhex(c["data"])[6:8], "big")
        v = (adc_h - (h4 * 64.0 + h5 / 16384.0 * x)) * (
            h2 / 65536.0 * (1.0 + h6 / 67108864.0 * x * (1.0 + h3 / 67108864.0 * x)))
        humidity = min(100.0, max(0.0, v * (1.0 - h1 * v / 524288.0)))
    return sensor.temperature, sensor.pressure, humidity


def firmware(combinations, micropython, firmware_path, tmp_path) -> list[list[int]]:
    data = tmp_path / "combinations.json"
    data.write_text(json.dumps(combinations))
    script = tmp_path / "run.py"
    script.write_text(RUN_FIRMWARE)
    done = subprocess.run([micropython, str(script), str(data)], capture_output=True, text=True,
                          env={"MICROPYPATH": firmware_path}, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def test_agrees_with_adafruit_on_random_combinations(micropython, firmware_path, tmp_path):
    rng = random.Random(2026)
    combinations = [random_combination(rng) for _ in range(COMBINATIONS)]
    ours = firmware(combinations, micropython, firmware_path, tmp_path)
    worst = dict.fromkeys(TOLERANCE, 0.0)
    for c, (t, p, h) in zip(combinations, ours):
        ref_t, ref_p, ref_h = reference(c)
        for name, mine, ref in (("temperature", t / 100, ref_t), ("pressure", p / 100, ref_p),
                                ("humidity", h / 100, ref_h)):
            worst[name] = max(worst[name], abs(mine - ref))
            assert abs(mine - ref) <= TOLERANCE[name], (name, mine, ref, c)
    print("largest differences:", worst)


def test_bmp280_datasheet_example_matches_adafruit(micropython, firmware_path, tmp_path):
    example = (27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000)
    c = {"tp": (struct.pack("<HhhHhhhhhhhh", *example) + bytes(2)).hex(), "h": pack_h(0, 0, 0, 0, 0, 0).hex(),
         "data": (struct.pack(">I", 415148 << 4)[1:] + struct.pack(">I", 519888 << 4)[1:] + b"\x80\x00").hex()}
    (t, p, _), = firmware([c], micropython, firmware_path, tmp_path)
    ref_t, ref_p, _ = reference(c)
    assert t == 2508 and round(ref_t, 2) == 25.08  # the datasheet's 25.08 degC
    assert p == 100653 and abs(ref_p - 1006.5327) < 0.001  # 100653.27 Pa
