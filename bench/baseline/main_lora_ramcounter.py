# Entry point of a comparison node: our firmware, the LoRaWAN frame counter kept in RAM only.
import hal

board = hal.load()

from node import app  # noqa: E402
from lora_naive import RamCounterUplink  # noqa: E402

app.main(board, RamCounterUplink)
