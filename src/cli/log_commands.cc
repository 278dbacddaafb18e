// The transparency log from the outside (S7):
//   log verify       an auditor's check of a region's log: the checkpoint's signature, the tree
//                    recomputed from every entry, consistency with the last checkpoint seen,
//                    and the inclusion of a given manifest or enrollment batch;
//   log witness      an independent party cosigns a checkpoint it found consistent with the
//                    last one it cosigned, and hands the cosignature to the server;
//   log witness-key  the verifier key a server takes with --log-witness;
//   log prove        a manifest's inclusion proof, shipped beside it for devices that require
//                    one (agent --require-log-proof);
//   log check        an inclusion proof file checked offline: a manifest's, or an erasure
//                    receipt's with the nonce and client id that open its commitment.
// Everything read from the server is hostile: sizes, entries, proofs and notes are checked, and
// the download is bounded (--max-entries).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "common/terminal_text.h"
#include "crypto/base64.h"
#include "homeport/agent.h"
#include "tlog/checkpoint.h"
#include "tlog/erasure_commitment.h"
#include "tlog/inclusion_bundle.h"
#include "tlog/merkle.h"
#include "tlog/sha256.h"
#include "tlog/signed_note.h"

namespace homeport::cli {
namespace {

using nlohmann::json;

constexpr int64_t kEntriesPerPage = 256;

// A GET of the log's server: the body of a 200 answer, or an error naming the URL and what the
// server said.
class LogClient {
 public:
  LogClient(std::string base_url, const std::string& ca_file)
      : base_(std::move(base_url)), transport_(NewCurlTransport({ca_file, {}, {}, {}})) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  Result<std::string> Get(const std::string& path) {
    const std::string url = base_ + path;
    HOMEPORT_ASSIGN_OR_RETURN(TransportResponse r, transport_->Get({url, {}, {}}));
    if (r.status != 200) return Refused("GET", url, r);
    return std::move(r.body);
  }

  Result<json> GetJson(const std::string& path) {
    HOMEPORT_ASSIGN_OR_RETURN(std::string body, Get(path));
    json out = json::parse(body, nullptr, false);
    if (!out.is_object()) return Status::Corruption("GET " + base_ + path + ": not a JSON object");
    return out;
  }

  Result<std::string> Post(const std::string& path, const std::string& body) {
    const std::string url = base_ + path;
    HOMEPORT_ASSIGN_OR_RETURN(
        TransportResponse r, transport_->Post({url, {{"Content-Type", "text/plain"}}, body}));
    if (r.status != 200) return Refused("POST", url, r);
    return std::move(r.body);
  }

 private:
  static Status Refused(const char* method, const std::string& url, const TransportResponse& r) {
    json error = json::parse(r.body, nullptr, false);
    std::string said = error.is_object() && error.contains("message") && error["message"].is_string()
                           ? error["message"].get<std::string>()
                           : r.body.substr(0, 200);
    return Status::Unavailable(std::string(method) + " " + url + ": HTTP " +
                               std::to_string(r.status) + ": " + said);
  }

