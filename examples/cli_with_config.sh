#!/usr/bin/env bash
# The command line: list backends, run from a config file with one override, look at the result.
set -euo pipefail
cd "$(dirname "$0")/.."
gigs plugins
gigs run --config examples/run.toml --n 4
echo "contact sheet: gigs-run-config/contact_sheet.png"
