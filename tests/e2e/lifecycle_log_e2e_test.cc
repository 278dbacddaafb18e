// Device lifecycle and the transparency log end to end: real `homeport` processes — maker
// tooling, `serve --log-key`, the operator's `revoke`/`reinstate`/`device reset`, an auditor's
// `log verify` and a witness's `log witness` — over loopback sockets, and the store's files
// rewritten behind the server's back as an insider would.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "e2e_support.h"
#include "homeport/env.h"
#include "store/store.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

// Changes the store's file directly, as someone with access to the database server would.
void Tamper(const std::string& db, const std::string& sql) {
  sqlite3* c = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &c), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(c);
}

struct LogRegion {
  Region region{3};
  std::string log_key = region.dir.File("log-key");
  std::string witness_key = region.dir.File("witness-key");
  std::string witness_vkey = region.dir.File("witness.vkey");

  LogRegion() {
    EXPECT_EQ(Homeport({"keys", "new", "--out", log_key}).exit_code, 0);
    EXPECT_EQ(Homeport({"keys", "new", "--out", witness_key}).exit_code, 0);
    CommandResult vkey =
        Homeport({"log", "witness-key", "--key", witness_key + ".pub", "--name", "witness.example"});
    EXPECT_EQ(vkey.exit_code, 0) << vkey.err;
    FILE* f = std::fopen(witness_vkey.c_str(), "w");
    std::fputs(vkey.out.c_str(), f);
    std::fclose(f);
  }

  std::vector<std::string> Serve(const std::string& manifest) const {
    return {"--region", "sg", "--store", region.store_url, "--listen", "127.0.0.1:0",
            "--manifest", manifest, "--log-key", log_key, "--log-witness", witness_vkey};
  }

  CommandResult Verify(const ServerProcess& s, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"log", "verify", "--url", s.url(), "--log-pub",
                                     log_key + ".pub", "--state", region.dir.File("audit.json"),
                                     "--witness", witness_vkey};
    args.insert(args.end(), extra.begin(), extra.end());
    return Homeport(args);
  }

  CommandResult Witness(const ServerProcess& s) const {
    return Homeport({"log", "witness", "--url", s.url(), "--key", witness_key, "--log-pub",
                     log_key + ".pub", "--state", region.dir.File("witness.json"), "--name",
                     "witness.example"});
  }

  CommandResult Operator(std::vector<std::string> args) const {
    args.push_back("--store");
    args.push_back(region.store_url);
    return Homeport(args);
  }

  // A second batch ("B2") whose profiles carry the log's public key, requiring a proof of
  // their manifest when `require` is set; returns device 1's profile.
  std::string LoggedBatch(bool require) const {
    const std::string dir = region.dir.File(require ? "batch-require" : "batch-logged");
    std::vector<std::string> args = {
        "factory", "batch", "--root-pub", region.root_pub, "--count", "1", "--model", "HP7",
        "--sku", "HP7-64", "--variant", "global", "--region", "sg", "--batch", "B2",
        "--out", dir, "--log-pub", log_key + ".pub"};
    if (require) args.push_back("--require-log-proof");
    CommandResult made = Homeport(args);
    EXPECT_EQ(made.exit_code, 0) << made.err;
    return dir + "/devices/B2-000001.json";
  }

  // The state directory of the device of `profile`.
  std::string StateOf(const std::string& profile) const {
    return region.dir.File("state-" + std::filesystem::path(profile).stem().string());
  }

  // `homeport agent uxp ARGS...` as a device of `profile` with `manifest`.
  CommandResult Uxp(const std::string& profile, const std::string& manifest,
                    std::vector<std::string> args) const {
    std::vector<std::string> full = {"agent", "uxp"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--profile", profile, "--manifest", manifest, "--state",
                             StateOf(profile),
                             "--deadline", "10"});
    return Homeport(full);
  }

  HttpResult Activate(const ServerProcess& s, int n, int64_t sequence,
                      const std::string& client = "1.0.0") const {
    SignedActivation a = HandMadeActivation(region.Profile(n), "sg", client, 1, sequence);
    return HttpCall(s.port(), "POST", "/v1/activations", a.headers, a.body);
  }
};

