#include "webhook/url_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <string>

namespace smsgw::webhook {
namespace {

// A CURLU with its parts; freed on scope exit.
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct PartDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using Part = std::unique_ptr<char, PartDeleter>;

Part GetPart(CURLU* url, CURLUPart what) {
  char* out = nullptr;
  if (curl_url_get(url, what, &out, 0) != CURLUE_OK) return Part();
  return Part(out);
}

bool IsPrivateV4(uint32_t a) {  // host byte order
  const auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) ||   // 0.0.0.0/8 "this network"
         in(0x0A000000, 8) ||   // 10/8
         in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
         in(0x7F000000, 8) ||   // 127/8 loopback
         in(0xA9FE0000, 16) ||  // 169.254/16 link-local, cloud metadata
         in(0xAC100000, 12) ||  // 172.16/12
         in(0xC0000000, 24) ||  // 192.0.0/24 IETF protocol assignments
         in(0xC0A80000, 16) ||  // 192.168/16
         in(0xC6120000, 15) ||  // 198.18/15 benchmarking
         in(0xE0000000, 4) ||   // 224/4 multicast
         in(0xF0000000, 4);     // 240/4 reserved, broadcast
}

bool IsPrivateV6(const in6_addr& a) {
  const uint8_t* b = a.s6_addr;
  static const uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return true;  // :: and ::1
  // IPv4-mapped ::ffff:a.b.c.d and the NAT64 prefix 64:ff9b::/96 carry an IPv4 address.
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kMapped, 12) == 0 || std::memcmp(b, kNat64, 12) == 0) {
    return IsPrivateV4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 | b[15]);
  }
  if ((b[0] & 0xfe) == 0xfc) return true;                  // fc00::/7 unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;  // fe80::/10 link-local
  if (b[0] == 0xff) return true;                           // multicast
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool IsPrivateAddress(const sockaddr* address) {
  if (address == nullptr) return true;
  if (address->sa_family == AF_INET) {
    return IsPrivateV4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  }
  if (address->sa_family == AF_INET6) return IsPrivateV6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  return true;  // not an internet address at all
}

std::string AddressText(const sockaddr* address) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (address->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(address)->sin_addr, buf, sizeof buf);
  } else if (address->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

Status CheckCallbackUrl(std::string_view text, bool allow_private) {
  if (text.empty()) return Status::InvalidArgument("must not be empty");
  if (text.size() > kMaxUrlBytes) {
    return Status::InvalidArgument("longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return Status::InvalidArgument("holds a space or a control character");
    }
  }
  // "scheme://host...": libcurl reads "https:///path" as having a host; a URL a person means
  // has its host right after the "//".
  const size_t slashes = text.find("://");
  if (slashes == std::string_view::npos || slashes + 3 >= text.size() || text[slashes + 3] == '/') {
    return Status::InvalidArgument("not a valid absolute URL with a host");
  }
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (!url) return Status::Internal("out of memory");
  const std::string copy(text);
  // Only absolute URLs; no guessing of a scheme.
  if (curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return Status::InvalidArgument("not a valid absolute URL");
  }
  Part scheme = GetPart(url.get(), CURLUPART_SCHEME);
  const std::string s = scheme ? Lower(scheme.get()) : "";
  if (s != "http" && s != "https") return Status::InvalidArgument("must be an http:// or https:// URL");
  if (GetPart(url.get(), CURLUPART_USER) || GetPart(url.get(), CURLUPART_PASSWORD)) {
    return Status::InvalidArgument("must not carry a user name or password");
  }
  Part host_part = GetPart(url.get(), CURLUPART_HOST);
  if (!host_part || host_part.get()[0] == '\0') return Status::InvalidArgument("has no host");
  if (allow_private) return Status::Ok();

  std::string host = Lower(host_part.get());
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host == "localhost" || (host.size() > 10 && host.compare(host.size() - 10, 10, ".localhost") == 0)) {
    return Status::InvalidArgument("must not point to this machine (localhost)");
  }
  // A literal address: "[v6]" or dotted IPv4. Names are checked when they are resolved.
  sockaddr_storage addr{};
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    std::string v6 = host.substr(1, host.size() - 2);
    v6 = v6.substr(0, v6.find('%'));  // a zone id
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
    a6->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, v6.c_str(), &a6->sin6_addr) != 1) return Status::InvalidArgument("has a bad IPv6 address");
  } else {
    auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
    a4->sin_family = AF_INET;
    // inet_aton also reads the short and numeric forms ("127.1", "2130706433") that a URL may
    // use to disguise a loopback address.
    if (inet_aton(host.c_str(), &a4->sin_addr) == 0) return Status::Ok();
  }
  if (IsPrivateAddress(reinterpret_cast<const sockaddr*>(&addr))) {
    return Status::InvalidArgument("must not point to a private, loopback or link-local address");
  }
  return Status::Ok();
}

}  // namespace smsgw::webhook
