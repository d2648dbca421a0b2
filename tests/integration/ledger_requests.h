#pragma once

#include <cstdint>
#include <string>

#include "proto/smsgw.pb.h"

// Request items for the ledger's tests.
namespace smsgw::testing {

inline v1::DebitRequest DebitItem(int64_t account, const std::string& id, int64_t cost, int64_t ttl_s = 3600) {
  v1::DebitRequest item;
  item.set_account_id(account);
  item.set_message_id(id);
  item.set_cost(cost);
  item.set_ttl_s(ttl_s);
  return item;
}

inline v1::CaptureRequest CaptureItem(int64_t account, const std::string& id) {
  v1::CaptureRequest item;
  item.set_account_id(account);
  item.set_message_id(id);
  return item;
}

inline v1::RefundRequest RefundItem(int64_t account, const std::string& id) {
  v1::RefundRequest item;
  item.set_account_id(account);
  item.set_message_id(id);
  item.set_reason("test");
  return item;
}

// `n` debits of `cost` with message ids <prefix>0, <prefix>1, ...
inline v1::DebitBatchRequest DebitBatch(int64_t account, const std::string& prefix, int n, int64_t cost) {
  v1::DebitBatchRequest req;
  for (int i = 0; i < n; ++i) *req.add_items() = DebitItem(account, prefix + std::to_string(i), cost);
  return req;
}

}  // namespace smsgw::testing
