#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter: pyenv's 3.10.13 where present, else python3.10.
set -u
if command -v pyenv >/dev/null 2>&1; then
  prefix=$(pyenv prefix 3.10.13 2>/dev/null) && [ -x "$prefix/bin/python3.10" ] && { echo "$prefix/bin/python3.10"; exit 0; }
fi
for candidate in "$HOME/.pyenv/versions/3.10.13/bin/python3.10" "$(command -v python3.10 2>/dev/null)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
done
echo "error: Python 3.10 is needed (Rasa 3.6 does not run on 3.11+): install it with 'pyenv install 3.10.13' or your package manager's python3.10" >&2
exit 1
