"""`make bench`: every benchmark the issues name, each against its baseline in the same run.

Timings go here, never into tests (the machines are shared and noisy); each benchmark checks
that the fast path and its baseline give the same answers before it prints a ratio.
"""

from __future__ import annotations

from bench import (
    cli_bench,
    evaluate_bench,
    evaluate_field_bench,
    ingest_bench,
    monitor_bench,
    nab_bench,
    qa_bench,
    survey_bench,
    text_bench,
    topic_eval,
    verify_bench,
    web_bench,
)


def main() -> None:
    ingest_bench.run()  # issue 2: 1M-row CSV ingest vs DuckDB's COPY
    print()
    evaluate_bench.run()  # issue 3: builds its 10M-row lake under bench/.data/ on the first run (~2 min)
    print()
    evaluate_field_bench.run(1.0, 3)  # issue 17: the same lake at the field level agent_id vs hand-written SQL
    print()
    nab_bench.run_table()  # issue 4: detectors on the Numenta Anomaly Benchmark
    print()
    monitor_bench.run()  # issue 4: stream throughput vs pandas, HTTP intake, alert latency (~1.5 min)
    print()
    text_bench.run()  # issue 5: sentiment accuracy and speed vs snownlp
    print()
    verify_bench.run()  # issue 6: 10M-unit verification vs load + SciPy
    print()
    web_bench.run()  # issue 7: p95 of pages and list endpoints, 50 clients, 1M-interaction demo (~1 min)
    print()
    cli_bench.run()  # issue 16: `valueloop --help` wall time and peak RSS vs `python -c pass`
    print()
    qa_bench.run()  # issue 22: conversations scored per second per core on a 15-item rubric vs a reference
    print()
    topic_eval.run()  # issue 19: topic precision/recall per starter taxonomy: tuned, held-back, each extra set
    print()
    survey_bench.run()  # issue 21: survey page p95 under 100 respondents vs /health; trigger over 1M interactions


if __name__ == "__main__":
    main()
