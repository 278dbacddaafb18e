// Parser of Glean's truncated ISO 8601 datetimes.
#include "schema/glean_datetime.h"

#include <chrono>

namespace homeport::schema {
namespace {

// Reads exactly `n` digits at `pos`, advancing it.
bool Digits(std::string_view s, size_t& pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Char(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

Result<TimePoint> ParseGleanDatetime(std::string_view s) {
  auto bad = [&] {
    return Status::InvalidArgument("'" + std::string(s.substr(0, 64)) +
                                   "' is not a Glean datetime (e.g. 2026-11-29T13:24:05.123+01:00, "
                                   "2026-11-29T13:24-00:00, 2026-11-29-00:00)");
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int64_t nanos = 0;
  if (!Digits(s, pos, 4, year) || !Char(s, pos, '-') || !Digits(s, pos, 2, month) ||
      !Char(s, pos, '-') || !Digits(s, pos, 2, day)) {
    return bad();
  }
  // RFC 3339 lets applications separate date and time with a space; some SDKs' tests do.
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!Digits(s, pos, 2, hour)) return bad();
    if (Char(s, pos, ':')) {
      if (!Digits(s, pos, 2, minute)) return bad();
      if (Char(s, pos, ':')) {
        if (!Digits(s, pos, 2, second)) return bad();
        if (Char(s, pos, '.')) {
          size_t digits = 0;
          while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (++digits > 9) return bad();
            nanos = nanos * 10 + (s[pos++] - '0');
          }
          if (digits == 0) return bad();
          for (size_t i = digits; i < 9; ++i) nanos *= 10;
        }
      }
    }
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos++] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!Digits(s, pos, 2, oh) || !Char(s, pos, ':') || !Digits(s, pos, 2, om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (pos != s.size()) return bad();
  std::chrono::year_month_day ymd{std::chrono::year(year),
                                  std::chrono::month(static_cast<unsigned>(month)),
                                  std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return bad();
  // TimePoint counts nanoseconds in 64 bits, so it spans the years 1678 to 2261 only: a date
  // outside that (found by fuzzing: "2926-11-29T14:24+00:00") would overflow the conversion.
  constexpr auto kFirstDay =
      std::chrono::floor<std::chrono::days>(TimePoint::min()) + std::chrono::days(2);
  constexpr auto kLastDay =
      std::chrono::floor<std::chrono::days>(TimePoint::max()) - std::chrono::days(2);
  if (std::chrono::sys_days(ymd) < kFirstDay || std::chrono::sys_days(ymd) > kLastDay) {
    return bad();
  }
  auto t = std::chrono::sys_days(ymd) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second) - std::chrono::minutes(offset_minutes);
  return std::chrono::time_point_cast<TimePoint::duration>(t + std::chrono::nanoseconds(nanos));
}

Result<std::string> GleanDatetimeAtDay(std::string_view s) {
  if (Result<TimePoint> t = ParseGleanDatetime(s); !t.ok()) return t.status();
  constexpr size_t kDate = 10;  // "YYYY-MM-DD"
  if (s[kDate] != 'T' && s[kDate] != 't' && s[kDate] != ' ') return std::string(s);
  // A valid datetime ends in its offset: "Z" or "±HH:MM".
  const size_t offset = s.back() == 'Z' || s.back() == 'z' ? s.size() - 1 : s.size() - 6;
  return std::string(s.substr(0, kDate)) + "T00:00" + std::string(s.substr(offset));
}

}  // namespace homeport::schema
