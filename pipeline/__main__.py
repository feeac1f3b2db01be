"""`python -m pipeline` is `intake`."""
from pipeline.cli import main

main()
