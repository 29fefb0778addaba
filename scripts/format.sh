#!/usr/bin/env bash
# Formats every tracked C++ file with the pinned clang-format (Debian 12: clang-format 14).
# --check: report the files that would change and fail, change nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
