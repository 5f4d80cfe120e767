#!/usr/bin/env bash
# Creates the token keys docker-compose.yml mounts: keys/signing.pem (RSA 3072, PKCS#8) and
# keys/encryption.pem (RSA 3072). Existing keys are never overwritten: replacing the signing key
# invalidates every token issued with it.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-keys}
mkdir -p "$dir"

for name in signing encryption; do
  file="$dir/$name.pem"
  if [[ -e "$file" ]]; then
    echo "$file exists; keeping it"
    continue
  fi
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$file" 2>/dev/null)
  echo "created $file"
done

# Note: the containers run as the non-root user "app" (uid 1654), which must read the mounted keys.
# As root, hand the files to that uid and keep them private; otherwise make them readable and say so.
if [[ $(id -u) == 0 ]]; then
  chown 1654:1654 "$dir"/signing.pem "$dir"/encryption.pem
  chmod 0600 "$dir"/signing.pem "$dir"/encryption.pem
else
  chmod 0755 "$dir"
  chmod 0644 "$dir"/signing.pem "$dir"/encryption.pem
  echo "note: $dir/*.pem are readable by every local user so the container can read them;" \
       "for anything but a trial, run: sudo chown 1654:1654 $dir/*.pem && sudo chmod 600 $dir/*.pem"
fi
