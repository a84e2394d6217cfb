#!/bin/sh
# container-image: builds the top-level Dockerfile with buildah, then runs the image's
# entrypoint with `--version` and the demo inside it. .ci/run runs it.
#
# Where Docker Hub answers, the Dockerfile's own base images are used. Where it does not (the
# CI machine reaches only Debian's mirror and crates.io), two local stand-ins are built first
# and passed as --build-arg RUST_IMAGE / RUNTIME_IMAGE:
#   localhost/originscan-ci/debian:bookworm   Debian bookworm from debootstrap (minbase, as
#                                             debian:bookworm-slim is)
#   localhost/originscan-ci/rust:bookworm     the same plus gcc and libc6-dev (what
#                                             rust:*-slim adds), this machine's Rust
#                                             toolchain (`rustc --print sysroot`, 1.95) and
#                                             its CA bundle (for its proxy to crates.io)
# Every step runs with buildah's chroot isolation: this machine's OCI runtime (crun) refuses to
# start containers (the session cannot raise RLIMIT_NPROC; cgroups are hybrid), and chroot
# isolation needs no runtime. The image is run the same way, as the user the image names.
#
#   TAG      the image built               (default localhost/originscan:ci)
#   MIRROR   Debian mirror for debootstrap (default http://deb.debian.org/debian)
#   PULL_TIMEOUT  seconds to try Docker Hub (default 30)
#   PULL     1: try Docker Hub first; 0: go straight to the stand-ins (default 0 under CI=true,
#            where nothing may leave loopback but the package registries; 1 otherwise)
#   BASES_ONLY    set: stop once the base images are there (they need no compiler time)
set -eu
cd "$(dirname "$0")/.."
TAG=${TAG:-localhost/originscan:ci}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
PULL_TIMEOUT=${PULL_TIMEOUT:-30}
if [ -n "${CI:-}" ]; then PULL=${PULL:-0}; else PULL=${PULL:-1}; fi
RUNTIME_STANDIN=localhost/originscan-ci/debian:bookworm
RUST_STANDIN=localhost/originscan-ci/rust:bookworm
say() { echo "container-image: $*" >&2; }

if ! command -v buildah >/dev/null; then
    if [ -n "${CI:-}" ]; then
        say "buildah is missing (apt-get install buildah)"
        exit 1
    fi
    echo "SKIPPED: buildah is not installed (apt-get install buildah debootstrap)"
    exit 0
fi
bah() { buildah "$@"; }
image_exists() { bah inspect --type image "$1" >/dev/null 2>&1; }
work=$(mktemp -d)
containers=""
cleanup() {
    for c in $containers; do bah rm "$c" >/dev/null 2>&1 || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# The base images: Docker Hub's, or the stand-ins.
build_args=""
rust_image=$(sed -n 's/^ARG RUST_IMAGE=//p' Dockerfile)
runtime_image=$(sed -n 's/^ARG RUNTIME_IMAGE=//p' Dockerfile)
if [ "$PULL" = 1 ] && timeout "$PULL_TIMEOUT" buildah pull -q "$runtime_image" \
        >"$work/pull.log" 2>&1 \
    && timeout 600 buildah pull -q "$rust_image" \
        >>"$work/pull.log" 2>&1; then
    say "using $rust_image and $runtime_image"
else
    if [ "$PULL" = 1 ]; then
        say "cannot pull the Dockerfile's base images ($(tail -n 1 "$work/pull.log")); building stand-ins"
    else
        say "PULL=0: not asking Docker Hub; building stand-ins for the Dockerfile's base images"
    fi
    if ! image_exists "$RUNTIME_STANDIN"; then
        command -v debootstrap >/dev/null || { say "debootstrap is missing (apt-get install debootstrap)"; exit 1; }
        debootstrap --variant=minbase bookworm "$work/rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
            || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
        rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
        tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
        rm -rf "$work/rootfs"
        c=$(bah from scratch); containers="$containers $c"
        bah add "$c" "$work/rootfs.tar" / >/dev/null
        bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            --cmd /bin/bash "$c"
        bah commit -q "$c" "$RUNTIME_STANDIN" >/dev/null
        rm -f "$work/rootfs.tar"
    fi
    if ! image_exists "$RUST_STANDIN"; then
        sysroot=$(readlink -f "$(rustc --print sysroot)")
        c=$(bah from "$RUNTIME_STANDIN"); containers="$containers $c"
        bah run --isolation chroot "$c" -- sh -c \
            'apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*'
        for d in bin lib libexec; do
            if [ -d "$sysroot/$d" ]; then
                bah copy "$c" "$sysroot/$d" "/usr/local/rust/$d" >/dev/null
            fi
        done
        # The machine's CA bundle: cargo in the build stage reaches crates.io the way this
        # machine does (through its proxy, whose CA Debian's bundle lacks).
        if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
            bah copy "$c" /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt >/dev/null
        fi
        bah config --env CARGO_HOME=/usr/local/cargo \
            --env PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$c"
        bah commit -q "$c" "$RUST_STANDIN" >/dev/null
    fi
    build_args="--build-arg RUST_IMAGE=$RUST_STANDIN --build-arg RUNTIME_IMAGE=$RUNTIME_STANDIN"
fi

if [ -n "${BASES_ONLY:-}" ]; then
    say "base images ready"
    exit 0
fi

# The image, exactly as the Dockerfile says.
# shellcheck disable=SC2086
bah bud --isolation chroot --pull=false $build_args -t "$TAG" . >"$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log" >&2; exit 1; }
say "built $TAG"

# Run it as the image says: its entrypoint, its user.
entrypoint=$(bah inspect --type image --format '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}' "$TAG")
user=$(bah inspect --type image --format '{{.OCIv1.Config.User}}' "$TAG")
[ "$entrypoint" = "/usr/local/bin/originscan " ] || { say "unexpected entrypoint: $entrypoint"; exit 1; }
c=$(bah from --pull=false "$TAG"); containers="$containers $c"
run() { bah run --isolation chroot --user "$user" "$c" -- $entrypoint "$@"; }
uid=$(bah run --isolation chroot --user "$user" "$c" -- id -u)
[ "$uid" != 0 ] || { say "the image runs as root"; exit 1; }
[ "$(bah run --isolation chroot --user "$user" "$c" -- sh -c 'command -v originscan-nightly.sh')" = \
    /usr/local/bin/originscan-nightly.sh ] || { say "originscan-nightly.sh is not on the PATH"; exit 1; }
version=$(run --version)
echo "$version" | grep -q "^originscan " || { say "unexpected --version: $version"; exit 1; }
run demo --count 60 --no-progress -f csv >"$work/demo.csv"
[ "$(wc -l <"$work/demo.csv")" -eq 61 ] || { say "the demo wrote $(wc -l <"$work/demo.csv") lines"; exit 1; }
say "$version runs as uid $uid; the demo in the image: 60 origins"
