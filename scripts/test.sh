#!/usr/bin/env bash
# The project's tests: gofmt, vet, the race detector over every package (long cases are skipped
# under -short), then every test without -race, including the signal tests against the built
# binary and the accuracy floors on the public data. Tests that need ../shared/data skip with a
# message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== gofmt"; test -z "$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; exit 1; }
echo "== go vet"; go vet ./...
echo "== go test -race -short"; go test -race -short -count=1 ./...
echo "== go test (everything, without -race: long cases, signals to the real binary, accuracy floors on ../shared/data)"; go test -count=1 ./...