  std::string base_;
  std::unique_ptr<HttpTransport> transport_;
};

// The log's checkpoint, its signature verified with the log's public key under the origin the
// checkpoint names (or the one required), and which of `witnesses` cosigned it.
struct VerifiedCheckpoint {
  std::string note;
  tlog::Checkpoint checkpoint;
  std::vector<std::string> cosigned_by;
};

Result<VerifiedCheckpoint> FetchCheckpoint(LogClient& client, const crypto::PublicKey& log_key,
                                           const std::string& required_origin,
                                           const std::vector<tlog::NoteVerifierKey>& witnesses) {
  VerifiedCheckpoint out;
  HOMEPORT_ASSIGN_OR_RETURN(out.note, client.Get("/v1/log/checkpoint"));
  HOMEPORT_ASSIGN_OR_RETURN(tlog::SplitNote split, tlog::SplitSignedNote(out.note));
  HOMEPORT_ASSIGN_OR_RETURN(out.checkpoint, tlog::ParseCheckpoint(split.text));
  if (!required_origin.empty() && out.checkpoint.origin != required_origin) {
    return Status::Corruption("the checkpoint is of log \"" + out.checkpoint.origin +
                              "\", not \"" + required_origin + "\"");
  }
  HOMEPORT_ASSIGN_OR_RETURN(
      tlog::NoteVerifierKey key,
      tlog::NoteVerifierKey::Make(out.checkpoint.origin, tlog::NoteSignatureType::kEd25519,
                                  log_key));
  auto opened = tlog::OpenNote(out.note, key, witnesses);
  if (!opened.ok()) {
    return Status::Corruption("the checkpoint's signature does not verify with the log key: " +
                              opened.status().message());
  }
  for (const auto& v : opened->verified) {
    if (v.key.type == tlog::NoteSignatureType::kCosignatureV1) out.cosigned_by.push_back(v.key.name);
  }
  return out;
}

// What an auditor or witness remembers of the last checkpoint it checked.
struct LogState {
  std::string origin;
  int64_t size = 0;
  tlog::Hash root{};
};

Result<std::optional<LogState>> ReadState(Env* env, const std::string& path) {
  if (path.empty() || !env->FileExists(path)) return std::optional<LogState>();
  HOMEPORT_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("origin") || !j["origin"].is_string() || !j.contains("size") ||
      !j["size"].is_number_integer() || j["size"].get<int64_t>() < 0 || !j.contains("root")) {
    return Status::Corruption(path + " is not a log state file (origin, size, root)");
  }
  LogState s{j["origin"], j["size"], {}};
  auto root = j["root"].is_string() ? tlog::HashFromBase64(j["root"].get<std::string>())
                                     : Status::Corruption("not a string");
  if (!root.ok()) return Status::Corruption(path + ": root: " + root.status().message());
  s.root = *root;
  return std::optional<LogState>(s);
}

Status WriteState(Env* env, const std::string& path, const VerifiedCheckpoint& c) {
  if (path.empty()) return Status::Ok();
  const auto& root = c.checkpoint.root;
  json j = {{"origin", c.checkpoint.origin},
            {"size", c.checkpoint.size},
            {"root", tlog::HashToBase64(root)},
            {"checkpoint", c.note}};
  return env->WriteFileAtomic(path, j.dump(2) + "\n", 0600);
}

// The server's proof that the tree it showed before is a prefix of the one it shows now. A
// smaller tree, or a proof that fails, means the log was rewritten or forked.
Status CheckConsistency(LogClient& client, const LogState& before, const tlog::Checkpoint& now) {
  if (before.origin != now.origin) {
    return Status::Corruption("the state is of log \"" + before.origin + "\", the checkpoint of \"" +
                              now.origin + "\"");
  }
  if (now.size < before.size) {
    return Status::Corruption("the log shrank: " + std::to_string(before.size) +
                              " entries were seen before, the checkpoint has " +
                              std::to_string(now.size));
  }
  HOMEPORT_ASSIGN_OR_RETURN(std::string answer,
                            client.Get("/v1/log/proof/consistency?from=" +
                                       std::to_string(before.size) +
                                       "&to=" + std::to_string(now.size)));
  auto proof = tlog::ParseProofHashes(answer);
  if (!proof.ok()) return proof.status().WithContext("the consistency proof");
  Status st = tlog::VerifyConsistency(before.size, now.size, before.root, now.root, *proof);
  if (!st.ok()) {
    return Status::Corruption("the log forked: its tree of " + std::to_string(now.size) +
                              " entries does not extend the tree of " +
                              std::to_string(before.size) + " seen before (" + st.message() + ")");
  }
  return Status::Ok();
}

// The server's inclusion proof of entry `index`, checked against the verified root.
Status CheckInclusion(LogClient& client, int64_t index, const std::string& entry,
                      const tlog::Checkpoint& c) {
  HOMEPORT_ASSIGN_OR_RETURN(std::string answer,
                            client.Get("/v1/log/proof/inclusion?index=" + std::to_string(index) +
                                       "&size=" + std::to_string(c.size)));
  auto proof = tlog::ParseProofHashes(answer);
  if (!proof.ok()) return proof.status().WithContext("the inclusion proof");
  return tlog::VerifyInclusion(index, c.size, tlog::LeafHash(entry), *proof, c.root);
}

Result<std::vector<tlog::NoteVerifierKey>> ReadWitnessKeys(Env* env,
                                                           const std::vector<std::string>& files) {
  std::vector<tlog::NoteVerifierKey> out;
  for (const auto& file : files) {
    HOMEPORT_ASSIGN_OR_RETURN(std::string text, env->ReadFile(file));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    auto key = tlog::NoteVerifierKey::Parse(text);
    if (!key.ok()) return key.status().WithContext("--witness " + file);
    out.push_back(*key);
  }
  return out;
}

// A manifest file's compact JWS, without the line end a file may have.
Result<std::string> ReadManifestToken(Env* env, const std::string& path) {
  auto token = env->ReadFile(path);
  if (!token.ok()) return token.status().WithContext("--manifest");
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  return token;
}

struct VerifyArgs {
  std::string url, log_pub, state, origin, manifest, batch, ca;
  std::vector<std::string> witnesses;
  int64_t max_entries = 10'000'000;
};

int RunVerify(const VerifyArgs& a) {
  Env* env = Env::Default();
  auto log_key = crypto::ReadPublicKey(env, a.log_pub);
  if (!log_key.ok()) return Fail(log_key.status().WithContext("--log-pub"));
  auto witnesses = ReadWitnessKeys(env, a.witnesses);
  if (!witnesses.ok()) return Fail(witnesses.status());
  auto before = ReadState(env, a.state);
  if (!before.ok()) return Fail(before.status().WithContext("--state"));
  LogClient client(a.url, a.ca);
  auto fetched = FetchCheckpoint(client, *log_key, a.origin, *witnesses);
  if (!fetched.ok()) return Fail(fetched.status());
  const tlog::Checkpoint& c = fetched->checkpoint;
  if (c.size > a.max_entries) {
    return Fail("the log has " + std::to_string(c.size) + " entries, more than --max-entries " +
                std::to_string(a.max_entries));
  }
  // The server's own proof first: a log that shrank or forked is caught before any download.
  if (*before) {
    if (Status st = CheckConsistency(client, **before, c); !st.ok()) return Fail(st);
  }

  // Every entry, and the tree recomputed from them.
  tlog::MemoryHashStore tree;
  struct Found {
    int64_t index;
    std::string data;
    json fields;
  };
  std::optional<Found> manifest_entry;
  std::vector<Found> batch_entries;
  std::string manifest_sha256;
  if (!a.manifest.empty()) {
    auto token = ReadManifestToken(env, a.manifest);
    if (!token.ok()) return Fail(token.status());
    manifest_sha256 = crypto::Sha256Hex(*token);
  }
  for (int64_t start = 0; start < c.size; start += kEntriesPerPage) {
    const int64_t end = std::min(c.size, start + kEntriesPerPage);
    auto page = client.GetJson("/v1/log/entries?start=" + std::to_string(start) +
                               "&end=" + std::to_string(end));
    if (!page.ok()) return Fail(page.status());
    const json& list = (*page)["entries"];
    if (!list.is_array() || static_cast<int64_t>(list.size()) != end - start) {
      return Fail("the server gave a wrong number of entries for [" + std::to_string(start) + ", " +
                  std::to_string(end) + ")");
    }
    for (int64_t i = start; i < end; ++i) {
      const json& e = list[static_cast<size_t>(i - start)];
      if (!e.is_object() || e.value("index", int64_t{-1}) != i || !e.contains("data") ||
          !e["data"].is_string()) {
        return Fail("entry " + std::to_string(i) + " is malformed");
      }
      auto data = crypto::Base64Decode(e["data"].get<std::string>());
      if (!data.ok()) return Fail("entry " + std::to_string(i) + ": " + data.status().message());
      if (Status st = tree.Append(*data); !st.ok()) return Fail(st);
      json fields = json::parse(*data, nullptr, false);
      if (!manifest_sha256.empty() && tlog::IsManifestEntry(*data, manifest_sha256)) {
        manifest_entry = Found{i, *data, fields};
      }
      if (fields.is_object() && !a.batch.empty() && fields.value("type", "") == "enrollment" &&
          fields.value("batch", "") == a.batch) {
        batch_entries.push_back({i, *data, fields});
      }
    }
  }
  auto root = tlog::TreeHash(c.size, tree);
  if (!root.ok()) return Fail(root.status());
  if (*root != c.root) {
    return Fail("the root recomputed from the log's " + std::to_string(c.size) +
                " entries does not match the signed checkpoint: the entries served are not the "
                "log that was signed");
  }
  if (*before) {
    // The entries themselves must also give the root seen before.
    auto old_root = tlog::TreeHash((*before)->size, tree);
    if (!old_root.ok() || *old_root != (*before)->root) {
      return Fail("the log's first " + std::to_string((*before)->size) +
                  " entries no longer give the root seen before: its history was rewritten");
    }
  }
  if (!a.manifest.empty()) {
    if (!manifest_entry) return Fail("the manifest " + a.manifest + " is not in the log");
    if (Status st = CheckInclusion(client, manifest_entry->index, manifest_entry->data, c);
        !st.ok()) {
      return Fail(st.WithContext("the manifest's inclusion proof"));
    }
  }
  if (!a.batch.empty()) {
    if (batch_entries.empty()) return Fail("no enrollment of batch " + a.batch + " is in the log");
    for (const auto& found : batch_entries) {
      if (Status st = CheckInclusion(client, found.index, found.data, c); !st.ok()) {
        return Fail(st.WithContext("the batch's inclusion proof"));
      }
    }
  }
  if (Status st = WriteState(env, a.state, *fetched); !st.ok()) return Fail(st.WithContext("--state"));

  std::printf("log %s: %lld entries, root verified against the signed checkpoint\n",
              TerminalSafe(c.origin).c_str(), static_cast<long long>(c.size));
  if (*before) {
    std::printf("consistent with the %lld entries seen before\n",
                static_cast<long long>((*before)->size));
  }
  for (const auto& w : fetched->cosigned_by) {
    std::printf("cosigned by witness %s\n", TerminalSafe(w).c_str());
  }
  if (manifest_entry) {
    std::printf("manifest %s included at index %lld\n", TerminalSafe(a.manifest).c_str(),
                static_cast<long long>(manifest_entry->index));
  }
  for (const auto& found : batch_entries) {
    std::printf("batch %s: %lld records (sha256 %s) included at index %lld\n",
                TerminalSafe(a.batch).c_str(),
                static_cast<long long>(found.fields.value("records", int64_t{0})),
                TerminalSafe(found.fields.value("records_sha256", "")).c_str(),
                static_cast<long long>(found.index));
  }
  return 0;
}

struct ProveArgs {
  std::string url, log_pub, manifest, out, origin, ca;
};

// The manifest's inclusion proof as a device checks it (--require-log-proof): its index from
// the server's GET /v1/manifest, the proof fetched and verified like the device will.
int RunProve(const ProveArgs& a) {
  Env* env = Env::Default();
  auto log_key = crypto::ReadPublicKey(env, a.log_pub);
  if (!log_key.ok()) return Fail(log_key.status().WithContext("--log-pub"));
  auto token = ReadManifestToken(env, a.manifest);
  if (!token.ok()) return Fail(token.status());
  LogClient client(a.url, a.ca);
  auto served = client.GetJson("/v1/manifest");
  if (!served.ok()) return Fail(served.status());
  const json& tokens = (*served)["manifests"];
  const json& indexes = (*served)["log_indexes"];
  std::optional<int64_t> index;
  if (tokens.is_array() && indexes.is_array() && tokens.size() == indexes.size()) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (tokens[i] == *token && indexes[i].is_number_integer()) index = indexes[i].get<int64_t>();
    }
  }
  if (!index) {
    return Fail("the server at " + a.url + " does not serve the manifest " + a.manifest +
                " with a log index: a manifest is logged when `serve --manifest` serves it "
                "(with --log-key)");
  }
  auto bundle = tlog::FetchInclusionBundle([&](const std::string& path) { return client.Get(path); },
                                           *index);
  if (!bundle.ok()) return Fail(bundle.status());
  auto checkpoint = tlog::VerifyInclusionBundle(*bundle, *log_key, a.origin);
  if (!checkpoint.ok()) return Fail(checkpoint.status());
  if (!tlog::IsManifestEntry(bundle->entry, crypto::Sha256Hex(*token))) {
    return Fail("log entry " + std::to_string(*index) + " is not the manifest " + a.manifest);
  }
  const std::string out = a.out.empty() ? a.manifest + ".proof" : a.out;
  if (Status st = env->WriteFileAtomic(out, tlog::InclusionBundleToJson(*bundle), 0644); !st.ok()) {
    return Fail(st.WithContext("--out"));
  }
  std::printf("manifest %s included at index %lld of log %s (checkpoint of %lld entries); "
              "proof written to %s\n",
              TerminalSafe(a.manifest).c_str(), static_cast<long long>(*index),
              TerminalSafe(checkpoint->origin).c_str(), static_cast<long long>(checkpoint->size),
              TerminalSafe(out).c_str());
  return 0;
}

