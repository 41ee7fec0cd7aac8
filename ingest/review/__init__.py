"""Match review: sample matches, verify them by hand, store verdicts as overrides,
measure precision per confidence level, and calibrate the matcher's thresholds.

Entry points: `cli.main(argv)` (python -m ingest review ...), `calibrate.main(argv)`
(python -m ingest.match calibrate ...), `quality.measure(settings)`.
"""
