#!/usr/bin/env bash
# Installs the Go kernel for the bnn notebooks:
#
#   bnn-kernel  runs notebooks headless (bnn-kernel sine.ipynb) and is the
#               Jupyter kernel "bnn-go" (bnn-kernel -jupyter CONNECTION_FILE),
#               built on the gomacro interpreter;
#   gomacro     the interpreter's own REPL, from the same pins;
#   kernel.json the Jupyter kernel spec "bnn-go", if Jupyter is installed.
#
# Usage: examples/notebooks/install-kernel.sh [--apt-jupyter]
#
#   --apt-jupyter  first install Jupyter's nbconvert and client from Debian
#                  (needs root); enough for jupyter nbconvert --execute.
#
# Environment: PREFIX (default ~/.local) receives bin/bnn-kernel and
# bin/gomacro; JUPYTER_DATA_DIR (default: jupyter --data-dir) receives
# kernels/bnn-go/kernel.json.
#
# The pins live in kernel/go.mod, a module of its own so that the library's
# go.mod is untouched: gomacro v0.0.0-20240506194242-2ff796e3da10 with
# golang.org/x/tools v0.36.0, and "godebug gotypesalias=0", without which
# this gomacro cannot read the package types Go 1.23+ produces. Go plugins
# need cgo, so a C compiler (Debian: gcc) must be installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
bin=$prefix/bin

if [ "${1-}" = --apt-jupyter ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install-kernel: --apt-jupyter needs root" >&2
		exit 1
	fi
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		jupyter-nbconvert jupyter-client python3-nbclient >/dev/null
elif [ $# -gt 0 ]; then
	sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
	exit 2
fi

case "$(go env GOVERSION)" in
go1.26*) ;;
*) echo "install-kernel: warning: tested with Go 1.26, found $(go env GOVERSION)" >&2 ;;
esac
if [ "$(go env CGO_ENABLED)" != 1 ]; then
	echo "install-kernel: cgo is disabled (no C compiler?); Go plugins, which the interpreter uses to import the library, need it" >&2
	exit 1
fi

mkdir -p "$bin"
cd "$here/kernel"
go build -o "$bin/bnn-kernel" .
GOBIN=$bin go install tool
echo "installed $bin/bnn-kernel and $bin/gomacro"
case ":$PATH:" in
*":$bin:"*) ;;
*) echo "install-kernel: $bin is not on your PATH; add it, e.g. export PATH=\"$bin:\$PATH\"" >&2 ;;
esac

if command -v jupyter >/dev/null; then
	data=${JUPYTER_DATA_DIR:-$(jupyter --data-dir)}
	spec=$data/kernels/bnn-go
	mkdir -p "$spec"
	# GODEBUG is also built into the binary; the kernel spec repeats it for
	# a bnn-kernel built without kernel/go.mod's godebug line.
	cat >"$spec/kernel.json.tmp" <<JSON
{
 "argv": ["$bin/bnn-kernel", "-jupyter", "{connection_file}"],
 "display_name": "Go (bnn, gomacro)",
 "language": "go",
 "env": {"GODEBUG": "gotypesalias=0"}
}
JSON
	mv "$spec/kernel.json.tmp" "$spec/kernel.json"
	echo "installed the Jupyter kernel spec $spec/kernel.json"
else
	echo "jupyter not found: the Jupyter kernel spec was not installed (bnn-kernel runs notebooks without it)"
fi
