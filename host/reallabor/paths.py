"""Where the firmware, board definitions and sample traces live (a source checkout)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
FIRMWARE_LIB = FIRMWARE / "lib"
BOARDS = ROOT / "boards"
TRACES = ROOT / "traces"
