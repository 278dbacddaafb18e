// An erasure commitment: what a device sends with its UX-program deletion-request, and what the
// region's transparency log records of the erasure (S7). It is the lower-case hex SHA-256 of the
// device's 32-byte random nonce followed by the client id's text. The device keeps the nonce;
// with it and the client id anyone can match the log entry to the erasure, and without the nonce
// no one can tell whose erasure an entry records (guessing needs the nonce's 256 bits).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace homeport {

inline constexpr size_t kErasureNonceBytes = 32;
// The request header that carries the commitment with a deletion-request.
inline constexpr const char* kErasureCommitmentHeader = "X-Homeport-Erasure-Commitment";

std::string ErasureCommitment(std::string_view nonce, std::string_view client_id);
// 64 lower-case hex digits.
bool IsErasureCommitment(std::string_view text);

}  // namespace homeport
