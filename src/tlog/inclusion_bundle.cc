#include "tlog/inclusion_bundle.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "crypto/base64.h"
#include "tlog/sha256.h"
#include "tlog/signed_note.h"

namespace homeport::tlog {
namespace {

using nlohmann::json;

// Far more than any proof of a tree of at most 2^63 entries holds.
constexpr size_t kMaxProofHashes = 128;

Result<std::vector<Hash>> HashesOf(const json& list, const std::string& what) {
  if (!list.is_array() || list.size() > kMaxProofHashes) {
    return Status::InvalidArgument(what + ": not a list of at most 128 hashes");
  }
  std::vector<Hash> out;
  for (const auto& item : list) {
    auto hash = item.is_string() ? HashFromBase64(item.get<std::string>())
                                 : Status::Corruption("not a string");
    if (!hash.ok()) return Status::InvalidArgument(what + ": a hash is not 32 bytes of base64");
    out.push_back(*hash);
  }
  return out;
}

}  // namespace

std::string InclusionBundleToJson(const InclusionBundle& bundle) {
  json hashes = json::array();
  for (const auto& h : bundle.hashes) hashes.push_back(HashToBase64(h));
  json out = {{"index", bundle.index},
              {"entry", crypto::Base64Encode(bundle.entry)},
              {"checkpoint", bundle.checkpoint},
              {"hashes", std::move(hashes)}};
  return out.dump(2) + "\n";
}

Result<InclusionBundle> ParseInclusionBundle(std::string_view text) {
  if (text.size() > kMaxInclusionBundleBytes) {
    return Status::ResourceExhausted("an inclusion proof is at most 64 KiB");
  }
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("an inclusion proof is a JSON object");
  InclusionBundle out;
  if (!j.contains("index") || !j["index"].is_number_integer() || j["index"].get<int64_t>() < 0) {
    return Status::InvalidArgument("\"index\" is not a whole number");
  }
  out.index = j["index"].get<int64_t>();
  if (!j.contains("entry") || !j["entry"].is_string()) {
    return Status::InvalidArgument("\"entry\" is not a base64 string");
  }
  auto entry = crypto::Base64Decode(j["entry"].get<std::string>());
  if (!entry.ok()) return Status::InvalidArgument("\"entry\" is not base64");
  out.entry = std::move(*entry);
  if (!j.contains("checkpoint") || !j["checkpoint"].is_string()) {
    return Status::InvalidArgument("\"checkpoint\" is not a signed note");
  }
  out.checkpoint = j["checkpoint"].get<std::string>();
  HOMEPORT_ASSIGN_OR_RETURN(out.hashes, HashesOf(j.value("hashes", json()), "\"hashes\""));
  return out;
}

Result<Checkpoint> VerifyInclusionBundle(const InclusionBundle& bundle,
                                         const crypto::PublicKey& log_key,
                                         std::string_view required_origin) {
  auto refused = [](const std::string& why) {
    return Status::PermissionDenied("the inclusion proof does not hold: " + why);
  };
  auto split = SplitSignedNote(bundle.checkpoint);
  if (!split.ok()) return refused("the checkpoint is not a signed note (" + split.status().message() + ")");
  auto checkpoint = ParseCheckpoint(split->text);
  if (!checkpoint.ok()) return refused("the checkpoint is malformed (" + checkpoint.status().message() + ")");
  if (!required_origin.empty() && checkpoint->origin != required_origin) {
    return refused("the checkpoint is of log \"" + checkpoint->origin + "\", not \"" +
                   std::string(required_origin) + "\"");
  }
  auto key = NoteVerifierKey::Make(checkpoint->origin, NoteSignatureType::kEd25519, log_key);
  if (!key.ok()) return refused("the checkpoint's origin is no key name");
  if (auto opened = OpenNote(bundle.checkpoint, *key); !opened.ok()) {
    return refused("the checkpoint is not signed by the region's log key (" +
                   opened.status().message() + ")");
  }
  if (bundle.index >= checkpoint->size) {
    return refused("entry " + std::to_string(bundle.index) + " is beyond the checkpoint's " +
                   std::to_string(checkpoint->size) + " entries");
  }
  if (Status st = VerifyInclusion(bundle.index, checkpoint->size, LeafHash(bundle.entry),
                                  bundle.hashes, checkpoint->root);
      !st.ok()) {
    return refused("entry " + std::to_string(bundle.index) + " is not in the signed tree (" +
                   st.message() + ")");
  }
  return *checkpoint;
}

Result<InclusionBundle> FetchInclusionBundle(const LogGet& get, int64_t index) {
  InclusionBundle out;
  out.index = index;
  HOMEPORT_ASSIGN_OR_RETURN(out.checkpoint, get("/v1/log/checkpoint"));
  auto split = SplitSignedNote(out.checkpoint);
  if (!split.ok()) return Status::Corruption("the log's checkpoint: " + split.status().message());
  auto checkpoint = ParseCheckpoint(split->text);
  if (!checkpoint.ok()) {
    return Status::Corruption("the log's checkpoint: " + checkpoint.status().message());
  }
  if (index >= checkpoint->size) {
    return Status::NotFound("entry " + std::to_string(index) + " is not in the log's " +
                            std::to_string(checkpoint->size) + " entries");
  }
  const std::string n = std::to_string(index);
  HOMEPORT_ASSIGN_OR_RETURN(std::string page,
                            get("/v1/log/entries?start=" + n + "&end=" + std::to_string(index + 1)));
  json entries = json::parse(page, nullptr, false);
  if (!entries.is_object() || !entries.contains("entries") || !entries["entries"].is_array() ||
      entries["entries"].size() != 1 || !entries["entries"][0].is_object() ||
      !entries["entries"][0].contains("data") || !entries["entries"][0]["data"].is_string()) {
    return Status::Corruption("the log's answer for entry " + n + " is not one entry");
  }
  auto data = crypto::Base64Decode(entries["entries"][0]["data"].get<std::string>());
  if (!data.ok()) return Status::Corruption("entry " + n + " is not base64");
  out.entry = std::move(*data);
  HOMEPORT_ASSIGN_OR_RETURN(std::string proof,
                            get("/v1/log/proof/inclusion?index=" + n +
                                "&size=" + std::to_string(checkpoint->size)));
  HOMEPORT_ASSIGN_OR_RETURN(out.hashes, ParseProofHashes(proof));
  return out;
}

namespace {

bool EntryHas(std::string_view entry, std::string_view type, const char* field,
              std::string_view value) {
  json j = json::parse(entry, nullptr, false);
  return !value.empty() && j.is_object() && j.value("type", "") == type &&
         j.value(field, "") == value;
}

}  // namespace

bool IsManifestEntry(std::string_view entry, std::string_view token_sha256) {
  return EntryHas(entry, "manifest", "sha256", token_sha256);
}

bool IsErasureEntry(std::string_view entry, std::string_view commitment) {
  return EntryHas(entry, "erasure", "commitment", commitment);
}

Result<std::vector<Hash>> ParseProofHashes(std::string_view answer) {
  json j = json::parse(answer, nullptr, false);
  if (!j.is_object()) return Status::Corruption("the proof is not a JSON object");
  auto hashes = HashesOf(j.value("hashes", json()), "the proof");
  if (!hashes.ok()) return Status::Corruption(hashes.status().message());
  return hashes;
}

}  // namespace homeport::tlog
