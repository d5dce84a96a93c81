"""reallabor ports: the serial ports on this machine and what is on each.

Passive, always: USB serial ports with their USB ids (pyserial), the virtual boards of running
`reallabor virtual-board`s (they are pseudo-terminals, found through fleet.virtualports), other
programs that have a port open (Linux), and whether another program holds its lock.

MicroPython probe (the default; --no-probe leaves it out): the raw REPL answers with the
MicroPython version, the chip, the MAC, our firmware's manifest digest (current or not), and the
device id and site its config names; the inventory adds the name it knows. The probe stops the
program that runs (Ctrl-C) and restarts it at the end (a soft reset into main.py), so a running
node loses one cycle at most. All ports are probed at once, each for a few seconds at most.

Bootloader probe (--probe-bootloader, for ports where MicroPython did not answer): esptool asks
the ROM loader for chip and MAC (in download mode: hold BOOT, press RESET), then resets the board
into its firmware where the port has reset lines."""

import os
from dataclasses import dataclass, field
from pathlib import Path

from reallabor.boardio import ports, repl
from reallabor.errors import ReallaborError
from reallabor.firmware import devicecode
from reallabor.firmware.build import digest
from reallabor.fleet import virtualports
from reallabor.fleet.inventory import Inventory

PROBE_WAIT_S = 3.0  # how long a port may take to answer the probe

# Runs on the board: what is on it, without a secret (config.json is read there, only its device
# and site come back).
_PROBE = repl.MAC_PROBE.replace("print(repr(_mac()))", "") + """
import os, sys
r = {'version': '.'.join(str(v) for v in sys.implementation.version[:3]), 'platform': sys.platform,
     'machine': os.uname().machine if hasattr(os, 'uname') else sys.platform, 'mac': _mac()}
import json
for _name, _keys in (('firmware.json', ('firmware', 'board')), ('config.json', ('device', 'site', 'deep_sleep'))):
    try:
        with open(_name) as _f:
            _data = json.load(_f)
        for _k in _keys:
            r[_name[:-5] + '_' + _k] = _data.get(_k)
    except (OSError, ValueError):
        pass
print(repr(r))
"""


@dataclass
class Port:
    port: str  # as commands take it: the stable by-path name where there is one
    kind: str  # "usb", "serial" (no USB ids), "virtual", "virtual-rom"
    usb: str = ""  # "10c4:ea60 CP2102N USB to UART"
    users: list = field(default_factory=list)  # (pid, program) that have it open
    answer: str = ""  # what answered: micropython, bootloader, nothing; "" not probed
    chip: str = ""
    mac: str = ""
    micropython: str = ""  # its version
    firmware: str = ""  # "current", "old <digest>", "-" (none of ours)
    device: str = ""  # the device id and site its config names
    known: str = ""  # the inventory's id and name for this MAC
    problem: tuple | None = None  # (message key, params) when the probe failed in a telling way


def listing(data: Path | None = None) -> list[Port]:
    """Every serial port, passively: nothing is opened."""
    from serial.tools import list_ports

    found = []
    virtual = virtualports.live(data)
    virtual_real = {os.path.realpath(v.port) for v in virtual}
    for p in sorted(list_ports.comports(), key=lambda p: p.device):
        if os.path.realpath(p.device) in virtual_real:
            continue
        usb = f"{p.vid:04x}:{p.pid:04x} {p.description}".strip() if p.vid is not None else p.description
        found.append(Port(ports.stable_name(p.device), "usb" if p.vid is not None else "serial",
                          usb if usb != "n/a" else ""))
    for v in virtual:
        kind = "virtual-rom" if v.kind == virtualports.KIND_BOOTLOADER else "virtual"
        found.append(Port(v.port, kind, mac=v.mac, chip=v.chip))
    for p in found:
        p.users = [u for u in repl.port_users(p.port) if not _is_board_process(u[0], virtual)]
    return found


def _is_board_process(pid: int, virtual) -> bool:
    return any(v.pid == pid for v in virtual)


def probe(port: Port, progress, data: Path | None = None, bootloader: bool = False) -> Port:
    """Ask the board on a port what it is (see the module's words); fills in port and returns it."""
    progress("survey.stage.micropython")
    try:
        with repl.Device(port.port, timeout=PROBE_WAIT_S, wait=PROBE_WAIT_S) as dev:
            info = dev.eval(_PROBE)
            dev.reboot()  # back to its program
        _from_micropython(port, info)
    except ReallaborError as e:
        if e.key in ("port.busy", "port.in_use"):
            port.answer, port.problem = "busy", (e.key, e.params)
            return _known(port, data)
        port.answer = "nothing"
        if e.key not in ("device.silent", "device.no_answer", "device.in_bootloader", "device.asleep"):
            port.problem = (e.key, e.params)
        elif e.key == "device.in_bootloader":
            port.answer = "bootloader"
        if bootloader:
            _from_rom(port, progress)
    return _known(port, data)


def _from_micropython(port: Port, info: dict) -> None:
    port.answer = "micropython"
    port.micropython = info.get("version", "")
    machine = info.get("machine", "")
    if info.get("platform") == "esp32":  # "Generic ESP32S3 module with ESP32S3"
        port.chip = machine.rsplit("with", 1)[-1].strip().lower().replace("-", "")
    elif not port.chip:
        port.chip = info.get("platform", "")
    mac = info.get("mac")
    if isinstance(mac, bytes) and len(mac) == 6:
        port.mac = devicecode.ident().mac_text(mac)
    firmware = info.get("firmware_firmware")
    port.firmware = "-" if not firmware else "current" if firmware == digest() else f"old {firmware}"
    if info.get("config_device"):
        port.device = f"{info['config_device']} @ {info.get('config_site') or '?'}"
        if info.get("config_deep_sleep"):
            port.device += " (deep_sleep)"


def _from_rom(port: Port, progress) -> None:
    from reallabor.flashing import flash

    progress("survey.stage.bootloader")
    r = flash.identify(port.port, progress)
    if r.ok:
        port.answer, port.chip, port.mac = "bootloader", r.chip, r.mac
        if not r.reset:
            port.problem = ("survey.press_reset", {})
    elif r.error not in ("flash.no_data",):
        port.problem = (r.error, r.params)


def _known(port: Port, data: Path | None) -> Port:
    if port.mac:
        inventory = Inventory.existing(data)
        record = inventory.get(port.mac) if inventory else None
        if record:
            port.known = f"{record.id} \"{record.name}\" @ {record.site}"
    return port
