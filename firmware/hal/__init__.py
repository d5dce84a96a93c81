# The one place that looks at the platform: load() picks the board (hardware layer) once at start-up;
# main.py hands it to the app, so nothing in lib/node knows which platform it runs on.
#
# The board contract: what the firmware core may call on the board object. hal/esp32.py (the
# ESP32 family) and hal/sim.py (the unix port, for replays) both provide exactly this; a host
# test checks both, and the tests' own boards, against the list below.
#   setup() -> ms                        once, first: wall time from the RTC, switched sensor power
#                                        on; -> how long the sensors' supply has been on (0: just now)
#   device_id() -> str                   "rl-a1b2c3", derived from the MAC (node.ident)
#   mac() -> bytes                       the 6-byte base MAC
#   battery_mv() -> int or None          the battery's voltage (board file "battery"), None without
#   rssi_dbm() -> int or None            the Wi-Fi signal while joined
#   i2c(name, overrides) -> bus          "i2c0": machine.I2C's readfrom_mem_into, writeto_mem,
#                                        writeto, readfrom_into; freq, timeout_us and soft (a
#                                        software bus) from the board file, overrides (a dict or
#                                        None) from the config; a bus the board file lacks answers
#                                        OSError(ENODEV) on every call
#   uart(name, baudrate) -> bus          "uart1": machine.UART with timeout=0: any, readinto, write
#   connect_network(wifi, timeout_ms)    awaitable: join the network (no-op when joined); OSError,
#                                        OSError(EINPROGRESS) while the station still (re)joins
#   sync_time(server) -> bool            one NTP query (blocking): sets wall time (node.clock)
#   connect_tcp(host, port, ca, timeout_ms)  awaitable -> a connected non-blocking stream with
#                                        readinto/write/close (None = would block); ca: the path of
#                                        a CA certificate on flash for TLS, or None for plain TCP
#   running() -> bool                    False once a replay's end is reached (a board: always True)
#   stopped()                            after the app's last cycle
#   reset_cause() -> str                 "power", "deepsleep" or "watchdog"
#   rtc_memory() -> bytes                what save_rtc() kept over deep sleep (b"" after power-up)
#   save_rtc(data)
#   watchdog(timeout_ms) -> dog          started; dog.feed() before timeout_ms has passed
#   deepsleep(ms)                        does not return: the next boot comes after ms
#   radio() -> radio                     the board's LoRa radio (node.radio contract), or None
#   capture(settings)                    record every bus transaction from now on (hal/record.py,
#                                        imported only then); settings: the config's capture section
import sys


def load():
    if sys.platform == "esp32":
        from hal import esp32 as board
    else:
        from hal import sim as board
    return board
