// The UX program's erasure receipts (uxp/erasure_receipts.json): one per opt-out, written with
// its deletion-request and completed with the log index the server answers. Holds no client id
// (D3); see ErasureReceipt.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "homeport/env.h"
#include "homeport/status.h"
#include "homeport/uxp.h"

namespace homeport::agent {

// A new receipt for the deletion-request `doc_id` of `client_id`: a fresh nonce from the Env's
// randomness and the commitment to the client id under it.
ErasureReceipt NewErasureReceipt(Env& env, std::string_view doc_id, std::string_view client_id,
                                 std::string_view day);

std::string SerializeReceipts(const std::vector<ErasureReceipt>& receipts);
// Corruption when the text is not what SerializeReceipts writes.
Result<std::vector<ErasureReceipt>> ParseReceipts(std::string_view text);

}  // namespace homeport::agent
