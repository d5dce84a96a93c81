# Entry point of the comparison firmware: our sampling cycle, with umqtt.simple as the transport.
import hal

board = hal.load()

from node import app  # noqa: E402
from uplink_umqtt import UmqttUplink  # noqa: E402

app.main(board, UmqttUplink)
