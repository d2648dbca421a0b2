#include "http/client.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace smsgw::http {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

// One exchange as a chain of asynchronous steps: tcp_stream's deadline only bounds
// asynchronous operations, and a tool must not hang on a server that accepts and says nothing.
struct Exchange {
  tcp::resolver resolver;
  beast::tcp_stream stream;
  bhttp::request<bhttp::string_body> request;
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  beast::error_code error;

  explicit Exchange(boost::asio::io_context& io) : resolver(io), stream(io) { parser.body_limit(64 * 1024 * 1024); }

  void Run(const std::string& host, int port, std::chrono::milliseconds timeout) {
    stream.expires_after(timeout);
    resolver.async_resolve(host, std::to_string(port), [this](beast::error_code ec, tcp::resolver::results_type r) {
      if (ec) return Fail(ec);
      stream.async_connect(r, [this](beast::error_code ec, const tcp::endpoint&) {
        if (ec) return Fail(ec);
        bhttp::async_write(stream, request, [this](beast::error_code ec, size_t) {
          if (ec) return Fail(ec);
          bhttp::async_read(stream, buffer, parser, [this](beast::error_code ec, size_t) {
            if (ec) return Fail(ec);
            beast::error_code ignored;
            stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
          });
        });
      });
    });
  }
  void Fail(beast::error_code ec) { error = ec; }
};

}  // namespace

Result<Response> Request(const std::string& host, int port, const std::string& method, const std::string& target,
                         const std::string& body, const Headers& headers, std::chrono::milliseconds timeout) {
  const std::string where = host + ":" + std::to_string(port);
  boost::asio::io_context io;
  Exchange x(io);
  x.request = {bhttp::string_to_verb(method), target, 11};
  x.request.set(bhttp::field::host, host);
  x.request.set(bhttp::field::user_agent, "smsgw");
  for (const auto& [name, value] : headers) x.request.set(name, value);
  if (!body.empty() || method == "POST" || method == "PUT") {
    x.request.body() = body;
    x.request.prepare_payload();
  }
  x.Run(host, port, timeout);
  io.run();
  if (x.error) {
    const std::string why = x.error == beast::error::timeout ? "no answer in time" : x.error.message();
    return Status::Unavailable(where + ": " + why);
  }
  const auto& res = x.parser.get();
  Response out;
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  return out;
}

Result<Response> Get(const std::string& host, int port, const std::string& target, std::chrono::milliseconds timeout) {
  return Request(host, port, "GET", target, "", {}, timeout);
}

}  // namespace smsgw::http
