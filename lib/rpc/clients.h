#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "proto/smsgw.grpc.pb.h"

namespace smsgw::rpc {

// Blocking client of smsgw-ledger. Thread-safe (gRPC stubs are). Transport failures come back
// as kUnavailable; business outcomes (insufficient funds, unknown hold) are in the reply's
// `result` field. Every call carries a deadline so a stuck ledger cannot hang the caller.
class LedgerClient {
 public:
  explicit LedgerClient(const std::string& address,
                        std::chrono::milliseconds deadline = std::chrono::milliseconds(3000));

  Result<v1::CreateAccountReply> CreateAccount(const v1::CreateAccountRequest& req);
  Result<v1::TopUpReply> TopUp(const v1::TopUpRequest& req);
  Result<v1::BalanceReply> GetBalance(int64_t account_id);
  Result<v1::DebitReply> Debit(const v1::DebitRequest& req);
  Result<v1::CaptureReply> Capture(int64_t account_id, const std::string& message_id);
  Result<v1::RefundReply> Refund(int64_t account_id, const std::string& message_id, const std::string& reason);
  // Batches (see smsgw.proto): on success the reply has one item per request item, in order;
  // a reply of any other length is kInternal.
  Result<v1::DebitBatchReply> DebitBatch(const v1::DebitBatchRequest& req);
  Result<v1::CaptureBatchReply> CaptureBatch(const v1::CaptureBatchRequest& req);
  Result<v1::RefundBatchReply> RefundBatch(const v1::RefundBatchRequest& req);

  // Administration (smsgw.proto): an unknown account or key is kNotFound, a taken name
  // kConflict, bad input kInvalidArgument.
  Result<v1::AccountRecord> GetAccount(int64_t account_id);
  Result<v1::ListAccountsReply> ListAccounts(const v1::ListAccountsRequest& req);
  Result<v1::AccountRecord> SetStatus(const v1::SetStatusRequest& req);
  Result<v1::AccountRecord> SetPrices(const v1::SetPricesRequest& req);
  Result<v1::AccountRecord> SetWeight(const v1::SetWeightRequest& req);
  Result<v1::AccountRecord> SetRateLimit(const v1::SetRateLimitRequest& req);
  Result<v1::WebhookSecretReply> WebhookSecret(const v1::WebhookSecretRequest& req);
  Result<v1::CreateKeyReply> CreateKey(int64_t account_id);
  Result<v1::ListKeysReply> ListKeys(int64_t account_id);
  Result<v1::RevokeKeyReply> RevokeKey(const std::string& key_id);
  Result<v1::HistoryReply> History(const v1::HistoryRequest& req);
  Result<v1::ReconcileReply> Reconcile(const v1::ReconcileRequest& req);

 private:
  template <typename Req, typename Rep, typename Fn>
  Result<Rep> Call(const char* what, const Req& req, Fn fn);

  std::unique_ptr<v1::Ledger::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

// Blocking client of smsgw-report.
class ReportClient {
 public:
  explicit ReportClient(const std::string& address,
                        std::chrono::milliseconds deadline = std::chrono::milliseconds(3000));
  // kNotFound when the message is not (yet) known for that account.
  Result<v1::MessageRecord> GetMessage(int64_t account_id, const std::string& message_id);
  // The message whichever account it belongs to (administrators: smsctl).
  Result<v1::MessageRecord> GetMessageAnyAccount(const std::string& message_id);
  // kInvalidArgument naming the field ("cursor: ...") for a bad request.
  Result<v1::ListMessagesReply> ListMessages(const v1::ListMessagesRequest& request);
  Result<v1::StatsReply> GetStats(const v1::StatsRequest& request);
  Result<v1::ListWebhooksReply> ListWebhooks(const v1::ListWebhooksRequest& request);
  // Streams an export: each chunk goes to `on_chunk` as it arrives (on the calling thread);
  // returning false cancels the export (the result is then kUnavailable). No deadline: an
  // export lasts as long as its rows take.
  Status ExportMessages(const v1::ExportRequest& request,
                        const std::function<bool(const v1::ExportChunk&)>& on_chunk);

 private:
  std::unique_ptr<v1::Report::Stub> stub_;
  std::chrono::milliseconds deadline_;
};

}  // namespace smsgw::rpc
