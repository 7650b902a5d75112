import sys

from flowengine.cli import main

sys.exit(main())
