// The build tree's digest, as docs/verifier.md defines it: regular files in byte order of their
// relative paths, each as path NUL length NUL bytes.
#include "audit/build/tree_digest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "../common/testing_temp_dir.h"
#include "audit/sha256_hasher.h"

namespace homeport::audit::build {
namespace {

void Put(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Record(const std::string& path, const std::string& bytes) {
  return path + std::string(1, '\0') + std::to_string(bytes.size()) + std::string(1, '\0') + bytes;
}

std::string Sha256(const std::string& bytes) {
  Sha256Hasher h;
  h.Update(bytes);
  return h.FinishHex();
}

TEST(TreeDigest, IsTheDocumentedByteSequenceInPathOrder) {
  testing::TempDir dir;
  Put(dir.File("a.txt"), "top");
  Put(dir.File("a/b"), "nested");
  Put(dir.File("z/empty"), "");
  Put(dir.File("B"), std::string("\0binary\xff", 8));
  std::filesystem::create_directories(dir.File("empty-dir"));
  ASSERT_EQ(symlink("a.txt", dir.File("link").c_str()), 0);  // not followed, not hashed
  ASSERT_EQ(mkfifo(dir.File("fifo").c_str(), 0600), 0);      // never opened
  auto digest = DigestTree(dir.path());
  ASSERT_TRUE(digest.ok()) << digest.status().message();
  // "B" < "a.txt" < "a/b" ('.' is 0x2E, '/' 0x2F) < "z/empty".
  const std::string expected = Record("B", std::string("\0binary\xff", 8)) +
                               Record("a.txt", "top") + Record("a/b", "nested") +
                               Record("z/empty", "");
  EXPECT_EQ(digest->sha256, Sha256(expected));
  EXPECT_EQ(digest->files, 4u);
  EXPECT_EQ(digest->bytes, 3u + 6u + 0u + 8u);
  EXPECT_TRUE(digest->problem.empty());
}

TEST(TreeDigest, ChangesWithAnyByteOrName) {
  testing::TempDir dir;
  Put(dir.File("etc/hosts"), "127.0.0.1 localhost\n");
  const std::string before = DigestTree(dir.path())->sha256;
  Put(dir.File("etc/hosts"), "127.0.0.1 localhosT\n");
  const std::string changed = DigestTree(dir.path())->sha256;
  EXPECT_NE(before, changed);
  std::filesystem::rename(dir.File("etc/hosts"), dir.File("etc/hostz"));
  EXPECT_NE(DigestTree(dir.path())->sha256, changed);
}

TEST(TreeDigest, ASingleFileIsNamedByItsFileName) {
  testing::TempDir dir;
  Put(dir.File("app.apk"), "PK");
  auto digest = DigestTree(dir.File("app.apk"));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->sha256, Sha256(Record("app.apk", "PK")));
}

TEST(TreeDigest, AnUnreadableFileLeavesNoDigestAndSaysWhich) {
  if (geteuid() == 0) GTEST_SKIP() << "root reads every file";
  testing::TempDir dir;
  Put(dir.File("secret"), "x");
  chmod(dir.File("secret").c_str(), 0);
  auto digest = DigestTree(dir.path());
  ASSERT_TRUE(digest.ok());
  EXPECT_TRUE(digest->sha256.empty());
  EXPECT_THAT(digest->problem, ::testing::HasSubstr("secret: cannot read"));
}

TEST(TreeDigest, ATreePastTheScansBudgetsGetsNoDigestAndSaysWhich) {
  testing::TempDir dir;
  Put(dir.File("big"), std::string(4096, 'x'));
  auto bytes = DigestTree(dir.path(), {.max_bytes = 1000});
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(bytes->sha256.empty());
  EXPECT_THAT(bytes->problem, ::testing::HasSubstr("--max-bytes"));
  auto time = DigestTree(dir.path(), {.deadline = std::chrono::steady_clock::now() -
                                                   std::chrono::seconds(1)});
  ASSERT_TRUE(time.ok());
  EXPECT_TRUE(time->sha256.empty());
  EXPECT_THAT(time->problem, ::testing::HasSubstr("--max-seconds"));
  EXPECT_FALSE(DigestTree(dir.path(), {.max_bytes = 4096})->sha256.empty());
}

TEST(TreeDigest, AMissingRootIsAnError) {
  EXPECT_FALSE(DigestTree("/nonexistent/firmware").ok());
}

}  // namespace
}  // namespace homeport::audit::build
