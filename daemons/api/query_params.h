#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace smsgw::api {

// The parameters of a request's query string ("?a=1&b=x%2By"), percent-decoded. A '+' stays a
// '+' (RFC 3986; not the space of HTML forms), so `to=+98912...` means what it says. Pure.
class QueryParams {
 public:
  // kInvalidArgument naming the parameter when one is not in `allowed` ("foo: unknown
  // parameter"), given twice, or badly percent-encoded. `target` is the whole request target.
  static Result<QueryParams> Parse(std::string_view target, const std::vector<std::string_view>& allowed);

  // The decoded value, or nullopt when the parameter was not given.
  std::optional<std::string> Get(std::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Reads an optional integer parameter within [min, max]; `fallback` when absent.
// kInvalidArgument "name: must be an integer from min to max" otherwise.
Result<int64_t> IntParam(const QueryParams& params, std::string_view name, int64_t fallback, int64_t min,
                         int64_t max);

}  // namespace smsgw::api
