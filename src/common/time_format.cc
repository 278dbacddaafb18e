// RFC 3339 formatting and parsing on std::chrono calendar types (no locale, no TZ database).
#include "common/time_format.h"

#include <cstdio>

namespace homeport {

using namespace std::chrono;

std::string FormatRfc3339(TimePoint t) {
  // floor, not time_point_cast: a time before the epoch must not round up into the next second.
  auto ms = floor<milliseconds>(t);
  auto day = floor<days>(ms);
  year_month_day ymd{day};
  hh_mm_ss hms{ms - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02lldZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), long(hms.hours().count()),
                long(hms.minutes().count()), static_cast<long long>(hms.seconds().count()));
  std::string out(buf);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03lld", static_cast<long long>(hms.subseconds().count()));
  out.insert(out.size() - 1, frac);
  return out;
}

std::string FormatDate(TimePoint t) {
  year_month_day ymd{floor<days>(t)};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return buf;
}

namespace {

// Reads exactly `n` ASCII digits at s[i..]: sscanf's %d would also take signs and spaces.
bool Digits(const std::string& s, size_t i, size_t n, int* out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (size_t k = i; k < i + n; ++k) {
    if (s[k] < '0' || s[k] > '9') return false;
    v = v * 10 + (s[k] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

Result<TimePoint> ParseRfc3339(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, &y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &sec)) {
    return Status::InvalidArgument("not an RFC 3339 time: " + s);
  }
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return Status::InvalidArgument("not a valid time: " + s);
  }
  // A TimePoint counts nanoseconds in 64 bits, from 1677-09-21 to 2262-04-11: a year outside
  // is refused here rather than overflowed below (a rotation statement "issued" in 1611).
  if (y < kFirstYear || y > kLastYear) {
    return Status::InvalidArgument("time out of range (years " + std::to_string(kFirstYear) +
                                   " to " + std::to_string(kLastYear) + "): " + s);
  }
  TimePoint t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    long frac = 0, scale = 1000;
    size_t first = ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (scale > 1) frac = frac * 10 + (s[i] - '0'), scale /= 10;
    }
    if (i == first) return Status::InvalidArgument("time has an empty fraction: " + s);
    t += milliseconds(frac * scale);
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return t;
  int oh, om;
  if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && Digits(s, i + 1, 2, &oh) &&
      s[i + 3] == ':' && Digits(s, i + 4, 2, &om) && oh <= 23 && om <= 59) {
    auto off = hours(oh) + minutes(om);
    return s[i] == '+' ? t - off : t + off;
  }
  return Status::InvalidArgument("time has no valid zone: " + s);
}

}  // namespace homeport
