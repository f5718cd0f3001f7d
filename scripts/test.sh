#!/usr/bin/env bash
# The project's tests: vet, the race detector over every package (long real-data cases are
# skipped under -short), then the accuracy floors on the public data without -race. Tests that
# need ../shared/data skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== gofmt"; test -z "$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; exit 1; }
echo "== go vet"; go vet ./...
echo "== go test -race -short"; go test -race -short -count=1 ./...
echo "== go test (accuracy floors on real data)"; go test -count=1 -run 'Accuracy|RealData' ./...
