// The maker root key the fuzz targets that read signed documents share (region manifests,
// rotation statements, firmware trees): Ed25519 from a fixed seed, so that checked-in seeds
// carry valid signatures (make_seeds.py derives the same key).
#pragma once

#include <sodium.h>

#include <cstdlib>

#include "crypto/ed25519.h"

namespace homeport::fuzzing {

inline crypto::SecretKey FuzzRootKey() {
  crypto::SecretKey key;
  unsigned char seed[crypto_sign_SEEDBYTES] = {};
  seed[0] = 'r';
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  if (sodium_init() < 0 || crypto_sign_seed_keypair(pk, key.bytes.data(), seed) != 0) abort();
  return key;
}

}  // namespace homeport::fuzzing
