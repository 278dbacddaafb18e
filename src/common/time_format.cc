// RFC 3339 formatting and parsing on std::chrono calendar types (no locale, no TZ database).
#include "common/time_format.h"

#include <cstdio>

namespace homeport {

using namespace std::chrono;

std::string FormatRfc3339(TimePoint t) {
  auto ms = time_point_cast<milliseconds>(t);
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

Result<TimePoint> ParseRfc3339(const std::string& s) {
  int y, mo, d, h, mi, sec, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &consumed) != 6 ||
      consumed != 19) {
    return Status::InvalidArgument("not an RFC 3339 time: " + s);
  }
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) {
    return Status::InvalidArgument("not a valid time: " + s);
  }
  TimePoint t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    long frac = 0, scale = 1000;
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (scale > 1) frac = frac * 10 + (s[i] - '0'), scale /= 10;
    }
    t += milliseconds(frac * scale);
  }
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) return t;
  int oh, om;
  if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') &&
      std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
    auto off = hours(oh) + minutes(om);
    return s[i] == '+' ? t - off : t + off;
  }
  return Status::InvalidArgument("time has no valid zone: " + s);
}

}  // namespace homeport
