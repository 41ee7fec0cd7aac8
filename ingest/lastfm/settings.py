"""Constants of the Last.fm source."""
from __future__ import annotations

import re

DATASET = "raw_lastfm"
PIPELINE_NAME = "lastfm"
SOURCE_NAME = "lastfm"

PAGE_LIMIT = 200  # the API's maximum page size for user.getRecentTracks / getLovedTracks
REQUEST_TIMEOUT_S = 30.0

# Retries: transient API codes and HTTP statuses; everything else fails at once.
TRANSIENT_CODES = frozenset({8, 11, 16, 29})
RATE_LIMIT_CODE = 29
MAX_RETRIES = 8
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
RATE_LIMIT_BACKOFF_S = 1.0  # error 29 waits at least this long: the limit is per second or longer

# Last.fm's sign-up rule is 2-15 characters: a letter, then letters, digits, '_' or '-'.
# Older accounts also carry '.', and we allow some length slack rather than reject real users.
USERNAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{1,31}$")
