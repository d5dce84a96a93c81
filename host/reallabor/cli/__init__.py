"""The command line: reallabor.cli.main holds the command table and main(); one module per group of
commands (traces, replay, fleet, flashing, boardio, virtual) builds its arguments and runs them;
reallabor.cli.many runs a command on many ports. Nothing below this layer imports it."""
