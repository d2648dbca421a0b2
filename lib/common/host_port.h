#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace smsgw {

// "host:port", "[v6]:port" or ":port" (any address), as listen and peer addresses are written
// in smsgw.toml(5).
struct HostPort {
  std::string host;  // without brackets; "0.0.0.0" for ":port"
  uint16_t port = 0;
};

// InvalidArgument naming the value when it is not host:port with a port of 0..65535.
Result<HostPort> ParseHostPort(const std::string& text);

// The address to connect to for a listen address: a wildcard host (0.0.0.0, ::) becomes the
// loopback address, so tools on the same host reach a daemon that listens everywhere.
std::string ConnectHost(const HostPort& listen);

}  // namespace smsgw
