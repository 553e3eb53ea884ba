#!/usr/bin/env bash
# Scaffold an Nx project: tools/scripts/new-project.sh <dir> <npm-name> <projectType> <tag>...
# e.g. tools/scripts/new-project.sh libs/platform/errors @toolkit/errors library scope:shared type:platform
set -euo pipefail
dir=$1 name=$2 kind=$3; shift 3
mkdir -p "$dir/src"
short=${name#@toolkit/}
tags=$(printf '"%s", ' "$@"); tags="[${tags%, }]"
[ -f "$dir/package.json" ] || cat > "$dir/package.json" <<JSON
{ "name": "$name", "version": "0.1.0", "private": true, "main": "src/index.ts" }
JSON
[ -f "$dir/project.json" ] || cat > "$dir/project.json" <<JSON
{
  "name": "$short",
  "\$schema": "../../node_modules/nx/schemas/project-schema.json",
  "sourceRoot": "$dir/src",
  "projectType": "$kind",
  "tags": $tags,
  "targets": { "test": {}, "lint": {} }
}
JSON
