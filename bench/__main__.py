"""`make bench`, `python -m bench`: the load benchmark (bench/load.py). The scale
micro-benchmarks run in-process: `python -m bench.admin` and `python -m bench.members`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.load import main  # noqa: E402

if __name__ == "__main__":
    main()
