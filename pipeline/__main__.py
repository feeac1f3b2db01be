"""`python -m pipeline` is `intake`."""
from pipeline.cli.main import main

main()
