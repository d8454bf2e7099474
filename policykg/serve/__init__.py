"""The SPARQL endpoint: `endpoint` (the front process), `server` (start it from Python)."""

HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_WORKERS = 2          # queries that run at once; more wait in the listen queue
