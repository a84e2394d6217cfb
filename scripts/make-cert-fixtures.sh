#!/usr/bin/env bash
# Regenerates fixtures/certs/: certificates rcgen and ring cannot make, for the pure
# certificate-check tests (a SHA-1-signed chain, an RSA 8192 leaf).
set -euo pipefail
cd "$(dirname "$0")/../fixtures/certs"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# A CA, and a leaf it signs with SHA-1.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out sha1-ca.pem -days 3650 \
  -subj "/CN=originscan fixture SHA-1 CA" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$tmp/leaf.key" -out "$tmp/leaf.csr" \
  -subj "/CN=sha1.fixture.test" 2>/dev/null
printf 'subjectAltName=DNS:sha1.fixture.test\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/leaf.csr" -CA sha1-ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
  -out sha1-leaf.pem -days 3650 -sha1 -extfile "$tmp/ext" 2>/dev/null
# An RSA 8192 key (kept: tests/it/openssl_peers.rs serves it; generating one takes seconds) and a
# leaf for it signed (SHA-256) by the same CA.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:8192 -out rsa8192.key.pem 2>/dev/null
openssl req -new -key rsa8192.key.pem -out "$tmp/big.csr" \
  -subj "/CN=rsa8192.fixture.test" 2>/dev/null
printf 'subjectAltName=DNS:rsa8192.fixture.test\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/big.csr" -CA sha1-ca.pem -CAkey "$tmp/ca.key" -CAcreateserial \
  -out rsa8192-leaf.pem -days 3650 -sha256 -extfile "$tmp/ext" 2>/dev/null
rm -f sha1-ca.srl
