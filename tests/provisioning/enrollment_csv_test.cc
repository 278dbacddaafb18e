// enrollment.csv: the public records of a factory batch, imported by the region's server.
// Problems carry the 1-based line number a person would look up in an editor.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "provisioning/device_profile.h"

namespace homeport {
namespace {

EnrollmentRecord Record(int i, std::string region = "sg") {
  return {"B1-" + std::to_string(100000 + i),    "HP7", "HP7-64", "global", std::move(region), "B1",
          crypto::SecretKey::Generate().Public()};
}

std::string Csv(const std::vector<EnrollmentRecord>& records, const char* eol = "\n") {
  std::string out = std::string(kEnrollmentCsvHeader) + eol;
  for (const auto& r : records) out += EnrollmentCsvRow(r) + eol;
  return out;
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string ProblemsText(const ParsedEnrollmentCsv& p) {
  std::string out;
  for (const auto& pr : p.problems) out += std::to_string(pr.line) + ": " + pr.message + "\n";
  return out;
}

TEST(EnrollmentCsv, RowFormat) {
  EnrollmentRecord r = Record(1);
  EXPECT_EQ(EnrollmentCsvRow(r), "B1-100001,HP7,HP7-64,global,sg,B1," + r.device_key.ToBase64Url());
  EXPECT_EQ(std::string(kEnrollmentCsvHeader), "serial,model,sku,variant,region,batch,public_key");
}

TEST(EnrollmentCsv, RoundTrips) {
  std::vector<EnrollmentRecord> records = {Record(1), Record(2), Record(3, "eu-west-1")};
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(Csv(records));
  EXPECT_TRUE(p.problems.empty()) << ProblemsText(p);
  EXPECT_EQ(p.records, records);
}

TEST(EnrollmentCsv, AcceptsCrlfAndMissingFinalNewline) {
  std::vector<EnrollmentRecord> records = {Record(1), Record(2)};
  ParsedEnrollmentCsv crlf = ParseEnrollmentCsv(Csv(records, "\r\n"));
  EXPECT_TRUE(crlf.problems.empty()) << ProblemsText(crlf);
  EXPECT_EQ(crlf.records, records);

  std::string text = Csv(records);
  text.pop_back();
  ParsedEnrollmentCsv no_final = ParseEnrollmentCsv(text);
  EXPECT_TRUE(no_final.problems.empty()) << ProblemsText(no_final);
  EXPECT_EQ(no_final.records, records);
}

TEST(EnrollmentCsv, SkipsBlankLinesButCountsThem) {
  EnrollmentRecord a = Record(1), b = Record(2);
  std::string text = Lines({"", kEnrollmentCsvHeader, "", EnrollmentCsvRow(a), "\r",
                            EnrollmentCsvRow(b), "", "not,a,valid,row"});
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(text);
  EXPECT_EQ(p.records, (std::vector<EnrollmentRecord>{a, b}));
  ASSERT_EQ(p.problems.size(), 1u) << ProblemsText(p);
  EXPECT_EQ(p.problems[0].line, 8);
}

TEST(EnrollmentCsv, HeaderOnlyIsAnEmptyBatch) {
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(std::string(kEnrollmentCsvHeader) + "\n");
  EXPECT_TRUE(p.records.empty());
  EXPECT_TRUE(p.problems.empty()) << ProblemsText(p);
}

TEST(EnrollmentCsv, EmptyFileIsAProblem) {
  for (const char* text : {"", "\n\n", "\r\n"}) {
    ParsedEnrollmentCsv p = ParseEnrollmentCsv(text);
    EXPECT_TRUE(p.records.empty());
    ASSERT_EQ(p.problems.size(), 1u) << "\"" << text << "\"";
    EXPECT_EQ(p.problems[0].line, 1);
  }
}

TEST(EnrollmentCsv, MissingHeaderIsReportedOnLineOne) {
  EnrollmentRecord a = Record(1), b = Record(2);
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(Lines({EnrollmentCsvRow(a), EnrollmentCsvRow(b)}));
  ASSERT_FALSE(p.problems.empty());
  EXPECT_EQ(p.problems[0].line, 1);
  EXPECT_NE(p.problems[0].message.find("header"), std::string::npos) << p.problems[0].message;
}

TEST(EnrollmentCsv, WrongHeaderIsReported) {
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(
      Lines({"serial,model,sku,variant,region,public_key,batch", EnrollmentCsvRow(Record(1))}));
  ASSERT_EQ(p.problems.size(), 1u);
  EXPECT_EQ(p.problems[0].line, 1);
}

TEST(EnrollmentCsv, WrongFieldCountHasItsLineNumber) {
  EnrollmentRecord good = Record(1);
  std::string row = EnrollmentCsvRow(Record(2));
  ParsedEnrollmentCsv p =
      ParseEnrollmentCsv(Lines({kEnrollmentCsvHeader, EnrollmentCsvRow(good), row + ",extra",
                                "B1-1,HP7,HP7-64", row.substr(0, row.rfind(','))}));
  EXPECT_EQ(p.records, std::vector<EnrollmentRecord>{good});
  ASSERT_EQ(p.problems.size(), 3u) << ProblemsText(p);
  EXPECT_EQ(p.problems[0].line, 3);
  EXPECT_NE(p.problems[0].message.find("8"), std::string::npos) << p.problems[0].message;
  EXPECT_EQ(p.problems[1].line, 4);
  EXPECT_NE(p.problems[1].message.find("3"), std::string::npos) << p.problems[1].message;
  EXPECT_EQ(p.problems[2].line, 5);
}

TEST(EnrollmentCsv, BadRegionHasItsLineNumber) {
  EnrollmentRecord bad = Record(2, "Singapore");
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(
      Lines({kEnrollmentCsvHeader, EnrollmentCsvRow(Record(1)), EnrollmentCsvRow(bad)}));
  ASSERT_EQ(p.records.size(), 1u);
  ASSERT_EQ(p.problems.size(), 1u) << ProblemsText(p);
  EXPECT_EQ(p.problems[0].line, 3);
  EXPECT_NE(p.problems[0].message.find("region"), std::string::npos) << p.problems[0].message;
  EXPECT_NE(p.problems[0].message.find("Singapore"), std::string::npos) << p.problems[0].message;
}

TEST(EnrollmentCsv, BadKeyHasItsLineNumber) {
  EnrollmentRecord r = Record(1);
  std::string row = EnrollmentCsvRow(r);
  std::string prefix = row.substr(0, row.rfind(',') + 1);
  std::string key = r.device_key.ToBase64Url();
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(Lines({
      kEnrollmentCsvHeader, prefix + key.substr(0, 42),  // line 2: 31 bytes
      prefix + key + "AA",                               // line 3: too long
      prefix + "not a key!",                             // line 4: not base64url
      prefix,                                            // line 5: empty
      prefix + key,                                      // line 6: fine
  }));
  EXPECT_EQ(p.records, std::vector<EnrollmentRecord>{r});
  ASSERT_EQ(p.problems.size(), 4u) << ProblemsText(p);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.problems[i].line, i + 2);
    EXPECT_NE(p.problems[i].message.find("public_key"), std::string::npos) << p.problems[i].message;
  }
}

TEST(EnrollmentCsv, BadIdentifierFieldsAreNamed) {
  EnrollmentRecord r = Record(1);
  const std::string key = r.device_key.ToBase64Url();
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(Lines({
      kEnrollmentCsvHeader,
      "B1 000001,HP7,HP7-64,global,sg,B1," + key,
      "B1-000002,,HP7-64,global,sg,B1," + key,
      "B1-000003,HP7,HP7/64,global,sg,B1," + key,
      "B1-000004,HP7,HP7-64,glo bal,sg,B1," + key,
      "B1-000005,HP7,HP7-64,global,sg,," + key,
  }));
  EXPECT_TRUE(p.records.empty());
  ASSERT_EQ(p.problems.size(), 5u) << ProblemsText(p);
  const char* names[] = {"serial", "model", "sku", "variant", "batch"};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(p.problems[i].line, i + 2);
    EXPECT_NE(p.problems[i].message.find(names[i]), std::string::npos) << p.problems[i].message;
  }
}

