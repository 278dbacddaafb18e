// IdentifierScanner as its users see it: scrubbing free text, walking a 2019-style payload,
// kind selection and masking values for reports.
#include "privacy/identifier_scanner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "privacy/luhn.h"
#include "privacy/value_mask.h"
#include "scan_test_util.h"

namespace homeport::privacy {
namespace {

using ::testing::ElementsAre;
using testing::Found;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(Scrubber, ReplacesEachIdentifierByItsTag) {
  ScrubResult r = testing::ScannerFor("SG").Scrub(
      "call me at +65 6123 4567 or mail a@b.com, imei 490154203237518");
  EXPECT_EQ(r.text, "call me at [phone] or mail [email], imei [imei]");
  EXPECT_THAT(r.replaced,
              ElementsAre(Pair(IdentifierKind::kImei, 1), Pair(IdentifierKind::kPhone, 1),
                          Pair(IdentifierKind::kEmail, 1)));
}

TEST(Scrubber, TagsBothIpVersionsAlike) {
  ScrubResult r =
      testing::ScannerFor("SG").Scrub("from 10.1.2.3 and 2001:db8::7 at 3c:5a:b4:01:23:9f");
  EXPECT_EQ(r.text, "from [ip] and [ip] at [mac]");
  EXPECT_EQ(r.replaced[IdentifierKind::kIpv4], 1);
  EXPECT_EQ(r.replaced[IdentifierKind::kIpv6], 1);
}

TEST(Scrubber, LeavesTextWithoutIdentifiersAlone) {
  const std::string text =
      "The app froze twice after the 2.3.1 update on 2026-11-29; 3 of 5 tries.";
  ScrubResult r = testing::ScannerFor("SG").Scrub(text);
  EXPECT_EQ(r.text, text);
  EXPECT_TRUE(r.replaced.empty());
}

TEST(Scrubber, UsesTheFieldNameAsContext) {
  ScrubResult r = testing::ScannerFor("SG").Scrub("12345", "cell_id");
  EXPECT_EQ(r.text, "[cell_id]");
}

TEST(IdentifierScanner, ReportsOnlyEnabledKinds) {
  auto scanner =
      IdentifierScanner::Create({.default_phone_region = "SG", .kinds = {IdentifierKind::kEmail}});
  ASSERT_TRUE(scanner.ok());
  auto found = scanner->Scan("a@b.com 490154203237518 +65 6123 4567 8.8.8.8");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].kind, IdentifierKind::kEmail);
}

TEST(IdentifierScanner, FindingsAreSortedAndDisjoint) {
  auto found = testing::ScannerFor("SG").Scan(
      "imei=490154203237518&mail=a@b.com&ip=8.8.8.8&phone=+65 6123 4567");
  ASSERT_EQ(found.size(), 4u);
  for (size_t i = 1; i < found.size(); ++i) {
    EXPECT_GE(found[i].offset, found[i - 1].offset + found[i - 1].length);
  }
}

TEST(IdentifierScanner, FindingsStayInBoundsOnRandomIdentifierAlphabetText) {
  // Random text over the bytes every detector reacts to, to shake out edge cases.
  const std::string alphabet = "0123456789abcdefx:.-+()/ @%\"=\xff";
  std::mt19937 rng(20191129);
  const IdentifierScanner& scanner = testing::ScannerFor("SG");
  for (int round = 0; round < 300; ++round) {
    std::string text(1 + rng() % 200, ' ');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    size_t end_of_previous = 0;
    for (const Finding& f : scanner.Scan(text, round % 2 ? "cellid" : "imei")) {
      ASSERT_GE(f.offset, end_of_previous) << text;
      ASSERT_GT(f.length, 0u) << text;
      ASSERT_LE(f.offset + f.length, text.size()) << text;
      end_of_previous = f.offset + f.length;
    }
  }
}

TEST(IdentifierScanner, ScansBinaryAndEmptyInput) {
  EXPECT_THAT(Found(""), IsEmpty());
  std::string binary(
      "\x00\x01\xff"
      "a@b.com"
      "\x00\x89",
      12);
  EXPECT_THAT(Found(binary), ElementsAre("email:a@b.com"));
}

