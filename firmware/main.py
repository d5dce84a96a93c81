# Entry point on the board and in the simulator; everything else lives in lib/node and hal/.
from node import app

app.main()
