#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <string>

namespace smsgw::bench {

// Where the gateway listens, from "http://host:port[/]".
struct Url {
  std::string host;
  std::string port;
};

// Parses `text`; returns false and sets *error unless it is http://host:port with a loopback
// host (127.x.x.x or localhost): the benchmark is a load generator and is kept off other machines.
bool ParseLoopbackUrl(const std::string& text, Url* url, std::string* error);

// One answer. status is 0 when no answer arrived; `error` then says why, and `maybe_sent` whether
// the request may have reached the server (it failed after the connection was up).
struct HttpResult {
  int status = 0;
  std::string body;
  std::string error;
  bool maybe_sent = false;
};

// One keep-alive HTTP/1.1 connection, used by one thread at a time (not thread safe).
// Connects lazily; after any transport error or a "Connection: close" answer the next request
// connects again. A request is never retried: a POST may have been acted on.
class HttpConnection {
 public:
  explicit HttpConnection(Url url);

  // Sends one request (a Bearer token if `bearer` is not empty; a JSON body if `body` is not
  // empty) and reads the answer, giving up after `timeout` in total.
  HttpResult Request(boost::beast::http::verb method, const std::string& target, const std::string& bearer,
                     const std::string& body, std::chrono::milliseconds timeout);

  // How many times a TCP connection was opened (1 when keep-alive held throughout).
  int connects() const { return connects_; }

 private:
  void Drop();

  Url url_;
  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  int connects_ = 0;
};

}  // namespace smsgw::bench
