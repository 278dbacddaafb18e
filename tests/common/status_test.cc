// Status and Result: the error type every module returns.
#include "homeport/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace homeport {
namespace {

TEST(Status, DefaultIsOk) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.ToString(), "ok");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(Status, MakersSetCodePredicateAndMessage) {
  EXPECT_TRUE(Status::InvalidArgument("m").IsInvalidArgument());
  EXPECT_TRUE(Status::NotFound("m").IsNotFound());
  EXPECT_TRUE(Status::AlreadyExists("m").IsAlreadyExists());
  EXPECT_TRUE(Status::PermissionDenied("m").IsPermissionDenied());
  EXPECT_TRUE(Status::Unavailable("m").IsUnavailable());
  EXPECT_TRUE(Status::IoError("m").IsIoError());
  EXPECT_TRUE(Status::Corruption("m").IsCorruption());
  EXPECT_TRUE(Status::DeadlineExceeded("m").IsDeadlineExceeded());
  EXPECT_EQ(Status::Internal("m").code(), Status::Code::kInternal);
  Status st = Status::NotFound("no such serial: X");
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "no such serial: X");
}

TEST(Status, ToStringNamesTheCode) {
  EXPECT_EQ(Status::NotFound("x").ToString(), "not found: x");
  EXPECT_EQ(Status::PermissionDenied("wrong region").ToString(), "permission denied: wrong region");
  EXPECT_EQ(Status::IoError("disk").ToString(), "I/O error: disk");
}

TEST(Status, WithContextPrefixesAndKeepsCode) {
  Status st = Status::Corruption("bad key").WithContext("/etc/key.json");
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_EQ(st.message(), "/etc/key.json: bad key");
}

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd");
  return v / 2;
}

Result<int> Quarter(int v) {
  HOMEPORT_ASSIGN_OR_RETURN(int h, Half(v));
  HOMEPORT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int v) {
  HOMEPORT_RETURN_IF_ERROR(Half(v).status());
  return Status::Ok();
}

TEST(Result, HoldsValueOrStatus) {
  Result<std::string> ok(std::string("v"));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.status().ok());
  EXPECT_EQ(*ok, "v");
  EXPECT_EQ(ok->size(), 1u);

  Result<std::string> err(Status::NotFound("gone"));
  EXPECT_FALSE(err.ok());
  EXPECT_TRUE(err.status().IsNotFound());
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(Result, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_TRUE(Quarter(6).status().IsInvalidArgument());
  EXPECT_TRUE(Quarter(7).status().IsInvalidArgument());
  EXPECT_TRUE(CheckEven(4).ok());
  EXPECT_TRUE(CheckEven(3).IsInvalidArgument());
}

}  // namespace
}  // namespace homeport
