#!/usr/bin/env bash
# A Maillage cluster on loopback until Ctrl-C: moto's S3 server, a PostgreSQL database and a
# Redis prefix of its own, two `maillage serve` hosts (separate data directories), one
# `maillage worker` and HAProxy in front. Prints the addresses; Ctrl-C stops everything and
# drops the database. Options: --hosts N, --seed (a campaign, its agent's API token…).
# The code is maillage.core.cluster, which the cluster tests and bench/cluster.py reuse.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m maillage.core.cluster "$@"
