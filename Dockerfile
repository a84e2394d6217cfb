# originscan as a container image: built from the locked dependencies on Rust's image, run on
# Debian slim with CA certificates, as a non-root user, the binary as the entrypoint and the
# nightly script (scripts/originscan-nightly.sh) beside it.
#
#   docker build -t registry.example.com/originscan:latest .       (or podman/buildah bud)
#   docker run --rm registry.example.com/originscan:latest demo
#
# The two base images can be replaced (a mirror, a pinned digest) without editing this file:
#   --build-arg RUST_IMAGE=... --build-arg RUNTIME_IMAGE=...
# scripts/container-image.sh builds it where Docker Hub cannot be reached (.ci/run runs it).
# tests/it/container.rs checks that the build below is the one .ci/run tests.

ARG RUST_IMAGE=docker.io/library/rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
WORKDIR /src
# Only what the build reads: the manifest and lock file, the sources, the benchmark the
# manifest declares, and the lab's fixed key (include_str! in src/lab/ca.rs).
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
COPY fixtures/lab ./fixtures/lab
RUN cargo build --locked --release \
    && install -D -m 0755 target/release/originscan /out/originscan

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 originscan \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/originscan \
        --create-home --shell /usr/sbin/nologin originscan
COPY --from=build /out/originscan /usr/local/bin/originscan
# The README's nightly recipe, for a CronJob: `command: ["originscan-nightly.sh"]`.
COPY scripts/originscan-nightly.sh /usr/local/bin/originscan-nightly.sh
USER 10001:10001
WORKDIR /var/lib/originscan
ENTRYPOINT ["/usr/local/bin/originscan"]
CMD ["--help"]
