#pragma once

// A status-callback receiver for tests: an HTTP/1.1 server on 127.0.0.1 (Boost.Beast,
// blocking, one connection at a time, on its own thread) that records every request and
// answers with the status `answer` picks. Stopped (and joined) on destruction.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace smsgw::testing {

struct ReceivedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  int answered = 0;
};

class WebhookReceiver {
 public:
  // `answer(n, request)`: the HTTP status for the n-th request (0-based).
  explicit WebhookReceiver(std::function<int(int, const ReceivedRequest&)> answer)
      : answer_(std::move(answer)), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Serve(); });
  }
  ~WebhookReceiver() {
    stopping_ = true;
    boost::system::error_code ec;
    // Wake the blocking accept with a connection of our own.
    boost::asio::ip::tcp::socket poke(ioc_);
    poke.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)}, ec);
    thread_.join();
  }
  int port() const { return port_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::vector<ReceivedRequest> Requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    namespace http = boost::beast::http;
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      boost::beast::flat_buffer buffer;
      {  // one request per connection (answered with Connection: close), so one thread serves all
        http::request<http::string_body> req;
        http::read(socket, buffer, req, ec);
        if (ec) continue;
        ReceivedRequest r;
        r.method = std::string(req.method_string());
        r.target = std::string(req.target());
        r.body = req.body();
        for (const auto& f : req) {
          std::string name(f.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          r.headers[name] = std::string(f.value());
        }
        int n;
        {
          std::lock_guard lock(mu_);
          n = static_cast<int>(requests_.size());
        }
        r.answered = answer_(n, r);
        {
          std::lock_guard lock(mu_);
          requests_.push_back(r);
        }
        http::response<http::string_body> res(static_cast<http::status>(r.answered), req.version());
        res.body() = "ok";
        res.keep_alive(false);
        res.prepare_payload();
        http::write(socket, res, ec);
      }
    }
  }

  std::function<int(int, const ReceivedRequest&)> answer_;
  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<ReceivedRequest> requests_;
};

}  // namespace smsgw::testing
