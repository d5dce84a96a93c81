# The config as the validator (node.config) passed it last, normalized, in config.checked.json: a
# boot reads that instead of loading the validator. The validator's code leaves RAM again after
# use, but its some 150 names stay interned for good (the qstr pool only grows), and on the unix
# port they push the workshop kit's node over a doubling step of the pool: after boot its heap
# holds 4 KB more on the 32-bit build, 6 KB on the 64-bit one. The file holds for the exact bytes of config.json and
# capture.json and the firmware that checked them (its first line, key()). provision writes it
# with the config (host/reallabor/firmware/devicecode.py); after any other change the device
# checks config.json and writes it.
import binascii
import json
import os

PATH = "config.checked.json"


def key(config_crc, capture_crc, firmware):
    # the CRC-32 of config.json and capture.json (None: no such file) and the firmware digest
    # (the deploy manifest's, None without one) -> the key line
    return "%s %s %s" % ("-" if config_crc is None else "%08x" % config_crc,
                         "-" if capture_crc is None else "%08x" % capture_crc, firmware or "-")


def crc_of(path):
    # CRC-32 of a file, read a block at a time (a config may be larger than the heap has room
    # for in one piece); None if there is no such file
    buf = bytearray(256)
    crc = 0
    try:
        with open(path, "rb") as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    return crc
                crc = binascii.crc32(memoryview(buf)[:n], crc)
    except OSError:
        return None


def text(key_line, cfg):
    return key_line + "\n" + json.dumps(cfg)


def load(key_line):
    # -> the checked config if the file was made for key_line, else None
    try:
        with open(PATH) as f:
            if f.readline() != key_line + "\n":
                return None
            return json.loads(f.read())
    except (OSError, ValueError):  # none yet, or damaged: the validator checks config.json again
        return None


def save(key_line, cfg):
    # through a temporary file and a rename: a power cut leaves the old file or the new one
    try:
        with open(PATH + ".tmp", "w") as f:
            f.write(text(key_line, cfg))
        os.rename(PATH + ".tmp", PATH)
    except OSError:
        pass  # a full flash: the next boot checks config.json again
