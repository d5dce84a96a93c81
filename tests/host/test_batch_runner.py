"""The many-ports runner without boards: Ctrl-C (a real SIGINT, raised while the batch runs) stops
every job at its next step, and the table says what became of each port; what each command
advises for a port it left half-way; one MAC on two ports is refused."""

import io
import signal
import threading
import time

import pytest

from reallabor.boardio import deploy, ports, provision
from reallabor.errors import ReallaborError
from reallabor.flashing import flash

pytestmark = pytest.mark.usefixtures("english")


def test_ctrl_c_stops_each_job_at_its_next_step(tmp_path):
    names = [str(tmp_path / n) for n in ("a", "b", "c", "d")]
    done_a = threading.Event()

    def job(port, progress):
        name = port[-1]
        if name == "a":  # finishes before the Ctrl-C
            progress("deploy.stage.check")
            done_a.set()
            return {"files": 3}
        if name == "b":  # busy step after step until it is told to stop
            progress("deploy.stage.check")
            while True:
                progress("deploy.stage.file", n=1, total=9, path="x")
                time.sleep(0.05)
        if name == "c":  # still waiting for its board: it never reported a step
            while not progress.cancelled:
                time.sleep(0.05)
            from reallabor.errors import Cancelled

            raise Cancelled()
        raise ReallaborError("device.silent", port=port, seconds=1)  # d fails on its own

    def ctrl_c():
        done_a.wait(5)
        time.sleep(0.3)
        signal.raise_signal(signal.SIGINT)  # the handler runs in the main thread, in ports.run

    threading.Thread(target=ctrl_c, daemon=True).start()
    outcomes = ports.run(names, job, out=io.StringIO(), refresh_s=0.02)
    assert outcomes.interrupted
    assert [o.state for o in outcomes] == [ports.DONE, ports.STOPPED, ports.NOT_STARTED, ports.FAILED]
    assert outcomes[1].reached("deploy.stage.file") == {"n": 1, "total": 9, "path": "x"}
    lines = ports.table(outcomes, [("files", "ports.col.files")], lambda o: deploy.after_interrupt(o, "b1"))
    assert lines[1].split()[:3] == [names[0], "ok", "3"]
    assert lines[2].split()[1] == "STOPPED" and lines[3].split()[1:3] == ["not", "started"]
    assert any(line.startswith(f"{names[1]}: Half-deployed") for line in lines)
    assert f"{names[2]}: Nothing was written. Deploy with: reallabor deploy --port {names[2]} --board b1" in lines
    assert lines[-1] == "Interrupted: 1 done, 1 failed, 1 stopped half-way, 1 not started."


def outcome(*stages):
    o = ports.Outcome("/dev/ttyUSB0", "/dev/ttyUSB0")
    o.stages = list(stages)
    return o


def test_what_provision_advises_after_an_interruption():
    recorded = ("provision.stage.recorded", {"id": "rl-000001", "new_secrets": True})
    assert provision.after_interrupt(outcome(("provision.stage.mac", {}))) == \
        [("provision.stopped_before", {"port": "/dev/ttyUSB0"})]
    assert provision.after_interrupt(outcome(recorded, ("provision.stage.config", {}))) == [
        ("provision.stopped_half", {"id": "rl-000001", "port": "/dev/ttyUSB0"}),
        ("provision.export_again_one", {"id": "rl-000001"})]
    kept = ("provision.stage.recorded", {"id": "rl-000001", "new_secrets": False})
    assert provision.after_interrupt(outcome(kept, ("provision.stage.reset", {}))) == \
        [("provision.stopped_at_reset", {"id": "rl-000001"})]


def test_what_flash_advises_after_an_interruption():
    assert flash.after_interrupt(outcome(("flash.stage.connect", {})), "b")[0][0] == "flash.stopped_before"
    assert flash.after_interrupt(outcome(("flash.stage.erase", {}), ("flash.stage.write", {"percent": 40})), "b") == \
        [("flash.stopped_half", {"port": "/dev/ttyUSB0", "board": "b"})]
    assert flash.after_interrupt(outcome(("flash.stage.reset", {})), "b")[0][0] == "flash.stopped_at_reset"


def test_one_mac_on_two_ports_is_refused():
    claims = ports.Claims()
    claims("02:00:00:00:00:01", "/dev/ttyUSB0")
    claims("02:00:00:00:00:01", "/dev/ttyUSB0")  # the same port again: fine
    claims("02:00:00:00:00:02", "/dev/ttyUSB1")
    with pytest.raises(ReallaborError) as e:
        claims("02:00:00:00:00:01", "/dev/ttyUSB2")
    assert e.value.key == "ports.same_mac" and e.value.params["other"] == "/dev/ttyUSB0"
    assert "/dev/ttyUSB0 too" in e.value.message()
