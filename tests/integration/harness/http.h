#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "http/client.h"

namespace smsgw::testing {

// An answer of lib/http's client, with its body as JSON for assertions.
struct HttpResponse : http::Response {
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

using Headers = http::Headers;

// One HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection (lib/http, 10 s timeout).
// Throws on connection failure.
HttpResponse Http(int port, const std::string& method, const std::string& target, const std::string& body = "",
                  const Headers& headers = {});

}  // namespace smsgw::testing
