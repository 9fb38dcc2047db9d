#!/usr/bin/env bash
# Run every benchmark in bench/ (never part of `make test`); each prints a JSON line last.
# Results are collected in bench/out/results.jsonl. Pass --quick through BENCH_ARGS for short runs.
# bench/cluster.py needs HAProxy (make haproxy-deps) and PostgreSQL + Redis (scripts/services.sh).
set -uo pipefail
mkdir -p bench/out
: > bench/out/results.jsonl
status=0
for script in bench/*.py; do
  name=$(basename "$script" .py)
  echo "== $name"
  if .venv/bin/python "$script" ${BENCH_ARGS:-} | tee "bench/out/$name.log"; then
    tail -n 1 "bench/out/$name.log" >> bench/out/results.jsonl
  else
    echo "bench $name failed" >&2
    status=1
  fi
done
echo "results: bench/out/results.jsonl"
exit $status