struct CheckArgs {
  std::string proof, log_pub, origin, manifest, nonce, client_id;
};

// An inclusion proof file checked offline, as a regulator handed a device's erasure receipt (or
// a maker's manifest proof) checks it: the log's signature, the entry's inclusion, and — given
// the manifest, or the nonce and client id — that the entry is what it is said to be.
int RunCheck(const CheckArgs& a) {
  Env* env = Env::Default();
  if (a.nonce.empty() != a.client_id.empty()) {
    return Fail("--nonce and --client-id go together: the commitment is made of both");
  }
  auto log_key = crypto::ReadPublicKey(env, a.log_pub);
  if (!log_key.ok()) return Fail(log_key.status().WithContext("--log-pub"));
  auto text = env->ReadFile(a.proof);
  if (!text.ok()) return Fail(text.status().WithContext("--proof"));
  auto bundle = tlog::ParseInclusionBundle(*text);
  if (!bundle.ok()) return Fail(bundle.status().WithContext("--proof " + a.proof));
  auto checkpoint = tlog::VerifyInclusionBundle(*bundle, *log_key, a.origin);
  if (!checkpoint.ok()) return Fail(checkpoint.status());
  if (!a.manifest.empty()) {
    auto token = ReadManifestToken(env, a.manifest);
    if (!token.ok()) return Fail(token.status());
    if (!tlog::IsManifestEntry(bundle->entry, crypto::Sha256Hex(*token))) {
      return Fail("the proven entry is not the manifest " + a.manifest);
    }
  }
  if (!a.nonce.empty()) {
    auto nonce = crypto::Base64UrlDecode(a.nonce);
    if (!nonce.ok() || nonce->size() != kErasureNonceBytes) {
      return Fail("--nonce: not the base64url of 32 bytes (agent uxp receipt --json shows it)");
    }
    if (!tlog::IsErasureEntry(bundle->entry, ErasureCommitment(*nonce, a.client_id))) {
      return Fail("the proven entry is not the erasure of client " + a.client_id +
                  " under this nonce");
    }
  }
  std::printf("entry %lld of log %s is in its signed checkpoint of %lld entries: %s\n",
              static_cast<long long>(bundle->index), TerminalSafe(checkpoint->origin).c_str(),
              static_cast<long long>(checkpoint->size), TerminalSafe(bundle->entry).c_str());
  if (!a.manifest.empty()) {
    std::printf("it is the manifest %s\n", TerminalSafe(a.manifest).c_str());
  }
  if (!a.nonce.empty()) {
    std::printf("it is the erasure of client %s\n", TerminalSafe(a.client_id).c_str());
  }
  return 0;
}

