import sys

from tyollisyys_xl.cli import main

sys.exit(main())
