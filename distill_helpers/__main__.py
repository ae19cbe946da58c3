"""`python -m distill_helpers`: runs the command line (`cli.main`)."""
import sys

from .cli import main

sys.exit(main())
