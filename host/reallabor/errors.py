"""One error type for everything a user can cause; cli.py turns it into a message and exit code."""

from reallabor.i18n import msg

EXIT_FAILED = 1  # the job ran and failed (a firmware crash, a board that did not answer)
EXIT_BAD_INPUT = 2  # a file, option or argument is wrong
EXIT_MISSING_TOOL = 3  # something this machine lacks (Mosquitto, the MicroPython simulator)


class ReallaborError(Exception):
    def __init__(self, key: str, exit_code: int = EXIT_FAILED, details: list[str] | None = None, **params):
        super().__init__(key)
        self.key = key
        self.exit_code = exit_code
        self.details = details or []
        self.params = params

    def message(self) -> str:
        return msg(self.key, **self.params)
