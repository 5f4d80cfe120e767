#!/usr/bin/env bash
# Optional: the server creates and rotates its own keys in the database. Use this only to bring your own key
# files (then rotating them is up to you). Creates, for a container to mount read-only at /keys:
#   keys/signing.pem     RSA 3072, PKCS#8 PEM (signs access and identity tokens)
#   keys/encryption.pem  RSA 3072, PKCS#8 PEM (encrypts refresh tokens)
# An existing key is never overwritten, and nothing about it is changed: replacing the signing key invalidates
# every token issued with it, replacing the encryption key every refresh token. Back both files up.
#
# Usage: scripts/generate-keys.sh [directory]   (default: keys, relative to the repository root)
# Then add to the identityserver service in docker-compose.yml:
#   environment: OpenIddict__Keys__SigningKeyPath: /keys/signing.pem
#                OpenIddict__Keys__EncryptionKeyPath: /keys/encryption.pem
#   volumes:     - ./keys:/keys:ro
#
# The containers run as the non-root user "app", uid 1654, which must be able to read the keys. The new files
# are created 0600 in a 0700 directory, then that uid is given access in the first way that works:
#   1. run as root (sudo): directory and files are handed to uid 1654 (still 0700/0600);
#   2. otherwise, with POSIX ACLs (setfacl, Debian package "acl"): uid 1654 gets read access, nobody else;
#   3. otherwise (e.g. macOS, where Docker Desktop maps file ownership itself): directory 0755, files 0644,
#      with a warning, as every local user can then read the keys. Good enough for a trial on your own machine.
# IDENTITYHOST_KEYS_UID overrides the uid, e.g. for rootless Docker or Podman, where container uid 1654 is a
# different uid on the host (the start of your subuid range + 1653).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-keys}
uid=${IDENTITYHOST_KEYS_UID:-1654}
bits=3072

command -v openssl >/dev/null 2>&1 || { echo "error: openssl is required" >&2; exit 1; }
[[ "$uid" =~ ^[0-9]+$ ]] || { echo "error: IDENTITYHOST_KEYS_UID must be a numeric uid" >&2; exit 1; }

if [[ ! -d "$dir" ]]; then
  (umask 077 && mkdir -p "$dir")
fi

created=()
for name in signing encryption; do
  file="$dir/$name.pem"
  if [[ -e "$file" ]]; then
    echo "$file exists; keeping it"
    continue
  fi
  # Note: written to a temporary name and moved without overwriting, so an interrupted run never leaves a
  # truncated key behind that a later run would then keep.
  temporary="$dir/.$name.pem.$$.tmp"
  trap 'rm -f "$temporary"' EXIT
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$bits" -out "$temporary" 2>/dev/null)
  openssl pkey -in "$temporary" -noout
  if ! mv -n "$temporary" "$file" 2>/dev/null || [[ -e "$temporary" ]]; then
    rm -f "$temporary"
    trap - EXIT
    echo "$file appeared meanwhile; keeping it"
    continue
  fi
  trap - EXIT
  created+=("$file")
  echo "created $file (RSA $bits, PKCS#8)"
done

if ((${#created[@]} == 0)); then
  exit 0
fi

chmod 0700 "$dir"
chmod 0600 "${created[@]}"

grant_with_acl() {
  command -v setfacl >/dev/null 2>&1 || return 1
  setfacl -m "u:$uid:x" "$dir" 2>/dev/null || return 1
  setfacl -m "u:$uid:r" "${created[@]}" 2>/dev/null || return 1
}

if [[ $(id -u) == 0 ]]; then
  chown "$uid:$uid" "$dir" "${created[@]}"
  echo "keys are owned by uid $uid (the containers' user), mode 0600 in a 0700 directory"
elif grant_with_acl; then
  echo "keys are private (0600 in a 0700 directory) with read access for uid $uid (the containers' user) by ACL"
else
  chmod 0755 "$dir"
  chmod 0644 "${created[@]}"
  echo "warning: neither root nor ACLs available, so ${created[*]} are readable by every local user, so that" \
       "the containers' user (uid $uid) can read them. For anything but a trial on your own machine, run:" \
       "sudo chown -R $uid:$uid $dir && sudo chmod 0700 $dir && sudo chmod 0600 $dir/*.pem" >&2
fi
