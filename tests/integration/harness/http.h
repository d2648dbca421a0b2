#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace smsgw::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  nlohmann::json Json() const { return nlohmann::json::parse(body); }
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One HTTP/1.1 request to 127.0.0.1:`port` on a fresh connection (Boost.Beast, blocking,
// 10 s timeout). Throws on connection failure.
HttpResponse Http(int port, const std::string& method, const std::string& target, const std::string& body = "",
                  const Headers& headers = {});

}  // namespace smsgw::testing
