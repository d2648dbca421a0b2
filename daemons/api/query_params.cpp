#include "api/query_params.h"

#include <algorithm>
#include <charconv>

namespace smsgw::api {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = Hex(s[i + 1]);
    const int lo = Hex(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

}  // namespace

Result<QueryParams> QueryParams::Parse(std::string_view target, const std::vector<std::string_view>& allowed) {
  QueryParams params;
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return params;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = Decode(pair.substr(0, eq));
    std::optional<std::string> value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name) return Status::InvalidArgument("query: a parameter name is badly percent-encoded");
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      return Status::InvalidArgument(*name + ": unknown parameter");
    }
    if (!value) return Status::InvalidArgument(*name + ": badly percent-encoded");
    if (!params.values_.emplace(*name, std::move(*value)).second) {
      return Status::InvalidArgument(*name + ": given more than once");
    }
  }
  return params;
}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

Result<int64_t> IntParam(const QueryParams& params, std::string_view name, int64_t fallback, int64_t min,
                         int64_t max) {
  std::optional<std::string> text = params.Get(name);
  if (!text) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (text->empty() || ec != std::errc() || end != text->data() + text->size() || v < min || v > max) {
    return Status::InvalidArgument(std::string(name) + ": must be an integer from " + std::to_string(min) + " to " +
                                   std::to_string(max));
  }
  return v;
}

}  // namespace smsgw::api
