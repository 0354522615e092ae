import sys

from ipsec_ops.cli import main

sys.exit(main())
