# Runs one firmware test function under MicroPython: runner.py MODULE FUNCTION, in a fresh
# directory that acts as the flash. Prints PASS on success; an exception prints its traceback.
import hal.simtime  # noqa: F401  first: virtual time and asyncio's scheduler, as in a replay
import sys

import asyncio


def main():
    module = __import__(sys.argv[1])
    result = getattr(module, sys.argv[2])()
    if result is not None and hasattr(result, "send"):  # an async test
        asyncio.run(result)
    print("PASS")


try:
    main()
except Exception as e:
    sys.print_exception(e)
    sys.exit(1)
