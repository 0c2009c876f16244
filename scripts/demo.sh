#!/usr/bin/env bash
# The main job, for a newcomer: build the tools and run them on real examples.
# It grows with the project (see README.md, Quick start).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --quiet --bin conary
conary="${CARGO_TARGET_DIR:-target}/debug/conary"
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

# ---------------------------------------------------------------------------
# The whole loop on one machine: a repository on loopback with its embedded
# database, the corpus's older Debian packages imported and installed into a
# fresh root, the newer ones imported and updated to, then queried,
# verified and rolled back. Everything lives in a temporary directory,
# removed (and the server stopped) on exit.

corpus="${CONARY_DEBIAN_CORPUS:-}"
if [ -z "$corpus" ]; then
    dir="$PWD"
    while [ "$dir" != / ]; do
        dir="$(dirname "$dir")"
        if [ -f "$dir/shared/corpus/debian/MANIFEST" ]; then corpus="$dir/shared/corpus/debian"; break; fi
    done
fi
if [ -z "$corpus" ] || [ ! -d "$corpus" ]; then
    echo "the Debian corpus is missing: expected shared/corpus/debian beside the repository (or set CONARY_DEBIAN_CORPUS)" >&2
    exit 1
fi

cargo build --quiet --bin conary --bin cvc --bin conary-repos
bin="${CARGO_TARGET_DIR:-$PWD/target}/debug"
work="$(mktemp -d)"
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
# The demo's own ~/.conaryrc, so that no option repeats the repository.
export HOME="$work"
run() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; "$bin/$@"; }
# Long indented lists (dependencies the corpus lacks, a rollback's troves)
# shortened to a count.
short() {
    awk '/^(    |\t)/ { n++; next }
         n { print "    ... and " n " more lines"; n = 0 }
         { print; fflush() }
         END { if (n) print "    ... and " n " more lines" }'
}

echo >&2; echo "== A repository on loopback (embedded database, in $work)" >&2
run conary-repos init repo --name conary.example.com
echo demo-password | run conary-repos user add repo admin --admin
"$bin/conary-repos" serve repo --listen 127.0.0.1:0 >serve.out 2>serve.log &
server_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' serve.out 2>/dev/null && break; sleep 0.1; done
address="$(sed -n 's/^listening on //p' serve.out)"
[ -n "$address" ] || { echo "the server did not start: $(cat serve.log)" >&2; exit 1; }
echo "serving on http://$address/ (pid $server_pid)" >&2
cat >.conaryrc <<RC
repositoryMap conary.example.com http://$address/
user conary.example.com admin demo-password
installLabelPath conary.example.com@deb:12
flavor is: x86_64
RC
echo "~/.conaryrc:" >&2; sed 's/^/    /' .conaryrc >&2

