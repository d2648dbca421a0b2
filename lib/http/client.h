#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace smsgw::http {

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One blocking HTTP/1.1 request on a fresh connection (Boost.Beast), for tools and tests:
// smsctl's send, status and top, and the test harness. `host` is a name or an address,
// `timeout` bounds the whole exchange. Unavailable when the server cannot be reached or does
// not answer in time; any HTTP status is a Response.
Result<Response> Request(const std::string& host, int port, const std::string& method, const std::string& target,
                         const std::string& body = "", const Headers& headers = {},
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));

// GET http://host:port/target, for the daemons' /metrics and /healthz.
Result<Response> Get(const std::string& host, int port, const std::string& target,
                     std::chrono::milliseconds timeout = std::chrono::seconds(3));

}  // namespace smsgw::http
