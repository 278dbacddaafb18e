// RFC 3339 timestamps and calendar dates as homeport writes and reads them.
#include "common/time_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace homeport {
namespace {

using namespace std::chrono;

TimePoint At(year_month_day ymd, hours h, minutes m, seconds s, milliseconds ms = milliseconds(0)) {
  return sys_days(ymd) + h + m + s + ms;
}

const TimePoint kExample = At(2026y / 11 / 29, 13h, 24min, 5s, 123ms);

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(kExample), "2026-11-29T13:24:05.123Z");
  EXPECT_EQ(FormatRfc3339(TimePoint{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(At(2000y / 1 / 2, 3h, 4min, 5s, 6ms)), "2000-01-02T03:04:05.006Z");
}

TEST(TimeFormat, FormatDropsSubMillisecondsWithoutRoundingUp) {
  EXPECT_EQ(FormatRfc3339(At(2026y / 12 / 31, 23h, 59min, 59s, 999ms) + 999us),
            "2026-12-31T23:59:59.999Z");
}

TEST(TimeFormat, FormatsTimesBeforeTheEpoch) {
  EXPECT_EQ(FormatRfc3339(TimePoint{} - 1ms), "1969-12-31T23:59:59.999Z");
  // Half a millisecond before the epoch is still 1969, never 1970.
  EXPECT_EQ(FormatRfc3339(TimePoint{} - 500us), "1969-12-31T23:59:59.999Z");
}

TEST(TimeFormat, DatePartAgreesWithFormatDate) {
  for (TimePoint t : {kExample, TimePoint{}, TimePoint{} - 500us, TimePoint{} - 25h,
                      At(2024y / 2 / 29, 23h, 59min, 59s, 999ms) + 999us}) {
    EXPECT_EQ(FormatRfc3339(t).substr(0, 10), FormatDate(t)) << FormatRfc3339(t);
  }
}

TEST(TimeFormat, FormatDateIsTheUtcDay) {
  EXPECT_EQ(FormatDate(kExample), "2026-11-29");
  EXPECT_EQ(FormatDate(At(2026y / 11 / 29, 23h, 59min, 59s, 999ms)), "2026-11-29");
  EXPECT_EQ(FormatDate(At(2026y / 11 / 30, 0h, 0min, 0s)), "2026-11-30");
  EXPECT_EQ(FormatDate(At(2024y / 2 / 29, 12h, 0min, 0s)), "2024-02-29");
  EXPECT_EQ(FormatDate(TimePoint{} - 1s), "1969-12-31");
}

TEST(TimeFormat, RoundTripsMillisecondTimes) {
  for (TimePoint t : {kExample, TimePoint{}, At(1999y / 12 / 31, 23h, 59min, 59s, 999ms),
                      At(2024y / 2 / 29, 0h, 0min, 0s, 1ms), At(2100y / 3 / 1, 12h, 30min, 0s)}) {
    std::string text = FormatRfc3339(t);
    auto parsed = ParseRfc3339(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, t) << text;
    EXPECT_EQ(FormatRfc3339(*parsed), text);
  }
}

TEST(TimeFormat, ParsesWithoutFraction) {
  auto t = ParseRfc3339("2026-11-29T13:24:05Z");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, At(2026y / 11 / 29, 13h, 24min, 5s));
}

TEST(TimeFormat, ParsesFractionalSecondsOfAnyLength) {
  struct Case {
    const char* text;
    milliseconds ms;
  };
  for (const Case& c :
       {Case{"2026-11-29T13:24:05.1Z", 100ms}, Case{"2026-11-29T13:24:05.12Z", 120ms},
        Case{"2026-11-29T13:24:05.123Z", 123ms}, Case{"2026-11-29T13:24:05.123456789Z", 123ms},
        Case{"2026-11-29T13:24:05.000Z", 0ms}, Case{"2026-11-29T13:24:05.9999Z", 999ms}}) {
    auto t = ParseRfc3339(c.text);
    ASSERT_TRUE(t.ok()) << c.text << ": " << t.status().ToString();
    EXPECT_EQ(*t, At(2026y / 11 / 29, 13h, 24min, 5s, c.ms)) << c.text;
  }
}