struct WitnessArgs {
  std::string url, key, log_pub, state, name, origin, ca;
};

int RunWitness(const WitnessArgs& a) {
  Env* env = Env::Default();
  if (!tlog::IsValidNoteKeyName(a.name)) return Fail("--name \"" + a.name + "\": no spaces, no '+'");
  auto key = crypto::ReadSecretKey(env, a.key);
  if (!key.ok()) return Fail(key.status().WithContext("--key"));
  auto log_key = crypto::ReadPublicKey(env, a.log_pub);
  if (!log_key.ok()) return Fail(log_key.status().WithContext("--log-pub"));
  auto before = ReadState(env, a.state);
  if (!before.ok()) return Fail(before.status().WithContext("--state"));
  LogClient client(a.url, a.ca);
  auto fetched = FetchCheckpoint(client, *log_key, a.origin, {});
  if (!fetched.ok()) return Fail(fetched.status());
  if (*before) {
    if (Status st = CheckConsistency(client, **before, fetched->checkpoint); !st.ok()) {
      return Fail(st.WithContext("not cosigned"));
    }
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          Env::Default()->Now().time_since_epoch())
                          .count();
  auto cosigned = tlog::AddCosignature(fetched->note, a.name, *key, now);
  if (!cosigned.ok()) return Fail(cosigned.status());
  auto posted = client.Post("/v1/log/cosignature", *cosigned);
  if (!posted.ok()) return Fail(posted.status());
  if (Status st = WriteState(env, a.state, *fetched); !st.ok()) return Fail(st.WithContext("--state"));
  std::printf("cosigned log %s at %lld entries as %s\n",
              TerminalSafe(fetched->checkpoint.origin).c_str(),
              static_cast<long long>(fetched->checkpoint.size), TerminalSafe(a.name).c_str());
  return 0;
}

}  // namespace

