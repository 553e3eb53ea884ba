#!/usr/bin/env bash
# Installs the community TextFSM template library, ntc-templates (Apache-2.0), at the
# pinned version into the project's cache and prints its templates directory (the one
# holding `index`). Idempotent: a second run only prints the path. The wheel comes from
# PyPI through pip (`pip download`, so pip's index and mirror settings apply) and is
# checked against the pinned SHA-256 before anything is extracted; only
# `ntc_templates/templates/` and the licence are kept. Nothing is copied into the
# repository: the services read the directory named by TEXTFSM_TEMPLATES_DIR.
#   ntc-templates.sh            install into $TOOLKIT_CACHE (~/.cache/toolkit) if missing
#   ntc-templates.sh DIR        install into DIR (the container image uses this)
set -euo pipefail
version=9.3.0
sha256=ad607a137e68e302de041ed0e9973fa3f192d32ed44a0092219886f557be814f
cache=${TOOLKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/toolkit}
dest=${1:-$cache/ntc-templates-$version}
if [ -f "$dest/templates/index" ]; then echo "$dest/templates"; exit 0; fi

python=
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -m pip --version >/dev/null 2>&1; then python=$candidate; break; fi
done
[ -n "$python" ] || { echo "[templates] pip is required to fetch ntc-templates (apt-get install python3-pip)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[templates] fetching ntc-templates $version" >&2
"$python" -m pip download --quiet --no-deps --only-binary=:all: "ntc-templates==$version" -d "$tmp" >&2
wheel=$tmp/ntc_templates-$version-py3-none-any.whl
echo "$sha256  $wheel" | sha256sum --check --quiet >&2 \
  || { echo "[templates] $wheel does not have the pinned SHA-256" >&2; exit 1; }
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.part"
"$python" - "$wheel" "$dest.part" <<'PY'
import sys, zipfile, pathlib
wheel, out = sys.argv[1], pathlib.Path(sys.argv[2])
prefix = 'ntc_templates/templates/'
with zipfile.ZipFile(wheel) as z:
    for info in z.infolist():
        name = info.filename
        if name.startswith(prefix) and not name.endswith('/'):
            target = out / 'templates' / name[len(prefix):]
        elif name.endswith('.dist-info/LICENSE'):
            target = out / 'LICENSE'
        else:
            continue
        if '..' in pathlib.PurePosixPath(name).parts:
            sys.exit(f'unsafe path in wheel: {name}')
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(z.read(info))
PY
echo "$version" > "$dest.part/VERSION"
rm -rf "$dest" && mv "$dest.part" "$dest"
echo "$dest/templates"
