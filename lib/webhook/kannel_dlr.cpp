#include "webhook/kannel_dlr.h"

#include <chrono>
#include <cstdio>

namespace smsgw::webhook {
namespace {

std::string PlusForDoubleZero(const std::string& number) {
  if (number.rfind("00", 0) == 0) return "+" + number.substr(2);
  return number;
}

std::string KannelTime(int64_t unix_s) {
  using namespace std::chrono;
  const sys_seconds t{seconds(unix_s)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<seconds> tod(t - day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()));
  return buf;
}

}  // namespace

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string ExpandDlrUrl(std::string_view url_template, const DlrFields& f) {
  std::string out;
  out.reserve(url_template.size() + 64);
  for (size_t i = 0; i < url_template.size(); ++i) {
    const char c = url_template[i];
    if (c != '%' || i + 1 == url_template.size()) {
      out.push_back(c);
      continue;
    }
    const char e = url_template[++i];
    switch (e) {
      case 'd': out += std::to_string(f.type); break;
      case 'A': out += UrlEncode(f.reply); break;
      case 'p': out += UrlEncode(f.from); break;
      case 'P': out += UrlEncode(f.to); break;
      case 'q': out += UrlEncode(PlusForDoubleZero(f.from)); break;
      case 'Q': out += UrlEncode(PlusForDoubleZero(f.to)); break;
      case 'i': out += UrlEncode(f.smsc); break;
      case 'I': out += UrlEncode(f.message_id); break;
      case 'T': out += std::to_string(f.at_s); break;
      case 't': out += UrlEncode(KannelTime(f.at_s)); break;
      case '%': out.push_back('%'); break;
      default:  // not an escape of a delivery report: kept, as written
        out.push_back('%');
        out.push_back(e);
    }
  }
  return out;
}

}  // namespace smsgw::webhook
