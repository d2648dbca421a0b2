#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Maps (method, path) to a route index. Patterns are literal segments plus "{name}" segments,
// each matching one non-empty path segment ("/v1/messages/{id}"). Pure; thread-safe to Find
// once every Add is done.
namespace smsgw::api {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  size_t index = 0;                 // kFound: what Add returned for the route
  std::vector<std::string> params;  // kFound: the "{...}" segments, in order
  std::string allow;                // kMethodNotAllowed: "GET, POST" for the Allow header
};

class Router {
 public:
  // Returns the route's index (0, 1, 2, ... in order of addition).
  size_t Add(std::string method, std::string_view pattern);
  RouteMatch Find(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{...}" for a parameter
  };
  static bool Match(const Route& route, const std::vector<std::string_view>& path, std::vector<std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace smsgw::api
