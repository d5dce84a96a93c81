"""The simulated board's life across boots. The firmware runs in unix-port MicroPython; a deep-sleep
wake-up or a watchdog reset ends the process ("sim restart" on its console), and a power loss from
the trace's fault script kills it at a random instant. An app that dies of an uncaught exception
with its watchdog armed is reset by it, as a board left in its REPL is (hal/sim.py, _app_died).
Each time the next boot starts on the same flash directory with virtual time continued
(RL_START_MS), with the RTC memory kept unless the power went."""

import os
import random
import subprocess
import threading
import time
from dataclasses import dataclass

from reallabor.env import pin_to_board_cpu
from reallabor.firmware import console
from reallabor.traces.fileformat import HOST_FAULTS
KILL_DELAY_S = 0.003  # a power loss lands up to this long (real time) after its announcement
STALL_S = 30  # a board silent this long (real time) hangs: it is stopped and the run fails
CRASH_LOOP_BOOTS = 2  # boots in a row that crash before a reading: it would go on so, the run ends


@dataclass
class Boot:
    start_ms: int = 0
    cause: str = "power"
    rtc: str = ""


class SimDevice:
    """on_line(text, boot_ms) gets every console line with the virtual ms since the trace start at
    which its boot began (the line's uptime counts from there, as a board's does from its boot);
    faults (optional) is a FaultDriver: fire(index) when the firmware reaches a host fault,
    advance(ms) for faults that fall while the board is off; radio (optional) is a simulated
    gateway (sim/gateway.py): heard(ms, frame) for each `radio tx` line, and listen(ms, freq, sf,
    bw) -> the lines to answer a `radio listen` with; readings (optional) -> how many readings the
    board has stored so far (on_line's consumer counts them), to tell a crash loop."""

    def __init__(self, command: list[str], flash: str, env: dict, end_ms: int, on_line, faults=None, seed: int = 0,
                 radio=None, readings=lambda: 0):
        self.command = command
        self.flash = flash
        self.env = env
        self.end_ms = end_ms
        self.on_line = on_line
        self.faults = faults
        self.radio = radio
        self.readings = readings
        self.random = random.Random(seed)
        self.stderr: list[str] = []
        self.boots = 0
        self.process = None
        self.last_ms = 0  # the last instant (virtual ms) the previous boot was seen alive

    def run(self) -> int:
        """-> 0, or the exit code of the first boot that crashed (the watchdog may have restarted
        the board after it, as on a board: the replay goes on, and the crash still counts)."""
        boot = Boot()
        crashed = 0
        barren = 0  # crashed boots in a row that stored no reading
        while True:
            if self.faults:
                self.faults.advance(boot.start_ms)
            before = self.readings()
            rc, boot = self._boot(boot)
            crashed = crashed or rc
            barren = barren + 1 if rc and self.readings() == before else 0
            if barren == CRASH_LOOP_BOOTS and boot is not None:
                self.stderr.append(f"the firmware crashed {barren} times in a row before a reading: the replay stops\n")
                boot = None
            if boot is None or boot.start_ms > self.end_ms:
                return crashed
            self._pace(boot.start_ms - self.last_ms)

    def _pace(self, off_ms: int) -> None:
        """At a speed factor the time a board spends off (deep sleep, power loss) passes in real
        time too, divided by the factor; at max speed the next boot starts at once."""
        speed = self.env.get("RL_SPEED", "max")
        if speed != "max" and off_ms > 0:
            time.sleep(off_ms / 1000 / float(speed))

    def _boot(self, boot: Boot) -> tuple[int, Boot | None]:
        env = dict(self.env, RL_START_MS=str(boot.start_ms), RL_RESET=boot.cause, RL_RTC=boot.rtc,
                   RL_HOST_FAULTS=",".join(HOST_FAULTS) if self.faults else "")
        self.boots += 1
        proc = self.process = subprocess.Popen(
            self.command, cwd=self.flash, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
        )
        pin_to_board_cpu(proc.pid)
        reader = threading.Thread(target=lambda: self.stderr.extend(proc.stderr), daemon=True)
        reader.start()
        seen = [time.monotonic()]
        stalled = threading.Event()

        def watch():
            while proc.poll() is None:
                if time.monotonic() - seen[0] > STALL_S:
                    stalled.set()
                    proc.kill()
                time.sleep(0.5)

        threading.Thread(target=watch, daemon=True).start()
        last_t = boot.start_ms
        after = None  # the next boot
        power_off_ms = None
        try:
            for line in proc.stdout:
                line = line.rstrip("\n")
                seen[0] = time.monotonic()
                self.on_line(line, boot.start_ms)
                entry = console.parse(line)
                if not entry:
                    continue
                last_t = max(last_t, boot.start_ms + entry.uptime_ms)
                restart = console.sim_restart(entry.text)
                fault = console.sim_fault(entry.text)
                if self.radio and entry.text.startswith("radio "):
                    self._radio(boot.start_ms + entry.uptime_ms, entry.text, proc)
                elif restart:
                    after = Boot(restart[1], restart[0], restart[2])
                elif fault and fault[1] == "power_loss":
                    if power_off_ms is None:
                        power_off_ms = self.faults.off_ms(fault[0]) if self.faults else 1000
                        threading.Timer(self.random.uniform(0, KILL_DELAY_S), proc.kill).start()
                elif fault and self.faults and fault[1] in HOST_FAULTS:
                    self.faults.fire(fault[0])
                    try:
                        proc.stdin.write(f"fault {fault[0]}\n")  # done: the board waits for this one
                        proc.stdin.flush()
                    except BrokenPipeError:
                        pass  # the power went meanwhile
            rc = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        finally:
            reader.join(5)
            for s in (proc.stdin, proc.stdout, proc.stderr):
                try:
                    s.close()
                except BrokenPipeError:
                    pass  # a killed board's stdin still had the host's answer buffered
        self.last_ms = last_t
        if stalled.is_set():
            self.stderr.append(f"no output for {STALL_S} s: the board hangs, stopped\n")
            return rc, None
        if power_off_ms is not None:
            # Off from the last instant the board was seen alive; the RTC memory is gone.
            return 0, Boot(last_t + power_off_ms, "power", "")
        return rc, after


    def _radio(self, t_ms: int, text: str, proc) -> None:
        tx = console.radio_tx(text)
        if tx:
            self.radio.heard(t_ms, tx)
            return
        window = console.radio_listen(text)
        if window:
            freq_hz, sf, bw_khz, n = window
            reply = "".join(line + "\n" for line in self.radio.listen(t_ms, freq_hz, sf, bw_khz)) + f"end {n}\n"
            try:
                proc.stdin.write(reply)
                proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                pass  # the power went meanwhile


def environment(micropython_path: str, **values) -> dict:
    """The process environment for the simulator: MICROPYPATH plus RL_* settings."""
    env = dict(os.environ, MICROPYPATH=micropython_path)
    env.update({f"RL_{k.upper()}": str(v) for k, v in values.items() if v is not None})
    return env