TEST(EnrollmentCsv, DuplicateSerialReportsTheSecondLine) {
  EnrollmentRecord first = Record(1);
  EnrollmentRecord again = Record(1);  // same serial, another key
  ParsedEnrollmentCsv p =
      ParseEnrollmentCsv(Lines({kEnrollmentCsvHeader, EnrollmentCsvRow(first),
                                EnrollmentCsvRow(Record(2)), "", EnrollmentCsvRow(again)}));
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[0], first) << "the first occurrence is kept";
  ASSERT_EQ(p.problems.size(), 1u) << ProblemsText(p);
  EXPECT_EQ(p.problems[0].line, 5);
  EXPECT_NE(p.problems[0].message.find(first.serial), std::string::npos) << p.problems[0].message;
}

TEST(EnrollmentCsv, RecordLinesPointAtEachRecord) {
  EnrollmentRecord a = Record(1), b = Record(2);
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(
      Lines({kEnrollmentCsvHeader, EnrollmentCsvRow(a), "broken", "", EnrollmentCsvRow(b)}));
  EXPECT_EQ(p.records, (std::vector<EnrollmentRecord>{a, b}));
  EXPECT_EQ(p.record_lines, (std::vector<int>{2, 5}));
}

TEST(EnrollmentCsv, ProblemLinesAreCountedWithCrlf) {
  std::string text = std::string(kEnrollmentCsvHeader) + "\r\n" + EnrollmentCsvRow(Record(1)) +
                     "\r\n\r\nbroken\r\n";
  ParsedEnrollmentCsv p = ParseEnrollmentCsv(text);
  EXPECT_EQ(p.records.size(), 1u);
  ASSERT_EQ(p.problems.size(), 1u) << ProblemsText(p);
  EXPECT_EQ(p.problems[0].line, 4);
}

}  // namespace
}  // namespace homeport
