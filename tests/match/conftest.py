import os

for _k, _v in (("RUNTIME__DLTHUB_TELEMETRY", "false"), ("DBT_SEND_ANONYMOUS_USAGE_STATS", "false"),
               ("GX_ANALYTICS_ENABLED", "false")):
    os.environ.setdefault(_k, _v)
