# Entry point on the board and in the simulator: pick the board first (in the simulator it also
# provides virtual time, which must be in place before the firmware is imported), then run the app.
import hal

board = hal.load()

from node import app  # noqa: E402

app.main(board)
