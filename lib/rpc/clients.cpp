#include "rpc/clients.h"

#include "rpc/status.h"

namespace smsgw::rpc {
namespace {

void SetDeadline(grpc::ClientContext& ctx, std::chrono::milliseconds d) {
  ctx.set_deadline(std::chrono::system_clock::now() + d);
}

}  // namespace

LedgerClient::LedgerClient(const std::string& address, std::chrono::milliseconds deadline)
    : stub_(v1::Ledger::NewStub(MakeChannel(address))), deadline_(deadline) {}

template <typename Req, typename Rep, typename Fn>
Result<Rep> LedgerClient::Call(const char* what, const Req& req, Fn fn) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  Rep reply;
  grpc::Status s = (stub_.get()->*fn)(&ctx, req, &reply);
  if (!s.ok()) return FromGrpc(s, what);
  return reply;
}

Result<v1::CreateAccountReply> LedgerClient::CreateAccount(const v1::CreateAccountRequest& req) {
  return Call<v1::CreateAccountRequest, v1::CreateAccountReply>("ledger CreateAccount", req,
                                                                &v1::Ledger::Stub::CreateAccount);
}

Result<v1::TopUpReply> LedgerClient::TopUp(const v1::TopUpRequest& req) {
  return Call<v1::TopUpRequest, v1::TopUpReply>("ledger TopUp", req, &v1::Ledger::Stub::TopUp);
}

Result<v1::BalanceReply> LedgerClient::GetBalance(int64_t account_id) {
  v1::GetBalanceRequest req;
  req.set_account_id(account_id);
  return Call<v1::GetBalanceRequest, v1::BalanceReply>("ledger GetBalance", req, &v1::Ledger::Stub::GetBalance);
}

Result<v1::DebitReply> LedgerClient::Debit(const v1::DebitRequest& req) {
  return Call<v1::DebitRequest, v1::DebitReply>("ledger Debit", req, &v1::Ledger::Stub::Debit);
}

Result<v1::CaptureReply> LedgerClient::Capture(int64_t account_id, const std::string& message_id) {
  v1::CaptureRequest req;
  req.set_account_id(account_id);
  req.set_message_id(message_id);
  return Call<v1::CaptureRequest, v1::CaptureReply>("ledger Capture", req, &v1::Ledger::Stub::Capture);
}

Result<v1::RefundReply> LedgerClient::Refund(int64_t account_id, const std::string& message_id,
                                             const std::string& reason) {
  v1::RefundRequest req;
  req.set_account_id(account_id);
  req.set_message_id(message_id);
  req.set_reason(reason);
  return Call<v1::RefundRequest, v1::RefundReply>("ledger Refund", req, &v1::Ledger::Stub::Refund);
}

namespace {

template <typename Rep, typename Req>
Result<Rep> SameLength(Result<Rep> reply, const Req& req, const char* what) {
  if (reply.ok() && reply->items_size() != req.items_size()) {
    return Status::Internal(std::string(what) + ": " + std::to_string(reply->items_size()) + " replies to " +
                            std::to_string(req.items_size()) + " items");
  }
  return reply;
}

}  // namespace

Result<v1::DebitBatchReply> LedgerClient::DebitBatch(const v1::DebitBatchRequest& req) {
  return SameLength(
      Call<v1::DebitBatchRequest, v1::DebitBatchReply>("ledger DebitBatch", req, &v1::Ledger::Stub::DebitBatch), req,
      "ledger DebitBatch");
}

Result<v1::CaptureBatchReply> LedgerClient::CaptureBatch(const v1::CaptureBatchRequest& req) {
  return SameLength(Call<v1::CaptureBatchRequest, v1::CaptureBatchReply>("ledger CaptureBatch", req,
                                                                        &v1::Ledger::Stub::CaptureBatch),
                    req, "ledger CaptureBatch");
}

Result<v1::RefundBatchReply> LedgerClient::RefundBatch(const v1::RefundBatchRequest& req) {
  return SameLength(
      Call<v1::RefundBatchRequest, v1::RefundBatchReply>("ledger RefundBatch", req, &v1::Ledger::Stub::RefundBatch),
      req, "ledger RefundBatch");
}

namespace {

v1::AccountRequest AccountOf(int64_t account_id) {
  v1::AccountRequest req;
  req.set_account_id(account_id);
  return req;
}

}  // namespace

Result<v1::AccountRecord> LedgerClient::GetAccount(int64_t account_id) {
  return Call<v1::AccountRequest, v1::AccountRecord>("ledger GetAccount", AccountOf(account_id),
                                                     &v1::Ledger::Stub::GetAccount);
}

Result<v1::ListAccountsReply> LedgerClient::ListAccounts(const v1::ListAccountsRequest& req) {
  return Call<v1::ListAccountsRequest, v1::ListAccountsReply>("ledger ListAccounts", req,
                                                              &v1::Ledger::Stub::ListAccounts);
}

Result<v1::AccountRecord> LedgerClient::SetStatus(const v1::SetStatusRequest& req) {
  return Call<v1::SetStatusRequest, v1::AccountRecord>("ledger SetStatus", req, &v1::Ledger::Stub::SetStatus);
}

Result<v1::AccountRecord> LedgerClient::SetPrices(const v1::SetPricesRequest& req) {
  return Call<v1::SetPricesRequest, v1::AccountRecord>("ledger SetPrices", req, &v1::Ledger::Stub::SetPrices);
}

