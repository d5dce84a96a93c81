# Entry point of the comparison firmware: our sampling cycle, with umqtt.simple as the transport.
from node import app
from uplink_umqtt import UmqttUplink

app.main(UmqttUplink)
