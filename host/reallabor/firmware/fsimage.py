"""A LittleFS image of the board's filesystem (what MicroPython mounts at /), built on the host so a
board leaves the flashing bench ready to run, without copying files over the REPL.

MicroPython on the ESP32 mounts LittleFS v2 with 4096-byte blocks over the whole filesystem region;
the image mounts only if block size and block count match that region exactly."""

from pathlib import Path

from reallabor.espimage import BLOCK


def build(files: dict[str, bytes], block_count: int) -> bytes:
    """Format a filesystem of block_count blocks and write files (path -> content) into it."""
    from littlefs import LittleFS

    fs = LittleFS(block_size=BLOCK, block_count=block_count)
    for path, content in sorted(files.items()):
        parent = path.rpartition("/")[0]
        if parent:
            fs.makedirs(parent, exist_ok=True)
        with fs.open(path, "wb") as f:
            f.write(content)
    return bytes(fs.context.buffer)


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root, keyed by its path relative to root."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read(image: bytes, block_count: int) -> dict[str, bytes]:
    """Mount an image the way the board will and return its files (for checks and tests)."""
    from littlefs import LittleFS, UserContext

    context = UserContext(len(image), bytearray(image))
    fs = LittleFS(context=context, block_size=BLOCK, block_count=block_count, mount=False)
    fs.mount()
    found = {}
    for top, _dirs, names in fs.walk("/"):
        for name in names:
            path = f"{top.rstrip('/')}/{name}".lstrip("/")
            with fs.open(path, "rb") as f:
                found[path] = f.read()
    return found
