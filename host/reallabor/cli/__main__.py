import sys

from reallabor.cli.main import main

sys.exit(main())
