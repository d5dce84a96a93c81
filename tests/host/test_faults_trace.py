"""Fault records in traces (docs/trace-format.md) and the proxy's MQTT framing."""

import json

from reallabor.traces import fileformat
from reallabor.i18n import describe
from reallabor.sim.mqttproxy import split_packets

HEADER = {"format": "reallabor-trace", "version": 1, "board": "x", "source": "synthetic", "start": "2026-05-14T00:00:00Z"}


def write(tmp_path, records):
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [HEADER, *records]) + "\n")
    return path


def test_fault_records_are_read_in_order(tmp_path):
    records = [{"t": 0, "fault": "broker_stop"}, {"t": 10, "bus": "i2c0", "addr": 118, "w": "d0", "r": "60"},
               {"t": 20, "fault": "cut", "packet": "PUBACK"}, {"t": 30, "fault": "power_loss", "off_ms": 5000},
               {"t": 40, "fault": "network_down"}, {"t": 50, "fault": "flash_full"}]
    summary, problems = fileformat.check(write(tmp_path, records))
    assert problems == []
    assert [f["fault"] for f in summary.faults] == ["broker_stop", "cut", "power_loss", "network_down", "flash_full"]
    assert summary.records == 1 and summary.end_ms == 50


def test_bad_fault_records_are_reported_with_their_line(tmp_path):
    records = [{"t": 0, "fault": "meteor"}, {"t": 1, "fault": "cut", "packet": "SUBSCRIBE"},
               {"t": 2, "fault": "power_loss"}, {"t": 3, "fault": "network_up", "why": "x"},
               {"t": 1, "fault": "broker_start"}]
    _, problems = fileformat.check(write(tmp_path, records))
    lines = [p.line for p in problems]
    assert lines == [2, 3, 4, 5, 6]
    text = [describe(p) for p in problems]
    assert "fault" in text[0] and "packet" in text[1] and "off_ms" in text[2]
    assert "why" in text[3]


def test_split_packets_keeps_incomplete_ones():
    buf = bytearray(b"\x20\x02\x00\x00" + b"\x40\x02\x00\x07" + b"\x30\x80\x01" + b"x" * 10)
    assert split_packets(buf) == [b"\x20\x02\x00\x00", b"\x40\x02\x00\x07"]
    assert buf == b"\x30\x80\x01" + b"x" * 10  # 128 bytes announced, 10 here so far
    buf += b"y" * 118
    assert split_packets(buf) == [b"\x30\x80\x01" + b"x" * 10 + b"y" * 118] and buf == b""


def test_faults_cli_names_the_scenarios_when_none_matches(capsys):
    from reallabor.cli.main import main

    assert main(["faults", "--only", "meteor", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "meteor" in err and "broker restart" in err and "cut at PUBACK" in err
