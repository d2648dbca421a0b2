#include "api/router.h"

namespace smsgw::api {
namespace {

// "/a/b" -> {"a", "b"}; "/" -> {""}; empty segments are kept so "/a//b" does not match "/a/b".
std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

size_t Router::Add(std::string method, std::string_view pattern) {
  Route route{std::move(method), {}};
  for (std::string_view s : Split(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
  return routes_.size() - 1;
}

bool Router::Match(const Route& route, const std::vector<std::string_view>& path, std::vector<std::string>* params) {
  if (route.segments.size() != path.size()) return false;
  params->clear();
  for (size_t i = 0; i < path.size(); ++i) {
    if (IsParam(route.segments[i])) {
      if (path[i].empty()) return false;
      params->emplace_back(path[i]);
    } else if (route.segments[i] != path[i]) {
      return false;
    }
  }
  return true;
}

RouteMatch Router::Find(std::string_view method, std::string_view path) const {
  const std::vector<std::string_view> segments = Split(path);
  RouteMatch out;
  std::vector<std::string> params;
  size_t best_params = 0;
  for (size_t i = 0; i < routes_.size(); ++i) {
    if (!Match(routes_[i], segments, &params)) continue;
    if (routes_[i].method == method) {
      // A literal segment beats a parameter ("/v1/messages/export" before "/v1/messages/{id}"),
      // whatever the order the routes were added in.
      if (out.kind != RouteMatch::Kind::kFound || params.size() < best_params) {
        out.kind = RouteMatch::Kind::kFound;
        out.index = i;
        best_params = params.size();
        out.params = params;
        out.allow.clear();
      }
      continue;
    }
    if (out.kind == RouteMatch::Kind::kFound) continue;
    // The path exists with other methods: collect them for Allow, keep looking for an exact one.
    out.kind = RouteMatch::Kind::kMethodNotAllowed;
    if (out.allow.find(routes_[i].method) == std::string::npos) {
      if (!out.allow.empty()) out.allow += ", ";
      out.allow += routes_[i].method;
    }
  }
  return out;
}

}  // namespace smsgw::api
