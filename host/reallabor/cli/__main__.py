import sys

from reallabor.cli import main

sys.exit(main())