TEST(LifecycleE2E, ARevokedDeviceGets403RevokedUntilReinstated) {
  LogRegion r;
  ServerProcess server(r.Serve(r.region.Manifest("sg", "http://127.0.0.1:1")));
  ASSERT_TRUE(server.started());
  ASSERT_EQ(r.Activate(server, 1, 1).status, 201);

  CommandResult revoke = r.Operator({"revoke", "--serial", r.region.Serial(1), "--reason", "stolen"});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.err;
  HttpResult refused = r.Activate(server, 1, 2, "1.0.1");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(json::parse(refused.body)["error"], "revoked");

  CommandResult warranty = r.Operator({"warranty", r.region.Serial(1)});
  ASSERT_EQ(warranty.exit_code, 0) << warranty.err;
  json record = json::parse(warranty.out);
  EXPECT_EQ(record["client_version"], "1.0.0") << "the check-in changed nothing";
  EXPECT_EQ(record["revoked"]["reason"], "stolen");

  CommandResult rollout = r.Operator({"rollout", "--json"});
  ASSERT_EQ(rollout.exit_code, 0);
  EXPECT_EQ(json::parse(rollout.out)["batches"][0]["revoked"], 1);

  EXPECT_EQ(r.Operator({"reinstate", "--serial", r.region.Serial(1), "--reason", "found"}).exit_code,
            0);
  EXPECT_EQ(r.Activate(server, 1, 3, "1.0.1").status, 200);
}

TEST(LifecycleE2E, ABadSelectionIsAClearError) {
  LogRegion r;
  CommandResult both = r.Operator({"revoke", "--reason", "x"});
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.err.find("--serial"), std::string::npos) << both.err;
  CommandResult unknown = r.Operator({"revoke", "--batch", "B9", "--reason", "recall"});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("batch B9 is not enrolled"), std::string::npos) << unknown.err;
  CommandResult reason =
      r.Operator({"device", "reset", "--serial", r.region.Serial(1), "--reason", "lost"});
  EXPECT_NE(reason.exit_code, 0);
  EXPECT_NE(reason.err.find("refurbished, repaired or returned"), std::string::npos) << reason.err;
}

TEST(LifecycleE2E, AResetDeviceStartsANewWarrantyAndShowsBoth) {
  LogRegion r;
  ServerProcess server(r.Serve(r.region.Manifest("sg", "http://127.0.0.1:1")));
  ASSERT_TRUE(server.started());
  HttpResult first = r.Activate(server, 2, 1);
  ASSERT_EQ(first.status, 201);
  CommandResult reset =
      r.Operator({"device", "reset", "--serial", r.region.Serial(2), "--reason", "refurbished"});
  ASSERT_EQ(reset.exit_code, 0) << reset.err;
  // A refurbished device's state was wiped: its counter starts again.
  HttpResult again = r.Activate(server, 2, 1);
  EXPECT_EQ(again.status, 201) << "a first activation of the new period: " << again.body;
  json record = json::parse(r.Operator({"warranty", r.region.Serial(2)}).out);
  ASSERT_EQ(record["earlier_periods"].size(), 1u);
  EXPECT_EQ(record["earlier_periods"][0]["reason"], "refurbished");
  EXPECT_EQ(record["earlier_periods"][0]["warranty_start"],
            json::parse(first.body)["warranty_start"]);
  EXPECT_EQ(record["warranty_start"], json::parse(again.body)["warranty_start"]);
}

TEST(LifecycleE2E, ACheckInUnderAServedRollbackManifestIsRecordedAndOthersStayStale) {
  LogRegion r;
  const std::string rollback = r.region.dir.File("rollback-v4.jws");
  CommandResult signed_rollback =
      Homeport({"manifest", "sign", "--root-key", r.region.root_key, "--region", "sg",
                "--variant", "global", "--activation-url", "http://127.0.0.1:1", "--uxp-url",
                "http://127.0.0.1:1", "--version", "4", "--rollback", "--out", rollback});
  ASSERT_EQ(signed_rollback.exit_code, 0) << signed_rollback.err;
  ServerProcess server(r.Serve(rollback));
  ASSERT_TRUE(server.started());
  auto activate = [&](int64_t manifest, int64_t sequence) {
    SignedActivation a = HandMadeActivation(r.region.Profile(1), "sg", "1.0.0", manifest, sequence);
    return HttpCall(server.port(), "POST", "/v1/activations", a.headers, a.body);
  };
  ASSERT_EQ(activate(5, 1).status, 201);
  HttpResult back = activate(4, 2);
  EXPECT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(json::parse(r.Operator({"warranty", r.region.Serial(1)}).out)["manifest_version"], 4);
  // A lower version the region does not serve as a rollback is still refused.
  HttpResult older = activate(3, 3);
  EXPECT_EQ(older.status, 409) << older.body;
  EXPECT_EQ(json::parse(older.body)["error"], "stale_activation");
}