void AddLogCommands(CLI::App& app, Commands& commands) {
  auto* log = app.add_subcommand("log", "the region's transparency log, checked from outside");
  log->require_subcommand(1);

  auto v = std::make_shared<VerifyArgs>();
  auto* verify = log->add_subcommand(
      "verify", "check a region's log: its signature, its tree, consistency with the last "
                "checkpoint seen, and what it includes");
  verify->add_option("--url", v->url, "the region server's base URL (device-facing)")->required();
  verify->add_option("--log-pub", v->log_pub, "the log's public key (JWK)")->required();
  verify->add_option("--state", v->state,
                     "file remembering the last checkpoint verified (read, then replaced)");
  verify->add_option("--origin", v->origin, "the log's expected origin (default: as it says)");
  verify->add_option("--manifest", v->manifest, "prove this manifest (compact JWS) is in the log");
  verify->add_option("--batch", v->batch, "prove this enrollment batch is in the log");
  verify->add_option("--witness", v->witnesses, "a witness's verifier key file: name its cosignatures");
  verify->add_option("--ca", v->ca, "PEM bundle of trusted CAs for an https URL");
  verify->add_option("--max-entries", v->max_entries, "refuse a log longer than this")
      ->capture_default_str()
      ->check(WholeNumberIn(1, tlog::kMaxTreeSize, "a number of entries"));
  verify->callback([&commands, v] { commands.run = [v] { return RunVerify(*v); }; });

  auto p = std::make_shared<ProveArgs>();
  auto* prove = log->add_subcommand(
      "prove", "write a manifest's inclusion proof, for devices that require one "
               "(agent --require-log-proof)");
  prove->add_option("--url", p->url, "the region server's base URL (device-facing)")->required();
  prove->add_option("--log-pub", p->log_pub, "the log's public key (JWK)")->required();
  prove->add_option("--manifest", p->manifest, "the manifest (compact JWS) the server serves")
      ->required();
  prove->add_option("--out", p->out, "where to write the proof (default: MANIFEST.proof)");
  prove->add_option("--origin", p->origin, "the log's expected origin (default: as it says)");
  prove->add_option("--ca", p->ca, "PEM bundle of trusted CAs for an https URL");
  prove->callback([&commands, p] { commands.run = [p] { return RunProve(*p); }; });

  auto k2 = std::make_shared<CheckArgs>();
  auto* check = log->add_subcommand(
      "check", "check an inclusion proof file offline (log prove, agent uxp receipt --out)");
  check->add_option("--proof", k2->proof, "the inclusion proof file")->required();
  check->add_option("--log-pub", k2->log_pub, "the log's public key (JWK)")->required();
  check->add_option("--origin", k2->origin, "the log's expected origin (default: as it says)");
  check->add_option("--manifest", k2->manifest, "and that the entry is this manifest");
  check->add_option("--nonce", k2->nonce,
                    "with --client-id: and that the entry is this client's erasure (the nonce "
                    "from agent uxp receipt --json)");
  check->add_option("--client-id", k2->client_id, "the erased client id");
  check->callback([&commands, k2] { commands.run = [k2] { return RunCheck(*k2); }; });

  auto w = std::make_shared<WitnessArgs>();
  auto* witness = log->add_subcommand(
      "witness", "cosign a region's checkpoint after checking it extends the last one cosigned");
  witness->add_option("--url", w->url, "the region server's base URL (device-facing)")->required();
  witness->add_option("--key", w->key, "the witness's secret key (JWK, keys new)")->required();
  witness->add_option("--log-pub", w->log_pub, "the log's public key (JWK)")->required();
  witness->add_option("--state", w->state, "the witness's memory of the last cosigned checkpoint")
      ->required();
  witness->add_option("--name", w->name, "the witness's name")->required();
  witness->add_option("--origin", w->origin, "the log's expected origin (default: as it says)");
  witness->add_option("--ca", w->ca, "PEM bundle of trusted CAs for an https URL");
  witness->callback([&commands, w] { commands.run = [w] { return RunWitness(*w); }; });

  struct KeyArgs {
    std::string key, name;
  };
  auto k = std::make_shared<KeyArgs>();
  auto* witness_key = log->add_subcommand(
      "witness-key", "print a witness's verifier key, for the server's --log-witness");
  witness_key->add_option("--key", k->key, "the witness's key (JWK, secret or public)")->required();
  witness_key->add_option("--name", k->name, "the witness's name")->required();
  witness_key->callback([&commands, k] {
    commands.run = [k] {
      auto key = crypto::ReadPublicKey(Env::Default(), k->key);
      if (!key.ok()) return Fail(key.status().WithContext("--key"));
      auto verifier =
          tlog::NoteVerifierKey::Make(k->name, tlog::NoteSignatureType::kCosignatureV1, *key);
      if (!verifier.ok()) return Fail(verifier.status().WithContext("--name"));
      std::printf("%s\n", verifier->ToString().c_str());
      return 0;
    };
  });
}

}  // namespace homeport::cli
