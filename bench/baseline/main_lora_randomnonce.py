# Entry point of a comparison node: our firmware, nothing of LoRaWAN on flash, a random DevNonce.
import hal

board = hal.load()

from node import app  # noqa: E402
from lora_naive import RandomNonceUplink  # noqa: E402

app.main(board, RandomNonceUplink)
