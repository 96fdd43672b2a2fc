"""Where the general path's time goes: self time per source file under cProfile.

Runs the M/M/60 model of bench_simulation.py on the general path (engine) once and prints
the share of self time of each file of the project (engine, kernel, driver, collector, records).
Usage: PYTHONPATH=$PWD python benchmarks/profile_general.py [--hours N]
"""

from __future__ import annotations

import argparse
import cProfile
import pathlib
import pstats
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import bench_simulation

ROOT = str(pathlib.Path(__file__).resolve().parent.parent) + "/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=4, choices=range(1, 169), metavar="1..168")
    args = parser.parse_args()
    prof = cProfile.Profile()
    prof.runcall(bench_simulation.run_general, args.hours, 1)
    shares: dict[str, float] = {}
    for (path, _line, _name), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(
        prof
    ).stats.items():  # type: ignore[attr-defined]
        key = (
            path[len(ROOT) :] if path.startswith(ROOT) else ("builtins" if path == "~" else "other")
        )
        shares[key] = shares.get(key, 0.0) + tottime
    total = sum(shares.values()) or 1.0
    for key, secs in sorted(shares.items(), key=lambda kv: -kv[1])[:15]:
        print(f"{secs / total * 100:5.1f} %  {key}")


if __name__ == "__main__":
    main()
