// Device-side commands: `homeport agent activate`, `agent trust` and `agent uxp ...`, the CLI
// over libhomeport. Every command that verifies a manifest opens the library with the same
// options (rotation statements included), so D1 holds for each.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.h"
#include "common/terminal_text.h"
#include "homeport/agent.h"
#include "homeport/uxp.h"

namespace homeport::cli {
namespace {

// A week: longer than any device would wait in one call, and far from overflowing milliseconds.
constexpr double kMaxDeadlineSeconds = 7 * 24 * 3600;

// What every agent command takes: the device's files and how long it may keep retrying.
struct DeviceArgs {
  AgentOptions options;
  double deadline_seconds = 60;

  const AgentOptions& Resolved() {
    options.deadline = std::chrono::milliseconds(static_cast<int64_t>(deadline_seconds * 1000));
    return options;
  }
};

void AddDeviceOptions(CLI::App* cmd, DeviceArgs& a) {
  cmd->add_option("--profile", a.options.profile_path, "device profile from the factory")
      ->required();
  cmd->add_option("--manifest", a.options.manifest_path, "signed region manifest")->required();
  cmd->add_option("--state", a.options.state_dir, "the device's state directory")->required();
  cmd->add_option("--deadline", a.deadline_seconds, "seconds to keep retrying")
      ->capture_default_str()
      ->check(NumberIn(0.001, kMaxDeadlineSeconds, "a number of seconds"));
  cmd->add_option("--ca", a.options.ca_file, "PEM bundle of trusted CAs");
  // One file per --rotation, so a positional argument after it is never taken for a second.
  cmd->add_option("--rotation", a.options.rotation_paths,
                  "root key rotation statement(s) shipped with the firmware (keys rotate; one "
                  "per line in a file), oldest first; repeatable")
      ->allow_extra_args(false);
  cmd->add_flag("--require-log-proof", a.options.require_log_proof,
                "accept the manifest only with its inclusion proof in the region's "
                "transparency log (as a profile with require_log_proof does)");
  cmd->add_option("--log-proof", a.options.log_proof_path,
                  "the manifest's inclusion proof (log prove; default: MANIFEST.proof)");
}

nlohmann::json SummaryJson(const UploadSummary& s) {
  nlohmann::json j = {{"sent", s.sent}, {"dropped", s.dropped}, {"pending", s.pending}};
  if (!s.last_error.ok()) j["last_error"] = s.last_error.message();
  return j;
}

// Server text reaches these messages (an error body, a redirect's Location).
std::string Why(const Status& status) { return TerminalSafe(status.message()); }

// Runs `body(program, args)` when `cmd` is chosen; opening failures (D1 included) end it first.
template <typename Args, typename Body>
void OnUxp(CLI::App* cmd, Commands& commands, std::shared_ptr<Args> a, Body body) {
  cmd->callback([&commands, a, body] {
    commands.run = [a, body] {
      auto uxp = UxProgram::Open(a->Resolved());
      if (!uxp.ok()) return Fail(uxp.status());
      return body(**uxp, *a);
    };
  });
}

void AddUxpCommands(CLI::App* agent, Commands& commands) {
  auto* uxp = agent->add_subcommand(
      "uxp", "the opt-in User Experience Program: diagnostics and feedback as Glean pings");
  uxp->require_subcommand(1);

  auto opt_in_args = std::make_shared<DeviceArgs>();
  auto* opt_in = uxp->add_subcommand("opt-in", "join the program with a new random client id");
  AddDeviceOptions(opt_in, *opt_in_args);
  OnUxp(opt_in, commands, opt_in_args, [](UxProgram& p, DeviceArgs&) {
    Status st = p.OptIn();
    if (!st.ok()) return Fail(st);
    auto status = p.GetStatus();
    if (!status.ok()) return Fail(status.status());
    std::printf("opted in; client id %s\n", TerminalSafe(status->client_id.value_or("")).c_str());
    return 0;
  });

  auto opt_out_args = std::make_shared<DeviceArgs>();
  auto* opt_out = uxp->add_subcommand(
      "opt-out", "leave the program: send a deletion-request, wipe local data and the client id");
  AddDeviceOptions(opt_out, *opt_out_args);
  OnUxp(opt_out, commands, opt_out_args, [](UxProgram& p, DeviceArgs&) {
    auto summary = p.OptOut();
    if (!summary.ok()) return Fail(summary.status());
    auto after = p.GetStatus();
    if (!after.ok()) return Fail(after.status());
    std::printf("opted out; local UX data and client id wiped\n");
    if (after->pending_deletion_requests > 0) {
      // Queued, not delivered: the server still holds the data until a later upload gets a 2xx.
      std::printf(
          "deletion pending: deletion-request queued, not delivered yet (%d waiting; %s); "
          "`homeport agent uxp upload` retries it\n",
          after->pending_deletion_requests, Why(summary->last_error).c_str());
    } else if (summary->sent > 0) {
      std::printf("deletion-request sent; the server has accepted it\n");
    }
    return 0;
  });

  auto status_args = std::make_shared<DeviceArgs>();
  auto* status = uxp->add_subcommand("status", "print the program's state as JSON");
  AddDeviceOptions(status, *status_args);
  OnUxp(status, commands, status_args, [](UxProgram& p, DeviceArgs&) {
    auto s = p.GetStatus();
    if (!s.ok()) return Fail(s.status());
    nlohmann::json j = {{"enabled", s->enabled},
                        {"client_id", nullptr},
                        {"pending_pings", s->pending_pings},
                        {"deletion_pending", s->pending_deletion_requests > 0},
                        {"pending_deletion_requests", s->pending_deletion_requests}};
    if (s->client_id) j["client_id"] = *s->client_id;
    std::printf("%s\n", TerminalSafeJson(j).c_str());
    return 0;
  });

  struct ReceiptArgs : DeviceArgs {
    bool json = false;
    std::string client_id, out;
  };
  auto receipt_args = std::make_shared<ReceiptArgs>();
  auto* receipt = uxp->add_subcommand(
      "receipt", "prove that each opt-out's erasure is in the region's transparency log");
  receipt->add_flag("--json", receipt_args->json, "print the proofs as JSON");
  receipt->add_option("--client-id", receipt_args->client_id,
                      "also check that the commitments open to this (erased) client id");
  receipt->add_option("--out", receipt_args->out,
                      "write the latest proof as an inclusion proof file anyone can check");
  AddDeviceOptions(receipt, *receipt_args);
  OnUxp(receipt, commands, receipt_args, [](UxProgram& p, ReceiptArgs& a) {
    auto receipts = p.ErasureReceipts();
    if (!receipts.ok()) return Fail(receipts.status());
    if (receipts->empty()) return Fail("no opt-out on this device has left a receipt");
    nlohmann::json list = nlohmann::json::array();
    std::string failures, latest_bundle;
    for (const ErasureReceipt& r : *receipts) {
      nlohmann::json j = {{"doc_id", r.doc_id},
                          {"requested_on", r.requested_on},
                          {"commitment", r.commitment},
                          {"nonce", r.nonce},
                          {"log_index", nullptr}};
      if (r.log_index) j["log_index"] = *r.log_index;
      if (!a.client_id.empty()) j["opens_to_client_id"] = ErasureCommitmentOpensTo(r, a.client_id);
      auto proof = p.ProveErasure(r);
      if (proof.ok()) {
        j["verified"] = true;
        j["log_origin"] = proof->log_origin;
        j["tree_size"] = proof->tree_size;
        j["root_hash"] = proof->root_hash;
        latest_bundle = proof->bundle_json;
      } else {
        j["verified"] = false;
        j["problem"] = proof.status().message();
        failures += "\n  " + r.doc_id + ": " + proof.status().message();
      }
      if (!a.json) {
        std::printf("erasure of %s (deletion-request %s)\n", TerminalSafe(r.requested_on).c_str(),
                    TerminalSafe(r.doc_id).c_str());
        std::printf("  commitment %s = SHA-256(nonce kept on this device || client id)\n",
                    r.commitment.c_str());
        if (proof.ok()) {
          std::printf("  logged at index %lld of log %s: inclusion proof verified against the "
                      "checkpoint of %lld entries (root %s) signed by the region's log key\n",
                      static_cast<long long>(*r.log_index), TerminalSafe(proof->log_origin).c_str(),
                      static_cast<long long>(proof->tree_size), proof->root_hash.c_str());
        } else {
          std::printf("  NOT PROVEN: %s\n", Why(proof.status()).c_str());
        }
        if (!a.client_id.empty()) {
          std::printf("  %s client id %s\n",
                      ErasureCommitmentOpensTo(r, a.client_id) ? "opens to" : "does NOT open to",
                      TerminalSafe(a.client_id).c_str());
        }
      }
      list.push_back(std::move(j));
    }
    if (a.json) std::printf("%s\n", TerminalSafeJson(list).c_str());
    if (!a.out.empty() && !latest_bundle.empty()) {
      if (Status st = Env::Default()->WriteFileAtomic(a.out, latest_bundle, 0644); !st.ok()) {
        return Fail(st.WithContext("--out"));
      }
    }
    if (!failures.empty()) return Fail("not every erasure is proven to be logged:" + TerminalSafe(failures));
    return 0;
  });

  struct RecordArgs : DeviceArgs {
    std::string name, value;
  };
  auto record_args = std::make_shared<RecordArgs>();
  auto* record = uxp->add_subcommand(
      "record", "record a diagnostics metric: counters add, other types set the value");
  record
      ->add_option("NAME", record_args->name,
                   "metric, e.g. diagnostics.crash_count or diagnostics.thermal_throttling/severe")
      ->required();
  record
      ->add_option("VALUE", record_args->value,
                   "whole number (milliseconds for timespans); key=value,... for events")
      ->required();
  AddDeviceOptions(record, *record_args);
  OnUxp(record, commands, record_args, [](UxProgram& p, RecordArgs& a) {
    Status st = p.Record(a.name, a.value);
    return st.ok() ? 0 : Fail(st);
  });

  struct FeedbackArgs : DeviceArgs {
    std::string text;
    std::optional<int> rating;
  };
  auto feedback_args = std::make_shared<FeedbackArgs>();
  auto* feedback = uxp->add_subcommand("feedback", "queue a feedback ping");
  feedback->add_option("TEXT", feedback_args->text, "what the user wrote")->required();
  // Checked by the library, so a bad rating fails like every other error ("homeport: ...").
  feedback->add_option("--rating", feedback_args->rating, "1 (poor) to 5 (excellent)");
  AddDeviceOptions(feedback, *feedback_args);
  OnUxp(feedback, commands, feedback_args, [](UxProgram& p, FeedbackArgs& a) {
    Status st = p.Feedback(a.text, a.rating);
    if (!st.ok()) return Fail(st);
    std::printf("feedback queued; `homeport agent uxp upload` sends it\n");
    return 0;
  });

  struct UploadArgs : DeviceArgs {
    bool json = false;
  };
  auto upload_args = std::make_shared<UploadArgs>();
  auto* upload = uxp->add_subcommand(
      "upload", "send recorded diagnostics and every pending ping; exit 1 if some stay queued");
  upload->add_flag("--json", upload_args->json, "print the summary as JSON");
  AddDeviceOptions(upload, *upload_args);
  OnUxp(upload, commands, upload_args, [](UxProgram& p, UploadArgs& a) {
    auto s = p.Upload(DiagnosticsReason::kOnDemand);
    if (!s.ok()) return Fail(s.status());
    if (a.json) {
      std::printf("%s\n", TerminalSafeJson(SummaryJson(*s)).c_str());
    } else {
      std::printf("sent %d, dropped %d, pending %d\n", s->sent, s->dropped, s->pending);
    }
    if (s->pending > 0) return Fail("pings stay queued: " + s->last_error.message());
    // Dropped pings are final; say why, but the upload itself is done.
    if (s->dropped > 0) std::fprintf(stderr, "homeport: %s\n", Why(s->last_error).c_str());
    return 0;
  });
}

nlohmann::json TrustJson(const DeviceTrust& t) {
  nlohmann::json rotations = nlohmann::json::array();
  for (const AppliedRotation& r : t.rotations) {
    rotations.push_back({{"old_kid", r.old_kid},
                         {"new_kid", r.new_kid},
                         {"issued_at", r.issued_at},
                         {"applied_at", r.applied_at}});
  }
  return {{"root_kid", t.root_kid},
          {"root_public_key", nlohmann::json::parse(t.root_public_jwk)},
          {"rotations", std::move(rotations)},
          {"highest_manifest_version", t.highest_manifest_version}};
}

// Read-only: what the device trusts now. Applying a rotation is the business of the commands
// that verify a manifest (--rotation), so that trust only moves when a manifest is accepted.
void AddTrustCommand(CLI::App* agent, Commands& commands) {
  auto options = std::make_shared<AgentOptions>();
  auto* trust = agent->add_subcommand(
      "trust",
      "print the root key the device trusts, its applied rotations and the highest "
      "manifest version it has accepted, as JSON");
  trust->add_option("--profile", options->profile_path, "device profile from the factory")
      ->required();
  trust->add_option("--state", options->state_dir, "the device's state directory")->required();
  trust->callback([&commands, options] {
    commands.run = [options] {
      auto t = ReadDeviceTrust(*options);
      if (!t.ok()) return Fail(t.status());
      std::printf("%s\n", TerminalSafeJson(TrustJson(*t)).c_str());
      return 0;
    };
  });
}

}  // namespace

void AddAgentCommands(CLI::App& app, Commands& commands) {
  auto* agent =
      app.add_subcommand("agent", "the device client (libhomeport) from the command line");
  agent->require_subcommand(1);

  struct ActivateArgs : DeviceArgs {
    bool json = false;
  };
  auto a = std::make_shared<ActivateArgs>();
  auto* activate = agent->add_subcommand(
      "activate", "activate the device's warranty once; print the warranty start (YYYY-MM-DD)");
  AddDeviceOptions(activate, *a);
  activate->add_flag("--json", a->json, "print the whole activation state as JSON");
  activate->callback([&commands, a] {
    commands.run = [a] {
      auto agent = Agent::Open(a->Resolved());
      if (!agent.ok()) return Fail(agent.status());
      auto state = (*agent)->Activate();
      if (!state.ok()) return Fail(state.status());
      if (a->json) {
        nlohmann::json j = {{"serial", state->serial},
                            {"warranty_start", state->warranty_start},
                            {"client_version", state->client_version},
                            {"manifest_version", state->manifest_version},
                            {"activated_at", state->activated_at},
                            {"outcome", ToString(state->outcome)}};
        std::printf("%s\n", TerminalSafeJson(j).c_str());
      } else {
        std::printf("%s\n", TerminalSafe(state->warranty_start).c_str());
      }
      return 0;
    };
  });

  AddTrustCommand(agent, commands);
  AddUxpCommands(agent, commands);
}

}  // namespace homeport::cli