TEST(TransparencyLogE2E, AnAuditorVerifiesTheLogAndWhatItIncludes) {
  LogRegion r;
  const std::string manifest = r.region.Manifest("sg", "http://127.0.0.1:1");
  ServerProcess server(r.Serve(manifest));
  ASSERT_TRUE(server.started());

  CommandResult first = r.Verify(server, {"--manifest", manifest, "--batch", "B1"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("2 entries, root verified"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("manifest " + manifest + " included at index 1"), std::string::npos)
      << first.out;
  EXPECT_NE(first.out.find("batch B1: 3 records"), std::string::npos) << first.out;

  // Changes land in the log; the next check proves the log only grew.
  ASSERT_EQ(r.Operator({"revoke", "--batch", "B1", "--reason", "recall"}).exit_code, 0);
  ASSERT_EQ(r.Operator({"warranty", r.region.Serial(1)}).exit_code, 1) << "never activated";
  CommandResult witnessed = r.Witness(server);
  ASSERT_EQ(witnessed.exit_code, 0) << witnessed.err;
  CommandResult second = r.Verify(server);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("4 entries"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("consistent with the 2 entries seen before"), std::string::npos);
  EXPECT_NE(second.out.find("cosigned by witness witness.example"), std::string::npos)
      << second.out;

  // The checkpoint is a C2SP signed note: origin, size, root, then the signatures.
  HttpResult checkpoint = HttpCall(server.port(), "GET", "/v1/log/checkpoint");
  EXPECT_EQ(checkpoint.status, 200);
  EXPECT_EQ(checkpoint.body.rfind("homeport/sg/log\n4\n", 0), 0u) << checkpoint.body;
  EXPECT_NE(checkpoint.body.find("\n\xE2\x80\x94 witness.example "), std::string::npos);

  // A manifest that was never published is not in the log.
  const std::string unpublished = r.region.Manifest("sg", "http://127.0.0.1:2", 2);
  CommandResult missing = r.Verify(server, {"--manifest", unpublished});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("is not in the log"), std::string::npos) << missing.err;
}

TEST(TransparencyLogE2E, ARewrittenOrTruncatedLogIsDetected) {
  LogRegion r;
  ServerProcess server(r.Serve(r.region.Manifest("sg", "http://127.0.0.1:1")));
  ASSERT_TRUE(server.started());
  ASSERT_EQ(r.Operator({"revoke", "--serial", r.region.Serial(1), "--reason", "x"}).exit_code, 0);
  ASSERT_EQ(r.Verify(server).exit_code, 0);
  ASSERT_EQ(r.Witness(server).exit_code, 0);
  const std::string db = r.region.store_url.substr(7);

  // An entry rewritten in the database: the entries served no longer give the signed root.
  Tamper(db, R"(UPDATE tlog_entries SET data = replace(data, '"records":3', '"records":2'))"
             " WHERE idx = 0");
  CommandResult rewritten = r.Verify(server);
  EXPECT_NE(rewritten.exit_code, 0);
  EXPECT_NE(rewritten.err.find("does not match the signed checkpoint"), std::string::npos)
      << rewritten.err;

  // The log cut back to its first entry, hashes and all: a smaller tree than was seen.
  Tamper(db, "DELETE FROM tlog_entries WHERE idx > 0; DELETE FROM tlog_hashes WHERE idx > 0;"
             " DELETE FROM tlog_manifests");
  CommandResult truncated = r.Verify(server);
  EXPECT_NE(truncated.exit_code, 0);
  EXPECT_NE(truncated.err.find("the log shrank"), std::string::npos) << truncated.err;
  CommandResult witness = r.Witness(server);
  EXPECT_NE(witness.exit_code, 0);
  EXPECT_NE(witness.err.find("not cosigned"), std::string::npos) << witness.err;
}

TEST(TransparencyLogE2E, ALogWithAnotherKeyOrAForgedCosignatureIsRefused) {
  LogRegion r;
  ServerProcess server(r.Serve(r.region.Manifest("sg", "http://127.0.0.1:1")));
  ASSERT_TRUE(server.started());
  const std::string other = r.region.dir.File("other-key");
  ASSERT_EQ(Homeport({"keys", "new", "--out", other}).exit_code, 0);
  CommandResult wrong = Homeport({"log", "verify", "--url", server.url(), "--log-pub", other + ".pub"});
  EXPECT_NE(wrong.exit_code, 0);
  EXPECT_NE(wrong.err.find("does not verify with the log key"), std::string::npos) << wrong.err;

  // A cosignature by a key the server does not know is refused, and nothing is served.
  HttpResult checkpoint = HttpCall(server.port(), "GET", "/v1/log/checkpoint");
  HttpResult forged = HttpCall(server.port(), "POST", "/v1/log/cosignature",
                               {{"Content-Type", "text/plain"}}, checkpoint.body);
  EXPECT_EQ(forged.status, 401) << forged.body;
  EXPECT_EQ(json::parse(forged.body)["error"], "bad_signature");

  // Bad queries are clear errors.
  for (const char* bad : {"/v1/log/entries?start=5", "/v1/log/entries?start=a&end=2",
                          "/v1/log/proof/inclusion?index=3&size=1",
                          "/v1/log/proof/consistency?from=0&to=99", "/v1/log/entries?start=0&end=1&x=1"}) {
    HttpResult r400 = HttpCall(server.port(), "GET", bad);
    EXPECT_EQ(r400.status, 400) << bad << " " << r400.body;
    EXPECT_EQ(json::parse(r400.body)["error"], "bad_request") << bad;
  }
}

TEST(TransparencyLogE2E, ADeviceRequiringALogProofTakesOnlyAPublishedManifest) {
  LogRegion r;
  const std::string profile = r.LoggedBatch(/*require=*/true);
  const std::string published = r.region.Manifest("sg", "http://127.0.0.1:1");
  const std::string unpublished = r.region.Manifest("sg", "http://127.0.0.1:2", 2);
  ServerProcess server(r.Serve(published));
  ASSERT_TRUE(server.started());

  CommandResult no_proof = r.Uxp(profile, published, {"status"});
  EXPECT_NE(no_proof.exit_code, 0);
  EXPECT_NE(no_proof.err.find("is not proven to be in region \"sg\"'s transparency log"),
            std::string::npos)
      << no_proof.err;
  EXPECT_NE(no_proof.err.find("homeport log prove"), std::string::npos) << no_proof.err;

  CommandResult proved = Homeport({"log", "prove", "--url", server.url(), "--log-pub",
                                   r.log_key + ".pub", "--manifest", published});
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  EXPECT_NE(proved.out.find("included at index 1 of log homeport/sg/log"), std::string::npos)
      << proved.out;
  CommandResult accepted = r.Uxp(profile, published, {"status"});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
  CommandResult checked = Homeport({"log", "check", "--proof", published + ".proof", "--log-pub",
                                    r.log_key + ".pub", "--manifest", published});
  EXPECT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_NE(checked.out.find("it is the manifest"), std::string::npos) << checked.out;

  // A manifest signed by the maker's own root key but never served is not in the log: no proof
  // can be made for it, and the published manifest's proof does not fit it.
  CommandResult cannot = Homeport({"log", "prove", "--url", server.url(), "--log-pub",
                                   r.log_key + ".pub", "--manifest", unpublished});
  EXPECT_NE(cannot.exit_code, 0);
  EXPECT_NE(cannot.err.find("does not serve the manifest"), std::string::npos) << cannot.err;
  std::filesystem::copy_file(published + ".proof", unpublished + ".proof");
  CommandResult borrowed = r.Uxp(profile, unpublished, {"status"});
  EXPECT_NE(borrowed.exit_code, 0);
  EXPECT_NE(borrowed.err.find("is of another log entry"), std::string::npos) << borrowed.err;
  CommandResult not_it = Homeport({"log", "check", "--proof", unpublished + ".proof", "--log-pub",
                                   r.log_key + ".pub", "--manifest", unpublished});
  EXPECT_NE(not_it.exit_code, 0);
  EXPECT_NE(not_it.err.find("is not the manifest"), std::string::npos) << not_it.err;

  // A proof whose checkpoint another key signed.
  const std::string other = r.region.dir.File("other-log-key");
  ASSERT_EQ(Homeport({"keys", "new", "--out", other}).exit_code, 0);
  ServerProcess impostor({"--region", "sg", "--store", "sqlite:" + r.region.dir.File("impostor.db"),
                          "--listen", "127.0.0.1:0", "--manifest", published, "--log-key", other});
  ASSERT_TRUE(impostor.started());
  const std::string forged = r.region.dir.File("forged.proof");
  ASSERT_EQ(Homeport({"log", "prove", "--url", impostor.url(), "--log-pub", other + ".pub",
                      "--manifest", published, "--out", forged})
                .exit_code,
            0);
  CommandResult refused = r.Uxp(profile, published, {"status", "--log-proof", forged});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("not signed by the region's log key"), std::string::npos)
      << refused.err;

  // The flag asks the same of a device whose profile does not, and needs the log's key.
  CommandResult keyless = r.Uxp(r.region.Profile(1), published, {"status", "--require-log-proof"});
  EXPECT_NE(keyless.exit_code, 0);
  EXPECT_NE(keyless.err.find("no log_public_key"), std::string::npos) << keyless.err;
}

