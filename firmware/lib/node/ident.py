# Who a board is: its MAC (6 bytes) -> the device id used in topics, configs and labels, and the
# LoRaWAN DevEUI. The host's provisioning imports this same module, so both sides always agree.


def mac_text(mac):
    return ":".join("%02x" % b for b in mac)


def parse_mac(text):
    # "24:6f:28:a1:b2:c3" (or with '-', or plain hex) -> 6 bytes; ValueError otherwise.
    digits = text.replace(":", "").replace("-", "")
    if len(digits) != 12:
        raise ValueError("MAC needs 12 hex digits: %s" % text)
    return bytes(int(digits[i:i + 2], 16) for i in range(0, 12, 2))


def device_id(mac):
    # The last three bytes (the part Espressif numbers per chip), as on ESPHome and Tasmota labels.
    return "rl-%02x%02x%02x" % (mac[3], mac[4], mac[5])


def dev_eui(mac):
    # EUI-64 from the MAC-48 by inserting FFFE in the middle (IEEE's MAC-to-EUI-64 mapping).
    return "%02X%02X%02XFFFE%02X%02X%02X" % tuple(mac)
