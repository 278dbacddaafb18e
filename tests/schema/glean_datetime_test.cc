// Glean's datetime forms, truncated to each time unit.
#include "schema/glean_datetime.h"

#include <gtest/gtest.h>

namespace homeport::schema {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TimePoint Utc(int h, int m = 0, int s = 0) {
  return std::chrono::sys_days(std::chrono::year(2026) / 11 / 29) + hours(h) + minutes(m) +
         seconds(s);
}

TimePoint Parse(const char* s) {
  Result<TimePoint> t = ParseGleanDatetime(s);
  EXPECT_TRUE(t.ok()) << s << ": " << t.status().ToString();
  return t.ok() ? *t : TimePoint{};
}

TEST(GleanDatetime, AcceptsEveryTruncation) {
  EXPECT_EQ(Parse("2026-11-29T13:24:05.123+01:00"), Utc(12, 24, 5) + milliseconds(123));
  EXPECT_EQ(Parse("2026-11-29T13:24:05.123456789+01:00"), Utc(12, 24, 5) + nanoseconds(123456789));
  EXPECT_EQ(Parse("2026-11-29T13:24:05.5Z"), Utc(13, 24, 5) + milliseconds(500));
  EXPECT_EQ(Parse("2026-11-29T13:24:05+01:00"), Utc(12, 24, 5));
  EXPECT_EQ(Parse("2026-11-29T13:24-00:00"), Utc(13, 24));
  EXPECT_EQ(Parse("2026-11-29T13+05:30"), Utc(7, 30));
  EXPECT_EQ(Parse("2026-11-29-00:00"), Utc(0));
  EXPECT_EQ(Parse("2026-11-29+08:00"), Utc(0) - hours(8));
  EXPECT_EQ(Parse("2026-11-29t13:24:05z"), Utc(13, 24, 5));
  EXPECT_EQ(Parse("2026-11-29 13:24:05-04:00"), Utc(17, 24, 5));
}

TEST(GleanDatetime, RejectsOtherForms) {
  for (const char* s :
       {"", "2026-11-29", "2026-11-29T13:24", "2026-11-29 13:24", "2026-11-29T13:24:05.+01:00",
        "2026-11-29T13:24:05.1234567890Z", "2026-02-30-00:00", "2026-11-29T24:00Z",
        "2026-11-29T13:60Z", "2026-11-29T13:24+0100", "2026-11-29T13:24+01:00 ", "26-11-29-00:00",
        "2026-11-29T13:24:05Zjunk"}) {
    EXPECT_FALSE(ParseGleanDatetime(s).ok()) << s;
  }
}

TEST(GleanDatetime, AtDayKeepsTheLocalDateAndOffsetOnly) {
  EXPECT_EQ(*GleanDatetimeAtDay("2026-12-03T14:37+01:00"), "2026-12-03T00:00+01:00");
  EXPECT_EQ(*GleanDatetimeAtDay("2026-12-03T23:59:59.999-05:30"), "2026-12-03T00:00-05:30");
  EXPECT_EQ(*GleanDatetimeAtDay("2026-12-03 01:02:03Z"), "2026-12-03T00:00Z");
  EXPECT_EQ(*GleanDatetimeAtDay("2026-12-03T14+01:00"), "2026-12-03T00:00+01:00");
  EXPECT_EQ(*GleanDatetimeAtDay("2026-12-03-00:00"), "2026-12-03-00:00");
  EXPECT_FALSE(GleanDatetimeAtDay("2026-12-03T14:37").ok());
  // The result is itself a Glean datetime: the stored ping stays a valid ping.
  EXPECT_TRUE(ParseGleanDatetime(*GleanDatetimeAtDay("2026-12-03T14:37+01:00")).ok());
}

TEST(GleanDatetime, RefusesYearsATimePointCannotHold) {
  EXPECT_FALSE(ParseGleanDatetime("2926-11-29T14:24+00:00").ok());
  EXPECT_FALSE(ParseGleanDatetime("9999-12-31-00:00").ok());
  EXPECT_FALSE(ParseGleanDatetime("0001-01-01+00:00").ok());
  EXPECT_TRUE(ParseGleanDatetime("2261-01-01T00:00+00:00").ok());
  EXPECT_TRUE(ParseGleanDatetime("1970-01-01T00:00+00:00").ok());
}

}  // namespace
}  // namespace homeport::schema
