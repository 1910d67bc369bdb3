"""The app's settings with the URLconf of bench/api_floor.py: for bench/api_load.sh only."""

from salesperf.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_floor"