TEST(TransparencyLogE2E, AnOptOutLeavesAReceiptProvingItsErasureWasLogged) {
  LogRegion r;
  const std::string profile = r.LoggedBatch(/*require=*/false);
  ServerProcess server({"--region", "sg", "--store", r.region.store_url, "--listen",
                        "127.0.0.1:0", "--log-key", r.log_key});
  ASSERT_TRUE(server.started());
  const std::string manifest = r.region.Manifest("sg", server.url());

  ASSERT_EQ(r.Uxp(profile, manifest, {"opt-in"}).exit_code, 0);
  json status = json::parse(r.Uxp(profile, manifest, {"status"}).out);
  const std::string client_id = status["client_id"];
  ASSERT_EQ(r.Uxp(profile, manifest, {"feedback", "the screen flickers"}).exit_code, 0);
  ASSERT_EQ(r.Uxp(profile, manifest, {"upload"}).exit_code, 0);
  CommandResult none = r.Uxp(profile, manifest, {"receipt"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("no opt-out"), std::string::npos) << none.err;

  CommandResult out = r.Uxp(profile, manifest, {"opt-out"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  const std::string proof_file = r.region.dir.File("erasure.proof");
  CommandResult receipt =
      r.Uxp(profile, manifest, {"receipt", "--json", "--client-id", client_id, "--out", proof_file});
  ASSERT_EQ(receipt.exit_code, 0) << receipt.err << receipt.out;
  json proofs = json::parse(receipt.out);
  ASSERT_EQ(proofs.size(), 1u);
  EXPECT_TRUE(proofs[0]["verified"].get<bool>()) << proofs[0];
  EXPECT_TRUE(proofs[0]["opens_to_client_id"].get<bool>()) << proofs[0];
  EXPECT_EQ(proofs[0]["log_origin"], "homeport/sg/log");
  const int64_t index = proofs[0]["log_index"];

  // The entry holds the commitment and nothing that names the client; an auditor's full check
  // of the log passes with it.
  HttpResult entry = HttpCall(server.port(), "GET",
                              "/v1/log/entries?start=" + std::to_string(index) +
                                  "&end=" + std::to_string(index + 1));
  ASSERT_EQ(entry.status, 200);
  json logged = json::parse(entry.body)["entries"][0];
  EXPECT_EQ(logged["type"], "erasure");
  EXPECT_EQ(logged["commitment"], proofs[0]["commitment"]);
  EXPECT_EQ(entry.body.find(client_id), std::string::npos) << entry.body;
  EXPECT_EQ(r.Verify(server).exit_code, 0);

  // What the user hands a regulator: the proof file, the nonce and the client id. Checked
  // offline with the log key; another client id does not open the commitment.
  const std::string nonce = proofs[0]["nonce"];
  auto check = [&](const std::string& client) {
    return Homeport({"log", "check", "--proof", proof_file, "--log-pub", r.log_key + ".pub",
                     "--nonce", nonce, "--client-id", client});
  };
  CommandResult regulator = check(client_id);
  EXPECT_EQ(regulator.exit_code, 0) << regulator.err;
  EXPECT_NE(regulator.out.find("it is the erasure of client " + client_id), std::string::npos)
      << regulator.out;
  CommandResult other = check("0f8fad5b-d9cb-469f-a165-70867728950e");
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find("is not the erasure of client"), std::string::npos) << other.err;

  // Another client id does not open the commitment; a receipt pointed at another entry fails.
  CommandResult stranger = r.Uxp(
      profile, manifest, {"receipt", "--client-id", "0f8fad5b-d9cb-469f-a165-70867728950e"});
  EXPECT_EQ(stranger.exit_code, 0) << stranger.err;
  EXPECT_NE(stranger.out.find("does NOT open to client id"), std::string::npos) << stranger.out;
  const std::string receipts =
      r.StateOf(profile) + "/uxp/erasure_receipts.json";
  auto text = Env::Default()->ReadFile(receipts);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  json saved = json::parse(*text);
  saved["receipts"][0]["log_index"] = 0;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(receipts, saved.dump(), 0600).ok());
  CommandResult moved = r.Uxp(profile, manifest, {"receipt"});
  EXPECT_NE(moved.exit_code, 0);
  EXPECT_NE(moved.err.find("not the erasure this device committed to"), std::string::npos)
      << moved.err;
}

}  // namespace
}  // namespace homeport::e2e
