"""`make bench`: every benchmark the issues name, each against its baseline in the same run."""

from __future__ import annotations

from bench import evaluate_bench, ingest_bench


def main() -> None:
    ingest_bench.run()
    print()
    evaluate_bench.run()  # builds its 10M-row lake under bench/.data/ on the first run (~2 min), then reuses it


if __name__ == "__main__":
    main()
