"""`python -m ingest <command>`: the user-facing CLI."""
from ingest.pipeline.cli import main

raise SystemExit(main())
