import sys

from goffi.cli import main

sys.exit(main())
