"""The error shapes of the host package. ReallaborError is everything a user can cause; the CLI
turns it into a message and an exit code in one place (reallabor.cli). A Problem is one thing
wrong in a user's file, as data (the validators of boards, traces, site profiles and configs
return them); its wording happens only when it is shown (reallabor.i18n.describe)."""

from dataclasses import dataclass, field as _field

from reallabor.i18n import describe, msg

EXIT_FAILED = 1  # the job ran and failed (a firmware crash, a board that did not answer)
EXIT_BAD_INPUT = 2  # a file, option or argument is wrong; a port that does not exist
EXIT_MISSING_TOOL = 3  # something this machine lacks (Mosquitto, the MicroPython simulator)
EXIT_INTERRUPTED = 130  # Ctrl-C


@dataclass
class Problem:
    key: str  # message key, e.g. "board.problem.pin_range"
    field: str = ""  # where in the file: "i2c.i2c0.sda", "sensors[2].addr"
    line: int | None = None  # the line of a text file (traces)
    params: dict = _field(default_factory=dict)


class Cancelled(Exception):
    """A batch was interrupted (Ctrl-C): a job raises this at its next step and stops there."""


class ReallaborError(Exception):
    def __init__(self, key: str, exit_code: int = EXIT_FAILED, details: list | None = None, **params):
        super().__init__(key)
        self.key = key
        self.exit_code = exit_code
        self.details = details or []  # lines (str) or Problems, shown below the message
        self.params = params
        self.columns: dict = {}  # a job on one of many ports: what it found before it failed

    def message(self) -> str:
        return msg(self.key, **self.params)

    def detail_lines(self) -> list[str]:
        return [describe(d) if isinstance(d, Problem) else str(d) for d in self.details]
