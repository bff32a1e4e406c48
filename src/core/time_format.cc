#include "core/time_format.h"

#include <chrono>
#include <cstdio>

namespace sluice {

namespace {

struct Civil {
  int year;
  unsigned month, day, hour, minute, second, milli;
};

Civil ToCivil(TimeMs t) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds{t}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  return {int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()), unsigned(hms.hours().count()),
          unsigned(hms.minutes().count()), unsigned(hms.seconds().count()), unsigned(hms.subseconds().count())};
}

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Writes v as exactly `width` decimal digits, zero-padded (v < 10^width).
char* PutDigits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = char('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

}  // namespace

void AppendTime(std::string& out, TimeMs t) {
  Civil c = ToCivil(t);
  char buf[32];
  // Every rendered post and user has a time: digits by hand, not snprintf (about 0.3 µs each).
  if (c.year >= 0 && c.year <= 9999) {
    char* p = PutDigits(buf, unsigned(c.year), 4);
    *p++ = '-';
    p = PutDigits(p, c.month, 2);
    *p++ = '-';
    p = PutDigits(p, c.day, 2);
    *p++ = 'T';
    p = PutDigits(p, c.hour, 2);
    *p++ = ':';
    p = PutDigits(p, c.minute, 2);
    *p++ = ':';
    p = PutDigits(p, c.second, 2);
    *p++ = '.';
    p = PutDigits(p, c.milli, 3);
    *p++ = 'Z';
    out.append(buf, p);
    return;
  }
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", c.year, c.month, c.day, c.hour, c.minute,
                        c.second, c.milli);
  out.append(buf, n);
}

std::string FormatTime(TimeMs t) {
  std::string s;
  AppendTime(s, t);
  return s;
}

std::string FormatDate(TimeMs t) {
  Civil c = ToCivil(t);
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", c.year, c.month, c.day);
  return std::string(buf, n);
}

std::optional<TimeMs> ParseTime(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec))
    return std::nullopt;
  size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    for (size_t i = 0; i < 3; ++i) millis = millis * 10 + (i < n ? s[start + i] - '0' : 0);
  }
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, om) || oh > 23 ||
        om > 59)
      return std::nullopt;
    offset_min = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  TimeMs days_ms = duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch()).count();
  return days_ms + ((h * 60 + mi - offset_min) * 60 + std::min(sec, 59)) * 1000LL + millis;
}

}  // namespace sluice
