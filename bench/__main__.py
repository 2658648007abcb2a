"""`python -m bench` (what `make bench` runs); `python -m bench --quick` for a short smoke run."""

import sys

from bench.run import main

sys.exit(main())
