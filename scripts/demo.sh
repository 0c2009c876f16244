#!/usr/bin/env bash
# The main job, for a newcomer: build the tools and run them on real examples.
# It grows with the project (see README.md, Quick start).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --bin conary
conary=target/debug/conary
step() { printf '\n\033[1m$ conary %s\033[0m\n' "$*" >&2; "$conary" "$@"; }

echo "== How Conary reads versions (seeds: 'Labels and Versions')" >&2
step explain version /conary.rpath.com@rpl:trunk/2.2.3-4-2
step explain version /conary.rpath.com@rpl:devel//shadow/1.2.3-3.1-1

echo >&2; echo "== The kernel shadow of the seeds: /linux26 with one local patch" >&2
step explain shadow /linux26.example.com@rpl:linux26/2.6.5-1 example.com@rpl:mypatch
step explain shadow /linux26.example.com@rpl:linux26/2.6.6-1 example.com@rpl:mypatch

echo >&2; echo "== Picking a flavor for an x86_64 machine with ssl" >&2
step explain flavor 'ssl is: x86_64' 'is: x86' 'is: x86_64' '!ssl is: x86_64' '~ssl is: x86_64' 'ssl is: x86_64(sse3)'

echo >&2; echo "== The effective configuration" >&2
step config --skip-default-config \
    --config 'installLabelPath conary.example.com@plat:1 conary.example.com@plat:1-devel' \
    --config 'flavor ssl is: x86_64' --config 'flavor is: x86'
