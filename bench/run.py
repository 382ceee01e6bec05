"""`make bench`: every benchmark the issues name, each against its baseline in the same run."""

from __future__ import annotations

from bench import ingest_bench, nab_bench, text_bench


def main() -> None:
    ingest_bench.run()
    nab_bench.run_table()
    text_bench.run()


if __name__ == "__main__":
    main()
