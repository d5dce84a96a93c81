# The node's firmware (node.app is the entry point). Two facts of MicroPython its code keeps to,
# referred to as "node/__init__.py" where they matter:
# - A new str is first looked for among all interned strings (a scan of hundreds, some 7,500
#   instructions); a new bytes object is not. The hot paths make bytes: the state message, log
#   lines, file paths.
# - The table of interned names grows by doubling, in one block (about 14 KB at 1280 names on the
#   64-bit port). A module's names are interned at its first import and stay; a first import late
#   in a run may find no such block free, and fails again at every try. So a node imports what it
#   will need while the heap is young: at boot, or right after the LoRaWAN join.
