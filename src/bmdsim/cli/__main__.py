import sys

from bmdsim.cli import main

sys.exit(main())
