// Sha256Hasher: SHA-256 over bytes that arrive in pieces (a capture read from a pipe, a build
// tree file by file), through OpenSSL's EVP interface, which uses the CPU's SHA extensions
// where there are some. The provenance of every report names its input by this digest.
// Move-only, not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace homeport::audit {

class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  ~Sha256Hasher();

  void Update(std::string_view bytes);
  // Lower-case hex of the digest of everything given so far. Ends the hash: call once.
  std::string FinishHex();

 private:
  struct Free {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, Free> ctx_;
};

}  // namespace homeport::audit
