#include "common/host_port.h"

#include <charconv>

namespace smsgw {

Result<HostPort> ParseHostPort(const std::string& text) {
  auto bad = [&] { return Status::InvalidArgument("address \"" + text + "\": want host:port"); };
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) return bad();
  HostPort out;
  out.host = text.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return bad();  // a bare IPv6 address needs brackets
  }
  if (out.host.empty()) out.host = "0.0.0.0";
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || p != port.data() + port.size() || value > 65535) return bad();
  out.port = static_cast<uint16_t>(value);
  return out;
}

std::string ConnectHost(const HostPort& listen) {
  if (listen.host == "0.0.0.0") return "127.0.0.1";
  if (listen.host == "::") return "::1";
  return listen.host;
}

}  // namespace smsgw
