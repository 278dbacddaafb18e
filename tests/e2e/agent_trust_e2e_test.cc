// Root key rotation and manifest rollback through the real binary: `keys rotate`, `manifest
// sign --rollback`, `agent activate --rotation` and `agent trust`, against a real server whose
// metrics show that no refused boot reached it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "crypto/ed25519.h"
#include "crypto/jws.h"
#include "e2e_support.h"
#include "homeport/env.h"

namespace homeport::e2e {
namespace {

// A region whose devices start on root key A (root.key), with keys B and C ready.
class AgentTrustE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* key : {"b.key", "c.key", "thief.key"}) {
      CommandResult r = Homeport({"keys", "new", "--out", region_.dir.File(key)});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_TRUE(server_.started()) << server_.output();
  }

  // Manifest `version` for sg signed by `key`, with --rollback when asked.
  std::string Manifest(const std::string& key, int version, bool rollback = false) {
    const std::string path = region_.dir.File(key + "-v" + std::to_string(version) +
                                              (rollback ? "-rollback" : "") + ".jws");
    std::vector<std::string> args = {"manifest",
                                     "sign",
                                     "--root-key",
                                     Key(key),
                                     "--region",
                                     "sg",
                                     "--variant",
                                     "global",
                                     "--activation-url",
                                     server_.url(),
                                     "--uxp-url",
                                     server_.url(),
                                     "--version",
                                     std::to_string(version),
                                     "--out",
                                     path};
    if (rollback) args.push_back("--rollback");
    CommandResult r = Homeport(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }
  std::string Rotate(const std::string& from, const std::string& to) {
    const std::string path = region_.dir.File(from + "-" + to + ".jws");
    CommandResult r =
        Homeport({"keys", "rotate", "--old", Key(from), "--new", Key(to) + ".pub", "--out", path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return path;
  }
  CommandResult Activate(const std::string& manifest, std::vector<std::string> rotations = {}) {
    std::vector<std::string> args = {"agent",      "activate", "--profile", region_.Profile(1),
                                     "--manifest", manifest,   "--state",   state_,
                                     "--deadline", "20",       "--json"};
    for (const auto& r : rotations) {
      args.push_back("--rotation");
      args.push_back(r);
    }
    return Homeport(args);
  }
  nlohmann::json Trust() {
    CommandResult r =
        Homeport({"agent", "trust", "--profile", region_.Profile(1), "--state", state_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
  std::string Kid(const std::string& key) {
    auto pub = crypto::ReadPublicKey(Env::Default(), Key(key) + ".pub");
    EXPECT_TRUE(pub.ok());
    return pub.ok() ? pub->Thumbprint() : "";
  }
  // Every request the server answered on /v1/activations, whatever the status.
  long ActivationRequests() {
    std::istringstream metrics(HttpCall(server_.admin_port(), "GET", "/metrics").body);
    long total = 0;
    for (std::string line; std::getline(metrics, line);) {
      if (line.starts_with("homeport_http_requests_total{") &&
          line.find("route=\"/v1/activations\"") != std::string::npos) {
        total += std::stol(line.substr(line.rfind(' ') + 1));
      }
    }
    return total;
  }
  std::string Key(const std::string& name) {
    return name == "a" ? region_.root_key : region_.dir.File(name + ".key");
  }

  Region region_{1};
  ServerProcess server_{
      {"--region", "sg", "--store", region_.store_url, "--listen", "127.0.0.1:0"}};
  std::string state_ = region_.dir.File("state");
};

TEST_F(AgentTrustE2E, RotationMovesTheDeviceOnceAndTheOldKeyIsRefusedAfterwards) {
  CommandResult first = Activate(Manifest("a", 1));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  nlohmann::json before = Trust();
  EXPECT_EQ(before["root_kid"], Kid("a"));
  EXPECT_EQ(before["highest_manifest_version"], 1);
  EXPECT_EQ(before["rotations"].size(), 0u);

  const std::string ab = Rotate("a", "b");
  CommandResult moved = Activate(Manifest("b", 2), {ab});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(nlohmann::json::parse(moved.out)["outcome"], "checked_in");
  nlohmann::json after = Trust();
  EXPECT_EQ(after["root_kid"], Kid("b"));
  EXPECT_EQ(after["highest_manifest_version"], 2);
  ASSERT_EQ(after["rotations"].size(), 1u);
  EXPECT_EQ(after["rotations"][0]["old_kid"], Kid("a"));
  EXPECT_EQ(after["rotations"][0]["new_kid"], Kid("b"));

  // Restarts with and without the statement: the move is kept and not made again.
  ASSERT_EQ(Activate(Manifest("b", 2)).exit_code, 0);
  ASSERT_EQ(Activate(Manifest("b", 2), {ab}).exit_code, 0);
  EXPECT_EQ(Trust(), after);

  const long sent = ActivationRequests();
  ASSERT_GT(sent, 0);  // the activation above is counted, so a refused one would be too
  CommandResult old_key = Activate(Manifest("a", 3));
  EXPECT_EQ(old_key.exit_code, 1);
  EXPECT_NE(old_key.err.find(Kid("a")), std::string::npos) << old_key.err;
  EXPECT_NE(old_key.err.find(Kid("b")), std::string::npos) << old_key.err;
  EXPECT_NE(old_key.err.find("refusing to send anything"), std::string::npos) << old_key.err;

  // The old key, stolen, tries to move the device to the thief's key.
  CommandResult stolen = Activate(Manifest("thief", 9), {ab, Rotate("a", "thief")});
  EXPECT_EQ(stolen.exit_code, 1);
  EXPECT_NE(stolen.err.find("rotated away"), std::string::npos) << stolen.err;
  EXPECT_EQ(Trust(), after);
  EXPECT_EQ(ActivationRequests(), sent);
}

TEST_F(AgentTrustE2E, ChainOfRotationsAndAForgedOne) {
  ASSERT_EQ(Activate(Manifest("a", 1)).exit_code, 0);
  const long sent = ActivationRequests();
  ASSERT_GT(sent, 0);  // the activation above is counted, so a refused one would be too
  // A statement of A's whose signature is not A's: refused, nothing moves, nothing is sent.
  const std::string ab = Rotate("a", "b");
  std::string forged = *Env::Default()->ReadFile(ab);
  forged[forged.rfind('.') + 5] = forged[forged.rfind('.') + 5] == 'A' ? 'B' : 'A';
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(region_.dir.File("forged.jws"), forged).ok());
  CommandResult refused = Activate(Manifest("b", 2), {region_.dir.File("forged.jws")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("trust unchanged"), std::string::npos) << refused.err;
  EXPECT_EQ(Trust()["root_kid"], Kid("a"));
  EXPECT_EQ(ActivationRequests(), sent);

  // A→B and B→C in one update: the device ends on C.
  CommandResult chained = Activate(Manifest("c", 2), {ab, Rotate("b", "c")});
  ASSERT_EQ(chained.exit_code, 0) << chained.err;
  nlohmann::json trust = Trust();
  EXPECT_EQ(trust["root_kid"], Kid("c"));
  EXPECT_EQ(trust["rotations"].size(), 2u);
}

TEST_F(AgentTrustE2E, RollbackIsRefusedUnlessSignedAsOne) {
  ASSERT_EQ(Activate(Manifest("a", 5)).exit_code, 0);
  const long sent = ActivationRequests();
  ASSERT_GT(sent, 0);  // the activation above is counted, so a refused one would be too
  CommandResult older = Activate(Manifest("a", 4));
  EXPECT_EQ(older.exit_code, 1);
  EXPECT_NE(older.err.find("version 4"), std::string::npos) << older.err;
  EXPECT_NE(older.err.find("version 5"), std::string::npos) << older.err;
  EXPECT_EQ(ActivationRequests(), sent);

  const std::string rollback = Manifest("a", 4, /*rollback=*/true);
  CommandResult shown = Homeport({"manifest", "verify", "--root-pub", region_.root_pub, rollback});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(nlohmann::json::parse(shown.out)["rollback"], true);
  EXPECT_EQ(nlohmann::json::parse(shown.out)["kid"], Kid("a"));
  // Accepted by every command that verifies a manifest; the UX program's status sends nothing,
  // so the server's own view of versions (it keeps the highest reported) does not enter here.
  CommandResult accepted = Homeport({"agent", "uxp", "status", "--profile", region_.Profile(1),
                                     "--manifest", rollback, "--state", state_});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_EQ(Trust()["highest_manifest_version"], 5);
  CommandResult still_older = Homeport({"agent", "uxp", "status", "--profile", region_.Profile(1),
                                        "--manifest", Manifest("a", 3), "--state", state_});
  EXPECT_EQ(still_older.exit_code, 1);
  EXPECT_NE(still_older.err.find("version 5"), std::string::npos) << still_older.err;
  EXPECT_EQ(ActivationRequests(), sent);
}

TEST_F(AgentTrustE2E, KeysRotateWritesAStatementOfTheOldKey) {
  const std::string ab = Rotate("a", "b");
  auto jws = Env::Default()->ReadFile(ab);
  ASSERT_TRUE(jws.ok());
  auto header = crypto::PeekHeader(*jws);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ((*header)["typ"], "homeport-rotation+jws");
  EXPECT_EQ((*header)["kid"], Kid("a"));
  auto a = crypto::ReadPublicKey(Env::Default(), region_.root_pub);
  std::string token = *jws;
  while (token.ends_with('\n')) token.pop_back();
  auto verified = crypto::VerifyCompact(token, *a);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  auto payload = nlohmann::json::parse(verified->payload);
  EXPECT_EQ(payload["old_kid"], Kid("a"));
  EXPECT_EQ(payload["new_kid"], Kid("b"));
  EXPECT_FALSE(payload["new_root_public_key"].contains("d"));

  // From the new secret key only its public half is written; a key is never overwritten, and a
  // key cannot rotate to itself.
  CommandResult from_secret = Homeport({"keys", "rotate", "--old", Key("a"), "--new", Key("b"),
                                        "--out", region_.dir.File("ab2.jws")});
  ASSERT_EQ(from_secret.exit_code, 0) << from_secret.err;
  auto from_secret_jws = Env::Default()->ReadFile(region_.dir.File("ab2.jws"));
  ASSERT_TRUE(from_secret_jws.ok());
  token = *from_secret_jws;
  while (token.ends_with('\n')) token.pop_back();
  auto second = crypto::VerifyCompact(token, *a);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(nlohmann::json::parse(second->payload)["new_root_public_key"],
            payload["new_root_public_key"]);
  EXPECT_EQ(Homeport({"keys", "rotate", "--old", Key("a"), "--new", Key("b"), "--out", Key("b")})
                .exit_code,
            1);
  EXPECT_TRUE(crypto::ReadSecretKey(Env::Default(), Key("b")).ok());
  CommandResult itself = Homeport({"keys", "rotate", "--old", Key("a"), "--new", region_.root_pub,
                                   "--out", region_.dir.File("aa.jws")});
  EXPECT_EQ(itself.exit_code, 1);
  EXPECT_NE(itself.err.find("nothing to rotate"), std::string::npos) << itself.err;
}

}  // namespace
}  // namespace homeport::e2e