TEST(TimeFormat, RefusesYearsATimePointCannotHold) {
  // Found by fuzzing root_rotation: a statement "issued" in 1611 overflowed the nanoseconds.
  for (const char* text : {"1611-06-01T00:00:00.000Z", "1677-12-31T23:59:59Z", "2262-01-01T00:00:00Z",
                           "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z"}) {
    auto t = ParseRfc3339(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.status().message().find("out of range"), std::string::npos) << t.status().ToString();
  }
  for (const char* text : {"1678-01-01T00:00:00-14:00", "2261-12-31T23:59:59+14:00"}) {
    auto t = ParseRfc3339(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    EXPECT_EQ(FormatRfc3339(*t).substr(0, 4), std::string(text).substr(0, 4)) << text;
  }
}

TEST(TimeFormat, AppliesNumericOffsets) {
  const TimePoint want = At(2026y / 11 / 29, 13h, 24min, 5s);
  for (const char* text :
       {"2026-11-29T21:24:05+08:00", "2026-11-29T07:54:05-05:30", "2026-11-29T13:24:05+00:00",
        "2026-11-29T13:24:05-00:00", "2026-11-30T00:24:05+11:00", "2026-11-28T23:24:05-14:00"}) {
    auto t = ParseRfc3339(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    EXPECT_EQ(*t, want) << text << " parsed as " << FormatRfc3339(*t);
  }
  auto frac = ParseRfc3339("2026-11-29T21:24:05.250+08:00");
  ASSERT_TRUE(frac.ok());
  EXPECT_EQ(*frac, want + 250ms);
}

TEST(TimeFormat, AcceptsLowerCaseSeparatorAndZone) {
  // RFC 3339 section 5.6: "T" and "Z" may alternatively be lower case.
  for (const char* text :
       {"2026-11-29t13:24:05z", "2026-11-29T13:24:05z", "2026-11-29t13:24:05Z"}) {
    auto t = ParseRfc3339(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status().ToString();
    EXPECT_EQ(*t, At(2026y / 11 / 29, 13h, 24min, 5s)) << text;
  }
}

TEST(TimeFormat, AcceptsLeapDayAndLeapSecond) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T12:00:00Z").ok());
  EXPECT_TRUE(ParseRfc3339("2016-12-31T23:59:60Z").ok());
}

TEST(TimeFormat, RefusesMalformedTimes) {
  const std::vector<std::string> bad = {
      "",
      "now",
      "2026-11-29",                     // a date is not a time
      "2026-11-29T13:24:05",            // no zone
      "2026-11-29T13:24Z",              // no seconds
      "20261129T132405Z",               // basic ISO 8601 form, not RFC 3339
      "2026-1-29T13:24:05Z",            // one-digit month
      "26-11-29T13:24:05Z",             // two-digit year
      "+026-11-29T13:24:05Z",           // signed year
      " 2026-11-29T13:24:05Z",          // leading space
      "2026-11-29T 1:24:05Z",           // space in place of a digit
      "2026-11-29T+1:24:05Z",           // sign in place of a digit
      "2026-11-29T-1:24:05Z",           // negative hour
      "2026-11-29T13:-1:05Z",           // negative minute
      "2026-11-29T13:24:-1Z",           // negative second
      "2026-11-29X13:24:05Z",           // wrong separator
      "2026-11-29T13:24:05.Z",          // fraction without digits
      "2026-11-29T13:24:05.12aZ",       // junk in the fraction
      "2026-11-29T13:24:05Zjunk",       // trailing junk
      "2026-11-29T13:24:05Z ",          // trailing space
      "2026-11-29T13:24:05+08:00junk",  // trailing junk after an offset
      "2026-11-29T13:24:05+0800",       // offset without colon
      "2026-11-29T13:24:05+8:00",       // one-digit offset hour
      "2026-11-29T13:24:05+-1:00",      // signed offset hour
      "2026-11-29T13:24:05+24:00",      // offset hour out of range
      "2026-11-29T13:24:05+08:60",      // offset minute out of range
      "2026-11-29T13:24:05+08",         // offset without minutes
      "2026-11-29T13:24:05 +08:00",     // space before the offset
  };
  for (const std::string& text : bad) {
    auto t = ParseRfc3339(text);
    EXPECT_FALSE(t.ok()) << "accepted \"" << text << "\" as " << FormatRfc3339(*t);
    if (!t.ok()) {
      EXPECT_TRUE(t.status().IsInvalidArgument()) << text;
    }
  }
}

TEST(TimeFormat, RefusesImpossibleCalendarValues) {
  for (const char* text : {"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-31T00:00:00Z",
                           "2026-11-00T00:00:00Z", "2023-02-29T00:00:00Z", "2026-11-29T24:00:00Z",
                           "2026-11-29T13:60:00Z", "2026-11-29T13:24:61Z"}) {
    auto t = ParseRfc3339(text);
    EXPECT_FALSE(t.ok()) << "accepted \"" << text << "\"";
  }
}

TEST(TimeFormat, ErrorNamesTheInput) {
  auto t = ParseRfc3339("2026-11-29 at noon");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("2026-11-29 at noon"), std::string::npos)
      << t.status().message();
}

}  // namespace
}  // namespace homeport