Result<v1::AccountRecord> LedgerClient::SetWeight(const v1::SetWeightRequest& req) {
  return Call<v1::SetWeightRequest, v1::AccountRecord>("ledger SetWeight", req, &v1::Ledger::Stub::SetWeight);
}

Result<v1::AccountRecord> LedgerClient::SetRateLimit(const v1::SetRateLimitRequest& req) {
  return Call<v1::SetRateLimitRequest, v1::AccountRecord>("ledger SetRateLimit", req,
                                                          &v1::Ledger::Stub::SetRateLimit);
}

Result<v1::WebhookSecretReply> LedgerClient::WebhookSecret(const v1::WebhookSecretRequest& req) {
  return Call<v1::WebhookSecretRequest, v1::WebhookSecretReply>("ledger WebhookSecret", req,
                                                                &v1::Ledger::Stub::WebhookSecret);
}

Result<v1::CreateKeyReply> LedgerClient::CreateKey(int64_t account_id) {
  v1::CreateKeyRequest req;
  req.set_account_id(account_id);
  return Call<v1::CreateKeyRequest, v1::CreateKeyReply>("ledger CreateKey", req, &v1::Ledger::Stub::CreateKey);
}

Result<v1::ListKeysReply> LedgerClient::ListKeys(int64_t account_id) {
  return Call<v1::AccountRequest, v1::ListKeysReply>("ledger ListKeys", AccountOf(account_id),
                                                     &v1::Ledger::Stub::ListKeys);
}

Result<v1::RevokeKeyReply> LedgerClient::RevokeKey(const std::string& key_id) {
  v1::RevokeKeyRequest req;
  req.set_key_id(key_id);
  return Call<v1::RevokeKeyRequest, v1::RevokeKeyReply>("ledger RevokeKey", req, &v1::Ledger::Stub::RevokeKey);
}

Result<v1::HistoryReply> LedgerClient::History(const v1::HistoryRequest& req) {
  return Call<v1::HistoryRequest, v1::HistoryReply>("ledger History", req, &v1::Ledger::Stub::History);
}

Result<v1::ReconcileReply> LedgerClient::Reconcile(const v1::ReconcileRequest& req) {
  return Call<v1::ReconcileRequest, v1::ReconcileReply>("ledger Reconcile", req, &v1::Ledger::Stub::Reconcile);
}

ReportClient::ReportClient(const std::string& address, std::chrono::milliseconds deadline)
    : stub_(v1::Report::NewStub(MakeChannel(address))), deadline_(deadline) {}

Result<v1::MessageRecord> ReportClient::GetMessage(int64_t account_id, const std::string& message_id) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  v1::GetMessageRequest req;
  req.set_account_id(account_id);
  req.set_message_id(message_id);
  v1::MessageRecord reply;
  grpc::Status s = stub_->GetMessage(&ctx, req, &reply);
  if (!s.ok()) return FromGrpc(s, "report GetMessage");
  return reply;
}

namespace {

// smsgw-report names the bad field first ("cursor: ..."): that message is the caller's answer
// (a 400's detail, smsctl's error line) as it is, without the call's name in front.
Status ReportStatus(const grpc::Status& status, std::string_view what) {
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) return Status::InvalidArgument(status.error_message());
  return FromGrpc(status, what);
}

}  // namespace

Result<v1::MessageRecord> ReportClient::GetMessageAnyAccount(const std::string& message_id) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  v1::GetMessageRequest req;
  req.set_message_id(message_id);
  req.set_any_account(true);
  v1::MessageRecord reply;
  grpc::Status s = stub_->GetMessage(&ctx, req, &reply);
  if (!s.ok()) return ReportStatus(s, "report GetMessage");
  return reply;
}

Result<v1::ListMessagesReply> ReportClient::ListMessages(const v1::ListMessagesRequest& request) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  v1::ListMessagesReply reply;
  grpc::Status s = stub_->ListMessages(&ctx, request, &reply);
  if (!s.ok()) return ReportStatus(s, "report ListMessages");
  return reply;
}

Result<v1::StatsReply> ReportClient::GetStats(const v1::StatsRequest& request) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  v1::StatsReply reply;
  grpc::Status s = stub_->GetStats(&ctx, request, &reply);
  if (!s.ok()) return ReportStatus(s, "report GetStats");
  return reply;
}

Result<v1::ListWebhooksReply> ReportClient::ListWebhooks(const v1::ListWebhooksRequest& request) {
  grpc::ClientContext ctx;
  SetDeadline(ctx, deadline_);
  v1::ListWebhooksReply reply;
  grpc::Status s = stub_->ListWebhooks(&ctx, request, &reply);
  if (!s.ok()) return ReportStatus(s, "report ListWebhooks");
  return reply;
}

Status ReportClient::ExportMessages(const v1::ExportRequest& request,
                                    const std::function<bool(const v1::ExportChunk&)>& on_chunk) {
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader = stub_->ExportMessages(&ctx, request);
  v1::ExportChunk chunk;
  bool cancelled = false;
  while (reader->Read(&chunk)) {
    if (!on_chunk(chunk)) {
      cancelled = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  if (cancelled) return Status::Unavailable("report ExportMessages: cancelled by the receiver");
  if (!s.ok()) return ReportStatus(s, "report ExportMessages");
  return Status::Ok();
}

}  // namespace smsgw::rpc
