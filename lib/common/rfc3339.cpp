#include "common/rfc3339.h"

#include <chrono>
#include <cstdio>

namespace smsgw {
namespace {

// Reads exactly `n` digits at text[*pos]; false if they are not there.
bool Digits(std::string_view text, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::string FormatRfc3339Ms(int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(unix_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> tod(t - day);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                static_cast<int>(tod.seconds().count()), static_cast<int>(tod.subseconds().count()));
  return buf;
}

Result<int64_t> ParseRfc3339Ms(std::string_view text) {
  using namespace std::chrono;
  const Status bad = Status::InvalidArgument("not an RFC 3339 time (e.g. 2026-11-25T10:00:00Z or 2026-11-25)");
  size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!Digits(text, &pos, 4, &y) || !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &mo) ||
      !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &d)) {
    return bad;
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return bad;
  int64_t ms = duration_cast<milliseconds>(sys_days(ymd).time_since_epoch()).count();
  if (pos == text.size()) return ms;  // a bare date: midnight UTC

  const char sep = text[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return bad;
  if (!Digits(text, &pos, 2, &h) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &mi) ||
      !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &s) || h > 23 || mi > 59 || s > 60) {
    return bad;
  }
  ms += ((h * 60 + mi) * 60 + (s == 60 ? 59 : s)) * int64_t{1000};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100, frac = 0, n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) frac += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
      ++n;
    }
    if (n == 0) return bad;
    ms += frac;
  }
  if (pos >= text.size()) return bad;  // the offset is required
  const char z = text[pos++];
  if (z == 'Z' || z == 'z') return pos == text.size() ? Result<int64_t>(ms) : Result<int64_t>(bad);
  if (z != '+' && z != '-') return bad;
  int oh = 0, om = 0;
  if (!Digits(text, &pos, 2, &oh) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &om) || oh > 23 ||
      om > 59 || pos != text.size()) {
    return bad;
  }
  const int64_t offset = (oh * 60 + om) * int64_t{60'000};
  return z == '+' ? ms - offset : ms + offset;
}

}  // namespace smsgw
