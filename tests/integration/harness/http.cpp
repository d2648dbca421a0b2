#include "http.h"

#include <stdexcept>

#include "http/client.h"

namespace smsgw::testing {

HttpResponse Http(int port, const std::string& method, const std::string& target, const std::string& body,
                  const Headers& headers) {
  Result<http::Response> r = http::Request("127.0.0.1", port, method, target, body, headers, std::chrono::seconds(10));
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  HttpResponse out;
  static_cast<http::Response&>(out) = std::move(r).value();
  return out;
}

}  // namespace smsgw::testing
