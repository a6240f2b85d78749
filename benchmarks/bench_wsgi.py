"""gunicorn entry point for the OpenRosa benchmark: HBMM plus the benchmark mapper."""

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

application = importlib.import_module("hbmm.wsgi").application  # sets Django up first
importlib.import_module("bench_mapper").install()
