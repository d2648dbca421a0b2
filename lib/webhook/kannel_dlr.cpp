#include "webhook/kannel_dlr.h"

#include "common/rfc3339.h"

namespace smsgw::webhook {
namespace {

std::string PlusForDoubleZero(const std::string& number) {
  if (number.rfind("00", 0) == 0) return "+" + number.substr(2);
  return number;
}

// "YYYY-MM-DD HH:MM", UTC.
std::string KannelTime(int64_t unix_s) {
  std::string t = FormatRfc3339Ms(unix_s * 1000).substr(0, 16);
  t[10] = ' ';
  return t;
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
