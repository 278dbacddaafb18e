#include "agent/uxp_receipts.h"

#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "tlog/erasure_commitment.h"

namespace homeport {

bool ErasureCommitmentOpensTo(const ErasureReceipt& receipt, std::string_view client_id) {
  auto nonce = crypto::Base64UrlDecode(receipt.nonce);
  return nonce.ok() && ErasureCommitment(*nonce, client_id) == receipt.commitment;
}

namespace agent {

using nlohmann::json;

ErasureReceipt NewErasureReceipt(Env& env, std::string_view doc_id, std::string_view client_id,
                                 std::string_view day) {
  std::string nonce;
  while (nonce.size() < kErasureNonceBytes) {
    const uint64_t r = env.RandomU64();
    for (int i = 0; i < 8; ++i) nonce.push_back(static_cast<char>(r >> (8 * i)));
  }
  ErasureReceipt receipt;
  receipt.doc_id = doc_id;
  receipt.requested_on = day;
  receipt.nonce = crypto::Base64UrlEncode(nonce);
  receipt.commitment = ErasureCommitment(nonce, client_id);
  return receipt;
}

std::string SerializeReceipts(const std::vector<ErasureReceipt>& receipts) {
  json list = json::array();
  for (const auto& r : receipts) {
    json item = {{"doc_id", r.doc_id},
                 {"requested_on", r.requested_on},
                 {"nonce", r.nonce},
                 {"commitment", r.commitment}};
    if (r.log_index) item["log_index"] = *r.log_index;
    list.push_back(std::move(item));
  }
  return json{{"receipts", std::move(list)}}.dump(2) + "\n";
}

Result<std::vector<ErasureReceipt>> ParseReceipts(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  auto corrupt = [] { return Status::Corruption("the erasure receipts file is damaged"); };
  if (!j.is_object() || !j.contains("receipts") || !j["receipts"].is_array()) return corrupt();
  std::vector<ErasureReceipt> out;
  for (const auto& item : j["receipts"]) {
    if (!item.is_object()) return corrupt();
    ErasureReceipt r;
    for (auto [name, field] : {std::pair{"doc_id", &r.doc_id}, {"requested_on", &r.requested_on},
                               {"nonce", &r.nonce}, {"commitment", &r.commitment}}) {
      if (!item.contains(name) || !item[name].is_string()) return corrupt();
      *field = item[name].get<std::string>();
    }
    if (!IsErasureCommitment(r.commitment)) return corrupt();
    if (item.contains("log_index")) {
      if (!item["log_index"].is_number_integer() || item["log_index"].get<int64_t>() < 0) {
        return corrupt();
      }
      r.log_index = item["log_index"].get<int64_t>();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace agent
}  // namespace homeport
