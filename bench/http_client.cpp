#include "http_client.h"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>

#include <utility>

namespace smsgw::bench {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

bool ParseLoopbackUrl(const std::string& text, Url* url, std::string* error) {
  const std::string scheme = "http://";
  if (text.rfind(scheme, 0) != 0) {
    *error = "--url must start with http:// (got '" + text + "')";
    return false;
  }
  std::string rest = text.substr(scheme.size());
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  const size_t colon = rest.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find('/') != std::string::npos) {
    *error = "--url must be http://host:port (got '" + text + "')";
    return false;
  }
  url->host = rest.substr(0, colon);
  url->port = rest.substr(colon + 1);
  bool loopback = url->host == "localhost";
  if (!loopback) {
    beast::error_code ec;
    const net::ip::address address = net::ip::make_address(url->host, ec);
    loopback = !ec && address.is_loopback();
  }
  if (!loopback) {
    *error = "--url: '" + url->host + "' is not a loopback address; smsgw-bench-send only loads a local gateway";
    return false;
  }
  return true;
}

HttpConnection::HttpConnection(Url url) : url_(std::move(url)), stream_(ioc_) {}

void HttpConnection::Drop() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
  buffer_.consume(buffer_.size());
  connected_ = false;
}

HttpResult HttpConnection::Request(http::verb method, const std::string& target, const std::string& bearer,
                                   const std::string& body, std::chrono::milliseconds timeout) {
  http::request<http::string_body> req{method, target, 11};
  req.set(http::field::host, url_.host + ":" + url_.port);
  req.set(http::field::user_agent, "smsgw-bench-send");
  if (!bearer.empty()) req.set(http::field::authorization, "Bearer " + bearer);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.keep_alive(true);
  req.prepare_payload();

  // Asynchronous operations driven to completion right here: that is what gives the whole
  // exchange one deadline (tcp_stream's timer), which synchronous Beast calls lack.
  http::response<http::string_body> res;
  beast::error_code ec;
  const char* stage = "connect";
  stream_.expires_after(timeout);
  auto on_read = [&](beast::error_code e, size_t) { ec = e; };
  auto on_write = [&](beast::error_code e, size_t) {
    ec = e;
    if (e) return;
    stage = "read";
    http::async_read(stream_, buffer_, res, on_read);
  };
  auto send = [&] {
    stage = "write";
    http::async_write(stream_, req, on_write);
  };
  if (connected_) {
    send();
  } else {
    tcp::resolver resolver(ioc_);
    const tcp::resolver::results_type endpoints = resolver.resolve(url_.host, url_.port, ec);
    if (ec) return {0, "", std::string("resolve: ") + ec.message(), false};
    stream_.async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      if (e) return;
      connected_ = true;
      ++connects_;
      send();
    });
  }
  ioc_.restart();
  ioc_.run();

  if (ec) {
    Drop();
    return {0, "", std::string(stage) + ": " + ec.message(), std::string(stage) != "connect"};
  }
  if (!res.keep_alive()) Drop();
  return {static_cast<int>(res.result_int()), std::move(res.body()), "", false};
}

}  // namespace smsgw::bench