# The oldest and the newest .deb of each package (dpkg orders versions as
# sort -V does for these names).
packages=() oldest=() newest=()
for name in $(ls "$corpus"/*.deb | xargs -n1 basename | sed 's/_.*//' | sort -u); do
    versions=($(ls "$corpus/${name}"_*.deb | sort -V))
    packages+=("$name"); oldest+=("${versions[0]}"); newest+=("${versions[-1]}")
done

echo >&2; echo "== Import the older version of each of the ${#packages[@]} corpus packages" >&2
run cvc import-deb --label conary.example.com@deb:12 "${oldest[@]}"

echo >&2; echo "== Install them into a fresh root (the corpus has no libc6: --no-deps)" >&2
run conary update "${packages[@]}" --root root --no-deps --info | short
run conary update "${packages[@]}" --root root --no-deps | short
run conary q --root root

echo >&2; echo "== Import the newer versions, and update" >&2
run cvc import-deb --label conary.example.com@deb:12 "${newest[@]}"
run conary updateall --root root --no-deps | short
run conary q --root root
run conary q --root root --path /usr/bin/sudo
run conary q --root root libssl3 --deps

echo >&2; echo "== verify: nothing differs (no output), then a local edit" >&2
run conary verify --all --root root
echo "# a local change" >>root/etc/sudoers
run conary verify --all --root root
run conary verify sudo --diff --root root

echo >&2; echo "== Roll the update back" >&2
run conary rblist --root root | short
run conary rollback 1 --root root | short
run conary q --root root
run conary verify --all --root root

# ---------------------------------------------------------------------------
# Building: a C program from a tarball, as source, cooked into the
# repository, then a group that binds exact versions.
echo >&2; echo "== Build from source: cvc newpkg, commit, cook (label conary.example.com@rpl:devel)" >&2
cat >>.conaryrc <<RC
buildLabel conary.example.com@rpl:devel
installLabelPath conary.example.com@rpl:devel conary.example.com@deb:12
name Demo Builder
contact demo@example.com
RC
mkdir -p tarball/hello-1.0
cat >tarball/hello-1.0/hello.c <<'C'
#include <stdio.h>
int main(void) { puts("hello from a cooked package"); return 0; }
C
printf 'all: hello\nhello: hello.c\n\t$(CC) $(CFLAGS) -o hello hello.c\ninstall: hello\n\tinstall -D -m 0755 hello $(DESTDIR)/usr/bin/hello\n' >tarball/hello-1.0/Makefile
run cvc newpkg hello
tar -C tarball -czf hello/hello-1.0.tar.gz hello-1.0
cat >hello/hello.recipe <<'RECIPE'
name = "hello"
version = "1.0"

def setup(r):
    r.addArchive("hello-1.0.tar.gz")
    r.Make()
    r.MakeInstall()
    r.Create("/etc/hello.conf", contents = "greeting = hello\n")
RECIPE
echo "hello/hello.recipe:" >&2; sed 's/^/    /' hello/hello.recipe >&2
(cd hello && run cvc add hello-1.0.tar.gz && run cvc commit -m "hello 1.0 from its tarball")
run cvc cook hello=conary.example.com@rpl:devel
run conary rq hello:runtime --info --deps
run conary update hello --root root --no-deps
run conary q --root root hello --files
echo "\$ root/usr/bin/hello" >&2; root/usr/bin/hello

echo >&2; echo "== A group binds exact versions and checks that its dependencies are closed" >&2
run cvc newpkg group-demo
cat >group-demo/group-demo.recipe <<'RECIPE'
name = "group-demo"
version = "1"

def setup(r):
    r.add("hello")
RECIPE
(cd group-demo && run cvc commit -m "a group of one")
run cvc cook group-demo=conary.example.com@rpl:devel || true
echo "(refused: nothing here provides the C library hello needs; package the machine's own)" >&2
run cvc newpkg libc-host
cat >libc-host/libc-host.recipe <<'RECIPE'
name = "libc-host"
version = "1"

def setup(r):
    r.Run("for f in /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2; do install -D -m 0755 $(readlink -f $f) %(destdir)s$f; done")
RECIPE
(cd libc-host && run cvc commit -m "the build machine's C library")
run cvc cook libc-host=conary.example.com@rpl:devel
sed -i 's/    r.add("hello")/    r.add("hello")\n    r.add("libc-host")/' group-demo/group-demo.recipe
(cd group-demo && run cvc commit -m "close the group")
run cvc cook group-demo=conary.example.com@rpl:devel
run conary rq group-demo --troves


# ---------------------------------------------------------------------------
# The version tree: a local change on a shadow, and a tested group promoted
# unchanged from devel to prod, where a second machine takes it from.
echo >&2; echo "== A shadow carries a local change; the parent's build stays as it is" >&2
run cvc shadow conary.example.com@rpl:mypatch hello
run cvc checkout hello=conary.example.com@rpl:mypatch --dir hello-mypatch
sed -i 's/greeting = hello/greeting = hello from the shadow/' hello-mypatch/hello.recipe
(cd hello-mypatch && run cvc commit -m "our own greeting")
run cvc cook hello=conary.example.com@rpl:mypatch
run conary update hello=:mypatch --root root --no-deps | short
run conary q --root root hello --full-versions
echo "\$ cat root/etc/hello.conf" >&2; cat root/etc/hello.conf >&2

echo >&2; echo "== Promote the group from devel to prod; a machine whose model searches prod installs it" >&2
run cvc promote group-demo :devel--:prod --info
run cvc promote group-demo :devel--:prod
run cvc promote group-demo :devel--:prod
mkdir -p prod-root/etc/conary
printf 'search conary.example.com@rpl:prod\ninstall group-demo\n' >prod-root/etc/conary/system-model
echo "prod-root/etc/conary/system-model:" >&2; sed 's/^/    /' prod-root/etc/conary/system-model >&2
run conary sync --root prod-root --no-deps | short
run conary q --root prod-root --full-versions
run conary rq hello:runtime=conary.example.com@rpl:prod --info

echo >&2
echo "Done: a repository served on $address, ${#packages[@]} packages imported in two versions each," >&2
echo "installed into a fresh root, updated, queried, verified and rolled back; the local edit" >&2
echo "of /etc/sudoers survived both the update and the rollback. A C program was committed as" >&2
echo "source, cooked into the repository with its dependencies found, installed and run, and a" >&2
echo "group bound it to exact versions. hello was shadowed with a local change, and the group was" >&2
echo "promoted to prod and installed on a second machine from its system model. Cleaning up $work." >&2