TEST(IdentifierScanner, ReadsKeysWrittenInQueryStringsAndRawJson) {
  std::string iccid = "894450010219830482";
  iccid += LuhnCheckDigit(iccid);
  EXPECT_THAT(Found("imei=490154203237518&imsi=460001234567890&iccid=" + iccid +
                    "&mac=3c5ab401239f&cellid=12345&lac=4321"),
              ElementsAre("imei:490154203237518", "imsi:460001234567890", "iccid:" + iccid,
                          "mac:3c5ab401239f", "cell_id:12345", "cell_id:4321"));
  // JSON sent as a string inside JSON: the keys come with escaped quotes.
  EXPECT_THAT(Found(R"({"data":"{\"imsi\":\"460001234567890\",\"lac\":4321}"})"),
              ElementsAre("imsi:460001234567890", "cell_id:4321"));
}

TEST(IdentifierScanner, GivesTheSameAnswersFromManyThreads) {
  const IdentifierScanner& scanner = testing::ScannerFor("SG");
  const std::string text = "+65 6123 4567, a@b.com, 6123 4567, imei 490154203237518, 8.8.8.8";
  const size_t expected = scanner.Scan(text).size();
  ASSERT_EQ(expected, 5u);
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (scanner.Scan(text).size() != expected) ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(JsonScan, FindsEveryIdentifierOfA2019ActivationPayloadWithItsPath) {
  std::string iccid = "894450010219830482";
  iccid += LuhnCheckDigit(iccid);
  const nlohmann::json payload = {{"imei", "490154203237518"}, {"iccid", iccid},
                                  {"imsi", "460001234567890"}, {"mac", "3c:5a:b4:01:23:9f"},
                                  {"cellid", "12345678"},      {"lac", "4321"},
                                  {"model", "TA-1062"},        {"sw", "00WW_2_180"}};
  std::vector<std::string> got;
  for (const JsonFinding& f : testing::ScannerFor("SG").ScanJson(payload)) {
    EXPECT_FALSE(f.in_key);
    got.push_back(f.pointer + " " + NameOf(f.finding.kind) + " " + f.value);
  }
  EXPECT_THAT(got, ElementsAre("/cellid cell_id 12345678", "/iccid iccid " + iccid,
                               "/imei imei 490154203237518", "/imsi imsi 460001234567890",
                               "/lac cell_id 4321", "/mac mac 3c:5a:b4:01:23:9f"));
}

TEST(JsonScan, WalksNestedArraysAndScansMemberNames) {
  const auto doc = nlohmann::json::parse(R"({
    "devices": {"490154203237518": {"seen": true}},
    "cells": [{"lac": 1}, {"lac": 2}],
    "imeis": ["490154203237518"],
    "a/b": {"note": "mail me: x@y.org"}
  })");
  std::vector<std::string> got;
  for (const JsonFinding& f : testing::ScannerFor("SG").ScanJson(doc)) {
    got.push_back(f.pointer + (f.in_key ? " key " : " ") + NameOf(f.finding.kind));
  }
  EXPECT_THAT(got, ElementsAre("/a~1b/note email", "/cells/0/lac cell_id", "/cells/1/lac cell_id",
                               "/devices/490154203237518 key imei", "/imeis/0 imei"));
}

TEST(JsonScan, SurvivesDeepNesting) {
  std::string deep(10000, '[');
  deep += "\"a@b.com\"";
  deep += std::string(10000, ']');
  auto found = testing::ScannerFor("SG").ScanJson(nlohmann::json::parse(deep));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].finding.kind, IdentifierKind::kEmail);
}

TEST(ValueMask, KeepsOnlyANonIdentifyingPrefixAndTheLength) {
  EXPECT_EQ(MaskValue(IdentifierKind::kImei, "490154203237518"), "4901\u2026(15)");
  EXPECT_EQ(MaskValue(IdentifierKind::kImsi, "460001234567890"), "46000\u2026(15)");
  EXPECT_EQ(MaskValue(IdentifierKind::kMac, "3c:5a:b4:01:23:9f"), "3c:5a\u2026(17)");
  EXPECT_EQ(MaskValue(IdentifierKind::kCellId, "12345"), "\u2026(5)");
  EXPECT_EQ(MaskValue(IdentifierKind::kEmail, "a@b.com"), "a@\u2026(7)");
  EXPECT_EQ(MaskValue(IdentifierKind::kPhone, ""), "\u2026(0)");
}

TEST(IdentifierKind, TagsAndNames) {
  EXPECT_STREQ(TagOf(IdentifierKind::kIpv4), "ip");
  EXPECT_STREQ(TagOf(IdentifierKind::kIpv6), "ip");
  EXPECT_STREQ(TagOf(IdentifierKind::kCellId), "cell_id");
  for (IdentifierKind k : kAllIdentifierKinds) EXPECT_EQ(KindFromName(NameOf(k)), k);
  EXPECT_FALSE(KindFromName("ip").has_value());
}

}  // namespace
}  // namespace homeport::privacy
