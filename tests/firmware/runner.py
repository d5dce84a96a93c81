# Runs one firmware test function under MicroPython: runner.py MODULE FUNCTION.
# Prints PASS on success; an exception prints its traceback and exits 1. Each test runs in a fresh
# temporary directory (the "flash").
import os
import sys

import asyncio


def main():
    module_name, func_name = sys.argv[1], sys.argv[2]
    flash = "/tmp/rl-fwtest-%d" % os.getpid()
    os.mkdir(flash)
    os.chdir(flash)
    try:
        module = __import__(module_name)
        result = getattr(module, func_name)()
        if result is not None and hasattr(result, "send"):  # an async test
            asyncio.run(result)
    finally:
        for name in os.listdir():
            os.remove(name)
        os.chdir("/")
        os.rmdir(flash)
    print("PASS")


try:
    main()
except Exception as e:
    sys.print_exception(e)
    sys.exit(1)
