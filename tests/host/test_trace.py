"""The trace format: validation with line numbers, summaries, and the committed samples."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.traces import fileformat, synthetic
from reallabor.errors import ReallaborError
from reallabor.i18n import describe, msg

pytestmark = pytest.mark.usefixtures("english")  # messages checked in English

ROOT = Path(__file__).resolve().parents[2]
def info_lines(summary) -> list[str]:
    return [msg(key, **params) for key, params in fileformat.info(summary)]


HEADER = {"format": "reallabor-trace", "version": 1, "board": "esp32-devkitc", "source": "synthetic",
          "start": "2026-05-14T00:00:00Z"}


def write(tmp_path, *lines) -> Path:
    path = tmp_path / "t.jsonl"
    path.write_text("".join((l if isinstance(l, str) else json.dumps(l)) + "\n" for l in lines))
    return path


def test_samples_are_valid_and_synthetic():
    for name in synthetic.SAMPLES:
        summary, problems = fileformat.check(ROOT / "traces" / name)
        assert problems == [], (name, problems)
        assert summary.header["source"] == "synthetic"


def test_samples_regenerate_identically(tmp_path):
    for path in synthetic.write_samples(tmp_path):
        assert path.read_bytes() == (ROOT / "traces" / path.name).read_bytes(), path.name


def test_synthetic_day_is_physically_plausible():
    from reallabor.firmware.devicecode import firmware_module

    bme = firmware_module("node.sensors.bme280")
    tp, h = synthetic.calibration_bytes()
    c = bme.parse_calibration(tp, h)
    header, records = synthetic.bme_day()
    temps, hums, press = [], [], []
    for r in records:
        if r["w"] == "f7":
            d = bytes.fromhex(r["r"])
            t, t_fine = bme.compensate_t(c, (d[3] << 12) | (d[4] << 4) | (d[5] >> 4))
            temps.append(t / 100)
            press.append(bme.compensate_p(c, (d[0] << 12) | (d[1] << 4) | (d[2] >> 4), t_fine) / 25600)
            hums.append(bme.compensate_h(c, (d[6] << 8) | d[7], t_fine) / 1024)
    assert len(temps) == 24 * 60
    coolest, warmest = temps.index(min(temps)), temps.index(max(temps))
    assert 2 * 60 <= coolest <= 5 * 60 and 13 * 60 <= warmest <= 17 * 60  # night minimum, afternoon maximum
    assert 5 < max(temps) - min(temps) < 20
    assert hums.index(max(hums)) < 6 * 60 and 12 * 60 < hums.index(min(hums)) < 18 * 60  # against temperature
    assert all(990 < p < 1030 for p in press) and press[0] > press[-1]  # slow drift


def test_every_problem_has_its_line(tmp_path):
    path = write(
        tmp_path, HEADER,
        {"t": 0, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"},
        "{not json",
        {"t": 5, "bus": "i2c0", "addr": 300, "w": "d0", "r": "6"},
        "[1, 2]",
        {"t": 1, "bus": "i2c0", "addr": 118, "w": "f7", "r": "00"},
        {"t": 9, "bus": "spi3", "x": 1},
        {"bus": "i2c0", "addr": 118},
        {"t": 10, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60", "extra": 1},
    )
    summary, problems = fileformat.check(path)
    lines = [p.line for p in problems]
    assert lines == [3, 4, 4, 5, 6, 7, 8, 9]
    text = [describe(p) for p in problems]
    assert text[0].startswith("line 3: not JSON")
    assert "addr" in text[1] and "\"r\"" in text[2]
    assert "backwards" in text[4]
    assert "unknown kind of record" in text[5]
    assert "extra" in text[7]


def test_bad_headers(tmp_path):
    _, problems = fileformat.check(write(tmp_path, {"format": "something-else"}, {"t": 0}))
    assert len(problems) == 1 and problems[0].line == 1 and "format" in describe(problems[0])
    _, problems = fileformat.check(write(tmp_path, {**HEADER, "version": 2, "start": "yesterday"}))
    assert [p.line for p in problems] == [1, 1]
    _, problems = fileformat.check(write(tmp_path, ""))
    assert "header line is missing" in describe(problems[0])


def test_load_raises_with_every_problem(tmp_path):
    path = write(tmp_path, HEADER, "oops", "{}")
    with pytest.raises(ReallaborError) as e:
        fileformat.load(path)
    assert e.value.params["count"] == 2 and len(e.value.details) == 2
    with pytest.raises(ReallaborError) as e:
        fileformat.load(tmp_path / "missing.jsonl")
    assert e.value.key == "trace.not_found"


def test_binary_file_is_reported(tmp_path):
    path = tmp_path / "b.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage")
    _, problems = fileformat.check(path)
    assert problems and "UTF-8" in describe(problems[0])


def test_info_summarises():
    lines = info_lines(fileformat.load(ROOT / "traces" / "courtyard-24h-bme280.jsonl"))
    assert "synthetic" in lines[0] and "esp32-devkitc" in lines[0]
    assert "1447 records over 23.98 h" in lines[1]  # 1440 samples, the last at 23:59
    assert any("bme280" in l and "0x76" in l for l in lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), st.dictionaries(st.sampled_from(["t", "bus", "addr", "w", "r", "x"]),
                st.one_of(st.integers(-5, 200), st.text(max_size=6), st.none()), max_size=6).map(json.dumps)),
                max_size=8))
def test_validator_never_crashes(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("fuzz") / "t.jsonl"
    path.write_text(json.dumps(HEADER) + "\n" + "\n".join(l.replace("\n", " ").replace("\r", " ") for l in lines) + "\n")
    summary, problems = fileformat.check(path)
    assert all(p.line >= 2 for p in problems)
    assert summary is not None


def test_uart_and_ack_records(tmp_path):
    path = write(
        tmp_path, HEADER,
        {"t": 0, "bus": "uart1", "w": "aab404", "rx": "aac0"},
        {"t": 1, "bus": "uart1", "rx": "00ff"},
        {"t": 2, "bus": "i2c0", "addr": 68, "ack": False},
        {"t": 3, "bus": "uart2", "w": "", "rx": "00"},
        {"t": 4, "bus": "uart1", "w": "0g"},
        {"t": 5, "bus": "uart1", "rx": "00", "addr": 3},
        {"t": 6, "bus": "i2c0", "addr": 68, "ack": "no"},
        {"t": 7, "bus": "i2c0", "addr": 68, "ack": True, "r": "00"},
    )
    summary, problems = fileformat.check(path)
    assert [p.line for p in problems] == [5, 6, 6, 7, 8, 9]
    text = [describe(p) for p in problems]
    assert '"w"' in text[0]
    assert '"rx"' in text[1] and '"w"' in text[2]
    assert "addr" in text[3] and "ack" in text[4] and "r" in text[5]
    assert summary.devices == {"uart1": 2, "i2c0 0x44": 1}


def test_radio_downlink_records(tmp_path):
    down = {"t": 0, "radio": "down", "freq_hz": 869525000, "sf": 9, "phy": "60aabb"}
    path = write(
        tmp_path, HEADER,
        down,
        {**down, "t": 1, "bw_khz": 125, "cr": 5, "preamble": 8, "crc": False, "sync_word": 52, "rssi": -80, "snr": -7},
        {**down, "t": 2, "radio": "up"},
        {**down, "t": 3, "sf": 13},
        {"t": 4, "radio": "down", "sf": 9, "phy": ""},
        {**down, "t": 5, "bw_khz": 200, "crc": "no", "power": 14},
    )
    summary, problems = fileformat.check(path)
    assert [p.line for p in problems] == [4, 5, 6, 6, 7, 7, 7]
    text = [describe(p) for p in problems]
    assert '"radio"' in text[0] and '"sf"' in text[1]
    assert '"freq_hz"' in text[2] and '"phy"' in text[3]
    assert '"bw_khz"' in text[4] and '"crc"' in text[5] and "power" in text[6]
    assert summary.devices == {"radio down": 2}


def test_info_names_uart_sensors():
    lines = info_lines(fileformat.load(ROOT / "traces" / "sds011-1h.jsonl"))
    assert any("sds011" in l and "uart1" in l for l in lines)
    assert any("uart1" in l and "records" in l for l in lines)


def test_room_day_is_physically_plausible():
    air = synthetic.room_day()
    co2 = [a["co2"] for a in air]
    assert min(co2) > 400 and co2.index(max(co2)) // 60 in (20, 21)  # fullest room in the evening workshop
    assert co2[6 * 60] < 450 and co2[11 * 60] > 1000  # fresh at dawn, a full room by late morning
    assert co2[12 * 60 + 50] < co2[12 * 60]  # the lunch break airs the room
    pm = [a["pm2_5"] for a in air]
    for start, peak_at in ((7.5, 8.5), (12.2, 12.8), (19.6, 20.3)):  # the three episodes
        assert pm[int(peak_at * 60)] > 2.5 * pm[int((start - 0.3) * 60)]
    lux = [a["illuminance"] for a in air]
    assert lux[3 * 60] == 0 and lux[22 * 60 + 30] == 0  # night, nobody in
    assert lux[13 * 60] > 5000 and lux[20 * 60] > 0  # sun on the window sill; lamps in the workshop
    assert all(a["pm1"] < a["pm2_5"] < a["pm4"] < a["pm10"] for a in air)
