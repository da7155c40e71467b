import sys

from production.cli import main

sys.exit(main())
