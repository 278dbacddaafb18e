// The real Env: atomic file replacement with the asked-for mode, and the file helpers the
// factory and the agent's state directory depend on.
#include "homeport/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/testing_temp_dir.h"

namespace homeport {
namespace {

using testing::FileMode;
using testing::TempDir;

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Env, DefaultIsOneProcessWideInstance) {
  ASSERT_NE(Env::Default(), nullptr);
  EXPECT_EQ(Env::Default(), Env::Default());
}

TEST(Env, WriteFileAtomicThenReadFileRoundTrips) {
  TempDir dir;
  Env* env = Env::Default();
  std::string data("binary\0data\n\xff", 13);
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("f"), data).ok());
  auto read = env->ReadFile(dir.File("f"));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, data);
}

TEST(Env, WriteFileAtomicLeavesNoTempFile) {
  TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("state.json"), "{}").ok());
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("state.json"), "{\"a\":1}").ok());
  auto names = env->ListDir(dir.path());
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"state.json"});
}

TEST(Env, WriteFileAtomicAppliesTheModeDespiteUmask) {
  TempDir dir;
  Env* env = Env::Default();
  mode_t old = ::umask(0077);
  Status pub = env->WriteFileAtomic(dir.File("public"), "x", 0644);
  ::umask(old);
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(FileMode(dir.File("public")), 0644);

  ASSERT_TRUE(env->WriteFileAtomic(dir.File("secret"), "x", 0600).ok());
  EXPECT_EQ(FileMode(dir.File("secret")), 0600);
}

TEST(Env, WriteFileAtomicDefaultModeIs0644) {
  TempDir dir;
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(dir.File("f"), "x").ok());
  EXPECT_EQ(FileMode(dir.File("f")), 0644);
}

TEST(Env, WriteFileAtomicReplacesContentAndMode) {
  TempDir dir;
  Env* env = Env::Default();
  const std::string path = dir.File("key.json");
  ASSERT_TRUE(env->WriteFileAtomic(path, "a much longer first version of the file", 0644).ok());
  ASSERT_TRUE(env->WriteFileAtomic(path, "short", 0600).ok());
  auto read = env->ReadFile(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "short");  // replaced, not overwritten in place
  EXPECT_EQ(FileMode(path), 0600);
}

TEST(Env, WriteFileAtomicWritesEmptyFiles) {
  TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("empty"), "").ok());
  auto read = env->ReadFile(dir.File("empty"));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "");
}

TEST(Env, WriteFileAtomicIntoMissingDirectoryFailsCleanly) {
  TempDir dir;
  Env* env = Env::Default();
  Status st = env->WriteFileAtomic(dir.File("no/such/dir/f"), "x");
  EXPECT_TRUE(st.IsIoError()) << st.ToString();
  EXPECT_FALSE(env->FileExists(dir.File("no")));
}

TEST(Env, ConcurrentAtomicWritesLeaveOneWholeVersion) {
  TempDir dir;
  Env* env = Env::Default();
  const std::string path = dir.File("shared");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::string body(4096, static_cast<char>('a' + t));
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(env->WriteFileAtomic(path, body).ok());
    });
  }
  for (auto& th : threads) th.join();
  auto read = env->ReadFile(path);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 4096u);
  EXPECT_EQ(std::count(read->begin(), read->end(), read->front()), 4096);
  EXPECT_EQ(*env->ListDir(dir.path()), std::vector<std::string>{"shared"});
}

TEST(Env, ReadFileOfMissingFileIsNotFound) {
  TempDir dir;
  auto read = Env::Default()->ReadFile(dir.File("missing"));
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(read.status().IsNotFound()) << read.status().ToString();
  EXPECT_NE(read.status().message().find(dir.File("missing")), std::string::npos);
}

TEST(Env, ReadFileOfDirectoryIsAnErrorNotNotFound) {
  TempDir dir;
  auto read = Env::Default()->ReadFile(dir.path());
  ASSERT_FALSE(read.ok());
  EXPECT_FALSE(read.status().IsNotFound());
}

TEST(Env, FileExistsCreateDirsListDirRemoveFile) {
  TempDir dir;
  Env* env = Env::Default();
  const std::string nested = dir.File("a/b/c");
  EXPECT_FALSE(env->FileExists(nested));
  ASSERT_TRUE(env->CreateDirs(nested).ok());
  EXPECT_TRUE(env->FileExists(nested));
  EXPECT_TRUE(env->CreateDirs(nested).ok()) << "existing directory is fine";

  ASSERT_TRUE(env->WriteFileAtomic(nested + "/one", "1").ok());
  ASSERT_TRUE(env->WriteFileAtomic(nested + "/two", "2").ok());
  auto names = env->ListDir(nested);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(Sorted(*names), (std::vector<std::string>{"one", "two"}));

  ASSERT_TRUE(env->RemoveFile(nested + "/one").ok());
  EXPECT_FALSE(env->FileExists(nested + "/one"));
  EXPECT_TRUE(env->RemoveFile(nested + "/one").ok()) << "removing a missing file is ok";
  EXPECT_EQ(*env->ListDir(nested), std::vector<std::string>{"two"});
}

TEST(Env, CreateDirsOverAFileFails) {
  TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(env->WriteFileAtomic(dir.File("f"), "x").ok());
  EXPECT_FALSE(env->CreateDirs(dir.File("f")).ok());
  EXPECT_FALSE(env->CreateDirs(dir.File("f/sub")).ok());
}

TEST(Env, ListDirOfMissingDirectoryFails) {
  TempDir dir;
  EXPECT_FALSE(Env::Default()->ListDir(dir.File("missing")).ok());
}

TEST(Env, RandomU64Varies) {
  std::set<uint64_t> seen;
  for (int i = 0; i < 64; ++i) seen.insert(Env::Default()->RandomU64());
  EXPECT_GT(seen.size(), 60u);
}

TEST(Env, NowIsTheSystemClock) {
  auto before = std::chrono::system_clock::now();
  auto now = Env::Default()->Now();
  auto after = std::chrono::system_clock::now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
}

}  // namespace
}  // namespace homeport
