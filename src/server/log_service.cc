#include "server/log_service.h"

#include "crypto/base64.h"
#include "crypto/jws.h"
#include "server/query_params.h"
#include "server/router.h"
#include "store/log_entries.h"
#include "tlog/checkpoint.h"
#include "tlog/sha256.h"

namespace homeport {
namespace {

using nlohmann::json;

json HashesJson(const std::vector<tlog::Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(tlog::HashToBase64(h));
  return out;
}

HttpResponse TextResponse(std::string body) {
  HttpResponse r;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse StoreFailed(const Status& st) {
  return ErrorResponse(ErrorCode::kUnavailable, "the log could not be read: " + st.message(),
                       json::object(), 5);
}

// The named whole-number parameters of a query, each required and within [0, max]; an unknown
// parameter is an error too, so that a typo is not silently ignored.
Result<std::vector<int64_t>> NumberParams(std::string_view target,
                                          std::initializer_list<std::string_view> names,
                                          int64_t max) {
  std::vector<std::optional<int64_t>> values(names.size());
  for (const auto& [name, value] : QueryParams(QueryOf(target))) {
    size_t i = 0;
    for (std::string_view n : names) {
      if (n == name) break;
      ++i;
    }
    if (i == names.size()) {
      return Status::InvalidArgument("unknown parameter \"" + std::string(name.substr(0, 40)) +
                                     "\"");
    }
    values[i] = WholeNumber(value, 0, max);
    if (!values[i]) {
      return Status::InvalidArgument(std::string(name) + " must be a whole number from 0 to " +
                                     std::to_string(max));
    }
  }
  std::vector<int64_t> out;
  size_t i = 0;
  for (std::string_view n : names) {
    if (!values[i]) return Status::InvalidArgument("the parameter " + std::string(n) + " is missing");
    out.push_back(*values[i++]);
  }
  return out;
}

void Entries(TransparencyLogStore& log, const HttpRequest& request, Respond respond) {
  auto params = NumberParams(request.target, {"start", "end"}, tlog::kMaxTreeSize);
  if (!params.ok()) return respond(ErrorResponse(ErrorCode::kBadRequest, params.status().message()));
  auto size = log.LogSize();
  if (!size.ok()) return respond(StoreFailed(size.status()));
  const int64_t start = (*params)[0];
  // A range past the end or longer than one page is cut, as a paging client expects; the
  // answer says how far it goes.
  const int64_t end = std::min({(*params)[1], *size, start + kMaxLogEntriesPerRead});
  if (start > end) {
    return respond(ErrorResponse(ErrorCode::kBadRequest,
                                 "start " + std::to_string(start) + " is past the log's " +
                                     std::to_string(*size) + " entries or after end"));
  }
  auto entries = log.LogEntries(start, end);
  if (!entries.ok()) return respond(StoreFailed(entries.status()));
  json out = {{"size", *size}, {"start", start}, {"end", end}, {"entries", json::array()}};
  for (int64_t i = start; i < end; ++i) {
    out["entries"].push_back(LogEntryJson(i, (*entries)[static_cast<size_t>(i - start)]));
  }
  respond(JsonResponse(200, out));
}

void Inclusion(TransparencyLogStore& log, const HttpRequest& request, Respond respond) {
  auto params = NumberParams(request.target, {"index", "size"}, tlog::kMaxTreeSize);
  if (!params.ok()) return respond(ErrorResponse(ErrorCode::kBadRequest, params.status().message()));
  const int64_t index = (*params)[0], size = (*params)[1];
  auto current = log.LogSize();
  if (!current.ok()) return respond(StoreFailed(current.status()));
  if (index >= size || size > *current) {
    return respond(ErrorResponse(ErrorCode::kBadRequest,
                                 "need index < size <= " + std::to_string(*current) +
                                     " (the log's size)"));
  }
  auto proof = tlog::InclusionProof(index, size, log.LogHashes());
  if (!proof.ok()) return respond(StoreFailed(proof.status()));
  respond(JsonResponse(200, {{"index", index}, {"size", size}, {"hashes", HashesJson(*proof)}}));
}

void Consistency(TransparencyLogStore& log, const HttpRequest& request, Respond respond) {
  auto params = NumberParams(request.target, {"from", "to"}, tlog::kMaxTreeSize);
  if (!params.ok()) return respond(ErrorResponse(ErrorCode::kBadRequest, params.status().message()));
  const int64_t from = (*params)[0], to = (*params)[1];
  auto current = log.LogSize();
  if (!current.ok()) return respond(StoreFailed(current.status()));
  if (from > to || to > *current) {
    return respond(ErrorResponse(ErrorCode::kBadRequest,
                                 "need from <= to <= " + std::to_string(*current) +
                                     " (the log's size)"));
  }
  auto proof = tlog::ConsistencyProof(from, to, log.LogHashes());
  if (!proof.ok()) return respond(StoreFailed(proof.status()));
  respond(JsonResponse(200, {{"from", from}, {"to", to}, {"hashes", HashesJson(*proof)}}));
}

}  // namespace

tlog::NoteVerifierKey LogSigner::verifier() const {
  return {origin, tlog::NoteSignatureType::kEd25519, key.Public()};
}

std::string DefaultLogOrigin(const std::string& region) { return "homeport/" + region + "/log"; }

Result<LogSigner> LoadLogSigner(Env* env, const std::string& key_file, const std::string& origin,
                                const std::vector<std::string>& witness_files) {
  LogSigner signer;
  if (!tlog::IsValidNoteKeyName(origin)) {
    return Status::InvalidArgument("--log-origin \"" + origin +
                                   "\": a log's origin is a key name: no spaces, no '+'");
  }
  signer.origin = origin;
  auto key = crypto::ReadSecretKey(env, key_file);
  if (!key.ok()) return key.status().WithContext("--log-key");
  signer.key = *key;
  for (const auto& file : witness_files) {
    auto text = env->ReadFile(file);
    if (!text.ok()) return text.status().WithContext("--log-witness");
    while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
    auto witness = tlog::NoteVerifierKey::Parse(*text);
    if (!witness.ok()) return witness.status().WithContext("--log-witness " + file);
    if (witness->type != tlog::NoteSignatureType::kCosignatureV1) {
      return Status::InvalidArgument("--log-witness " + file +
                                     ": not a witness's cosignature key (homeport log witness-key "
                                     "prints one)");
    }
    signer.witnesses.push_back(*witness);
  }
  return signer;
}

Result<std::string> SignedCheckpoint(TransparencyLogStore& log, const LogSigner& signer) {
  HOMEPORT_ASSIGN_OR_RETURN(int64_t size, log.LogSize());
  HOMEPORT_ASSIGN_OR_RETURN(tlog::Hash root, tlog::TreeHash(size, log.LogHashes()));
  HOMEPORT_ASSIGN_OR_RETURN(std::string text,
                            tlog::FormatCheckpoint({signer.origin, size, root, {}}));
  HOMEPORT_ASSIGN_OR_RETURN(std::string note, tlog::SignNote(text, signer.origin, signer.key));
  HOMEPORT_ASSIGN_OR_RETURN(auto cosignatures, log.Cosignatures(size));
  // Each was checked against this very checkpoint text when it was accepted.
  for (const auto& c : cosignatures) note += c.line + "\n";
  return note;
}

ManifestClaims PeekManifestClaims(std::string_view token) {
  ManifestClaims out;
  if (auto header = crypto::PeekHeader(token); header.ok()) out.kid = header->value("kid", "");
  const size_t first = token.find('.'), second = token.find('.', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return out;
  auto payload = crypto::Base64UrlDecode(token.substr(first + 1, second - first - 1));
  if (!payload.ok()) return out;
  auto claims = json::parse(*payload, nullptr, false);
  if (!claims.is_object()) return out;
  if (claims.contains("region") && claims["region"].is_string()) out.region = claims["region"];
  if (claims.contains("version") && claims["version"].is_number_integer()) {
    out.version = claims["version"];
  }
  out.rollback = claims.contains("rollback") && claims["rollback"] == true;
  return out;
}

Result<std::vector<int64_t>> LogServedManifests(TransparencyLogStore& log,
                                                const std::vector<std::string>& manifests,
                                                TimePoint now) {
  std::vector<int64_t> indexes;
  for (const auto& token : manifests) {
    const ManifestClaims c = PeekManifestClaims(token);
    const std::string digest = crypto::Sha256Hex(token);
    HOMEPORT_ASSIGN_OR_RETURN(
        int64_t index,
        log.LogManifest(digest, ManifestEntry(digest, c.region, c.version, c.kid, now)));
    indexes.push_back(index);
  }
  return indexes;
}

json LogEntryJson(int64_t index, const std::string& data) {
  json out = json::parse(data, nullptr, false);
  if (!out.is_object()) out = json::object();
  out["index"] = index;
  out["data"] = crypto::Base64Encode(data);
  return out;
}

void HandleLog(const ServiceContext& ctx, const HttpRequest& request, Respond respond) {
  if (!ctx.log) {
    return respond(ErrorResponse(ErrorCode::kNotFound,
                                 "this server was started without --log-key: no checkpoints"));
  }
  const std::string_view path = request.Path();
  if (path == "/v1/log/checkpoint") {
    auto note = SignedCheckpoint(*ctx.store, *ctx.log);
    if (!note.ok()) return respond(StoreFailed(note.status()));
    return respond(TextResponse(std::move(*note)));
  }
  if (path == "/v1/log/entries") return Entries(*ctx.store, request, std::move(respond));
  if (path == "/v1/log/proof/inclusion") return Inclusion(*ctx.store, request, std::move(respond));
  if (path == "/v1/log/proof/consistency") {
    return Consistency(*ctx.store, request, std::move(respond));
  }
  respond(ErrorResponse(ErrorCode::kNotFound, "no such log endpoint: " + std::string(path)));
}

void HandleLogCosignature(const ServiceContext& ctx, const HttpRequest& request,
                          Respond respond) {
  if (!ctx.log) {
    return respond(ErrorResponse(ErrorCode::kNotFound,
                                 "this server was started without --log-key: no checkpoints"));
  }
  if (request.body.size() > kMaxCosignatureBody) {
    return respond(ErrorResponse(ErrorCode::kTooLarge, "a cosigned checkpoint is at most " +
                                                           std::to_string(kMaxCosignatureBody) +
                                                           " bytes"));
  }
  auto opened = tlog::OpenNote(request.body, ctx.log->verifier(), ctx.log->witnesses);
  if (!opened.ok()) {
    return respond(ErrorResponse(ErrorCode::kBadSignature,
                                 "not a checkpoint of this log with valid signatures: " +
                                     opened.status().message()));
  }
  auto checkpoint = tlog::ParseCheckpoint(opened->text);
  if (!checkpoint.ok()) {
    return respond(ErrorResponse(ErrorCode::kBadRequest, checkpoint.status().message()));
  }
  // The log's own signature verified; the tree must still be this log's tree of that size.
  auto size = ctx.store->LogSize();
  if (!size.ok()) return respond(StoreFailed(size.status()));
  if (checkpoint->origin != ctx.log->origin || checkpoint->size > *size) {
    return respond(ErrorResponse(ErrorCode::kBadRequest, "not a checkpoint of this log"));
  }
  auto root = tlog::TreeHash(checkpoint->size, ctx.store->LogHashes());
  if (!root.ok()) return respond(StoreFailed(root.status()));
  if (*root != checkpoint->root) {
    return respond(ErrorResponse(ErrorCode::kBadRequest,
                                 "the checkpoint's root is not this log's root at its size"));
  }
  auto split = tlog::SplitSignedNote(request.body);
  if (!split.ok()) return respond(ErrorResponse(ErrorCode::kBadRequest, split.status().message()));
  json accepted = json::array();
  for (const auto& v : opened->verified) {
    if (v.key.type != tlog::NoteSignatureType::kCosignatureV1) continue;
    for (const auto& line : split->signatures) {
      if (line.key_name != v.key.name || line.key_id != v.key.id()) continue;
      // The line as the note carries it: what follows the text and the blank line.
      const std::string joined = tlog::JoinSignedNote({split->text, {line}});
      std::string text = joined.substr(split->text.size() + 1);
      if (!text.empty() && text.back() == '\n') text.pop_back();
      if (Status st = ctx.store->AddCosignature({checkpoint->size, line.key_name, text}); !st.ok()) {
        return respond(StoreFailed(st));
      }
      accepted.push_back(line.key_name);
    }
  }
  if (accepted.empty()) {
    return respond(ErrorResponse(ErrorCode::kBadSignature,
                                 "no cosignature of a witness this server knows (--log-witness)"));
  }
  respond(JsonResponse(200, {{"size", checkpoint->size}, {"witnesses", accepted}}));
}

}  // namespace homeport
