#!/usr/bin/env bash
# Set up, then run the main job: grade the seed's Staff-level example answer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/stardrive grade examples/killed_own_project_staff.txt --archetype killed_own_project \
  --question "Tell me about a time you killed a project that you had been championing."
