#include "webhook/sender.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <map>
#include <mutex>

#include "webhook/url_policy.h"

namespace smsgw::webhook {
namespace {

// One transfer's state, owned by Impl::transfers.
struct Transfer {
  Request request;
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  bool allow_private = false;
  std::string refused_address;  // set by OpenSocket when the policy refused it
  char error[CURL_ERROR_SIZE] = {};
};

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

// Called by libcurl with each resolved address before it connects.
curl_socket_t OpenSocket(void* clientp, curlsocktype, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  if (!t->allow_private && IsPrivateAddress(&address->addr)) {
    t->refused_address = AddressText(&address->addr);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

}  // namespace

struct HttpSender::Impl {
  Options options;
  CURLM* multi = nullptr;
  std::map<CURL*, std::unique_ptr<Transfer>> transfers;
};

HttpSender::HttpSender(Options options) : impl_(std::make_unique<Impl>()) {
  static std::once_flag global;
  std::call_once(global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = options;
  impl_->multi = curl_multi_init();
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(options.max_total));
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(options.max_per_host));
}

HttpSender::~HttpSender() {
  for (auto& [easy, t] : impl_->transfers) {
    curl_multi_remove_handle(impl_->multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->headers);
  }
  curl_multi_cleanup(impl_->multi);
}

void HttpSender::Add(Request request) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->allow_private = impl_->options.allow_private;
  CURL* e = curl_easy_init();
  t->easy = e;
  curl_easy_setopt(e, CURLOPT_URL, t->request.url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // never a proxy from the environment
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(impl_->options.timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(impl_->options.timeout_ms));
  curl_easy_setopt(e, CURLOPT_USERAGENT, "smsgw-report");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t.get());
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
  for (const std::string& h : t->request.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  if (t->request.post) {
    t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request.body.size()));
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  curl_multi_add_handle(impl_->multi, e);
  impl_->transfers.emplace(e, std::move(t));
}

size_t HttpSender::in_flight() const { return impl_->transfers.size(); }

std::vector<Outcome> HttpSender::Poll(int wait_ms) {
  std::vector<Outcome> done;
  int running = 0;
  curl_multi_perform(impl_->multi, &running);
  if (running > 0) {
    curl_multi_poll(impl_->multi, nullptr, 0, wait_ms, nullptr);
    curl_multi_perform(impl_->multi, &running);
  }
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(impl_->multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    auto it = impl_->transfers.find(e);
    if (it == impl_->transfers.end()) continue;
    Transfer& t = *it->second;
    Outcome out;
    out.id = t.request.id;
    long code = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    out.http_code = static_cast<int>(code);
    curl_off_t total_us = 0;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
    out.seconds = static_cast<double>(total_us) / 1e6;
    if (!t.refused_address.empty()) {
      out.refused = true;
      out.error = "refused: " + t.refused_address + " is a private, loopback or link-local address";
    } else if (msg->data.result != CURLE_OK) {
      out.error = t.error[0] != '\0' ? t.error : curl_easy_strerror(msg->data.result);
    } else if (code < 200 || code > 299) {
      out.error = "answered HTTP " + std::to_string(code);
    }
    done.push_back(std::move(out));
    curl_multi_remove_handle(impl_->multi, e);
    curl_easy_cleanup(e);
    curl_slist_free_all(t.headers);
    impl_->transfers.erase(it);
  }
  return done;
}

}  // namespace smsgw::webhook
