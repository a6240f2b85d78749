"""gunicorn entry point for the OpenRosa benchmark: HBMM plus the benchmark mapper."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hbmm.wsgi import application  # noqa: E402,F401

import bench_mapper  # noqa: E402

bench_mapper.install()
