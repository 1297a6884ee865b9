import sys

from followthru.cli import main

sys.exit(main())
