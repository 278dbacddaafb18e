// Replay and erasure end to end: a signed activation captured earlier and sent again after a
// check-in does not set the rollout report back; a feedback text erased by a deletion-request
// is gone from the SQLite database file and its WAL once the request is answered; and those
// files are readable by their owner only, under the usual umask 022.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "e2e_support.h"
#include "homeport/env.h"

namespace homeport::e2e {
namespace {

using nlohmann::json;

std::vector<std::string> Serve(const Region& r) {
  return {"--region", "sg", "--store", r.store_url, "--listen", "127.0.0.1:0"};
}

CommandResult Activate(const Region& r, int n, const std::string& manifest,
                       const std::string& state) {
  return Homeport({"agent", "activate", "--profile", r.Profile(n), "--manifest", manifest,
                   "--state", state, "--deadline", "20", "--json"});
}

std::string Outcome(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out, nullptr, false);
  return j.is_object() ? j.value("outcome", "") : "";
}

std::string Rollout(const Region& r) {
  CommandResult out = Homeport({"rollout", "--store", r.store_url, "--json"});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  return out.out;
}

// Sets the umask for one test and restores it.
class Umask {
 public:
  explicit Umask(mode_t mask) : old_(::umask(mask)) {}
  ~Umask() { ::umask(old_); }

 private:
  mode_t old_;
};

// The device's update as the firmware delivers it: a new client version in its profile.
void SetClientVersion(const std::string& profile_path, const std::string& version) {
  json profile = json::parse(*Env::Default()->ReadFile(profile_path));
  profile["client_version"] = version;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(profile_path, profile.dump(2), 0600).ok());
}

TEST(ReplayE2E, AnEarlierActivationSentAgainAfterACheckInLeavesTheRolloutUnchanged) {
  Region region(2);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  const std::string manifest = region.Manifest("sg", server.url(), 1);
  const std::string state = region.dir.File("s1");

  // The device activates (its first contact: sequence 1); someone on the path keeps the bytes.
  ASSERT_EQ(Outcome(Activate(region, 1, manifest, state)), "activated");
  SignedActivation captured = HandMadeActivation(region.Profile(1), "sg", "1.0.0", 1, 1);
  // The fix lands: a new client version, same manifest. The device checks in.
  SetClientVersion(region.Profile(1), "1.0.1");
  ASSERT_EQ(Outcome(Activate(region, 1, manifest, state)), "checked_in");
  const std::string before = Rollout(region);
  ASSERT_NE(before.find("\"client_version\": \"1.0.1\""), std::string::npos) << before;

  // Only the sequence tells the captured request from a newer one: the same manifest version,
  // a valid signature of the device.
  HttpResult replay =
      HttpCall(server.port(), "POST", "/v1/activations", captured.headers, captured.body);
  ASSERT_EQ(replay.status, 409) << replay.body;
  EXPECT_EQ(json::parse(replay.body)["error"], "stale_activation");
  EXPECT_EQ(Rollout(region), before) << "the replay set the recorded versions back";

  // The device repeating what is recorded is still answered with its warranty.
  SignedActivation current = HandMadeActivation(region.Profile(1), "sg", "1.0.1", 1, 1);
  HttpResult repeat =
      HttpCall(server.port(), "POST", "/v1/activations", current.headers, current.body);
  EXPECT_EQ(repeat.status, 200) << repeat.body;
  EXPECT_EQ(Rollout(region), before);

  CommandResult warranty = Homeport({"warranty", "B1-000001", "--store", region.store_url});
  ASSERT_EQ(warranty.exit_code, 0) << warranty.err;
  json record = json::parse(warranty.out);
  EXPECT_EQ(record["client_version"], "1.0.1");
  EXPECT_EQ(record["checkins"], 1);
  EXPECT_EQ(record["sequence"], 2);
  const std::regex day(R"(\d{4}-\d{2}-\d{2})");
  EXPECT_TRUE(std::regex_match(record["activated_at"].get<std::string>(), day)) << record;
  EXPECT_TRUE(std::regex_match(record["last_checkin_at"].get<std::string>(), day)) << record;
}

TEST(ReplayE2E, ADeviceThatLostItsStateStillChecksIn) {
  Region region(1);
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  ASSERT_EQ(
      Outcome(Activate(region, 1, region.Manifest("sg", server.url(), 1), region.dir.File("s1"))),
      "activated");
  ASSERT_EQ(
      Outcome(Activate(region, 1, region.Manifest("sg", server.url(), 2), region.dir.File("s1"))),
      "checked_in");
  // A wiped state directory starts the counter again below the recorded one: the server's
  // stale_activation answer names the recorded sequence, and the agent continues above it.
  CommandResult after_wipe =
      Activate(region, 1, region.Manifest("sg", server.url(), 3), region.dir.File("wiped"));
  EXPECT_EQ(Outcome(after_wipe), "checked_in") << after_wipe.out << after_wipe.err;
  EXPECT_NE(Rollout(region).find("\"manifest_version\": 3"), std::string::npos);
}

std::string Bytes(const std::string& path) {
  auto b = Env::Default()->ReadFile(path);
  return b.ok() ? *b : std::string();
}

int Mode(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

TEST(ErasureE2E, ErasedFeedbackIsGoneFromTheDatabaseFilesOnceTheDeletionIsAnswered) {
  Umask umask(022);
  Region region(1);
  const std::string db = region.dir.File("sg.db");
  ServerProcess server(Serve(region));
  ASSERT_TRUE(server.started()) << server.output();
  const std::string manifest = region.Manifest("sg", server.url());
  auto uxp = [&](std::vector<std::string> args) {
    std::vector<std::string> full = {"agent", "uxp"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--profile", region.Profile(1), "--manifest", manifest, "--state",
                             region.dir.File("state"), "--deadline", "10"});
    CommandResult r = Homeport(full);
    EXPECT_TRUE(WaitForIngest(server.port()));  // acknowledged pings are in the store now
    return r;
  };
  const std::string secret = "quokka lantern marmalade erasure marker";
  ASSERT_EQ(uxp({"opt-in"}).exit_code, 0);
  CommandResult feedback = uxp({"feedback", secret});
  ASSERT_EQ(feedback.exit_code, 0) << feedback.err;
  CommandResult upload = uxp({"upload"});
  ASSERT_EQ(upload.exit_code, 0) << upload.err;
  ASSERT_NE((Bytes(db) + Bytes(db + "-wal")).find(secret), std::string::npos)
      << "the feedback must be stored before it can be erased";

  CommandResult out = uxp({"opt-out"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  // The server is still running, its files open: what a copy of the disk would show now.
  EXPECT_EQ(Bytes(db).find(secret), std::string::npos) << "erased text left in " << db;
  EXPECT_EQ(Bytes(db + "-wal").find(secret), std::string::npos) << "erased text left in the WAL";
  auto segments = Env::Default()->ListDir(db + ".ingest");
  ASSERT_TRUE(segments.ok());
  for (const auto& name : *segments) {
    EXPECT_EQ(Bytes(db + ".ingest/" + name).find(secret), std::string::npos)
        << "erased text left in the ingest log's " << name;
  }

  EXPECT_EQ(Mode(db), 0600);
  EXPECT_EQ(Mode(db + "-wal"), 0600);
  EXPECT_EQ(Mode(db + "-shm"), 0600);
  EXPECT_EQ(server.Signal(SIGTERM), 0);
}

}  // namespace
}  // namespace homeport::e2e
