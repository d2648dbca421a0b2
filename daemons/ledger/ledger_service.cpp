#include "ledger/ledger_service.h"

#include <spdlog/spdlog.h>

#include "rpc/status.h"

namespace smsgw::ledger {
namespace {

template <typename Reply>
grpc::Status Answer(const char* what, Result<Reply> result, Reply* out) {
  if (!result.ok()) {
    if (result.status().code() == ErrorCode::kInternal || result.status().code() == ErrorCode::kUnavailable) {
      spdlog::error("{}: {}", what, result.status().ToString());
    }
    return rpc::ToGrpc(result.status());
  }
  *out = std::move(result).value();
  return grpc::Status::OK;
}

}  // namespace

grpc::Status LedgerService::CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest* req,
                                          v1::CreateAccountReply* reply) {
  return Answer("CreateAccount", admin_.CreateAccount(*req), reply);
}

grpc::Status LedgerService::TopUp(grpc::ServerContext*, const v1::TopUpRequest* req, v1::TopUpReply* reply) {
  return Answer("TopUp", topups_.TopUp(*req), reply);
}

grpc::Status LedgerService::GetBalance(grpc::ServerContext*, const v1::GetBalanceRequest* req,
                                       v1::BalanceReply* reply) {
  return Answer("GetBalance", ledger_.GetBalance(req->account_id()), reply);
}

grpc::Status LedgerService::Debit(grpc::ServerContext*, const v1::DebitRequest* req, v1::DebitReply* reply) {
  return Answer("Debit", ledger_.Debit(*req), reply);
}

grpc::Status LedgerService::Capture(grpc::ServerContext*, const v1::CaptureRequest* req, v1::CaptureReply* reply) {
  return Answer("Capture", ledger_.Capture(*req), reply);
}

grpc::Status LedgerService::Refund(grpc::ServerContext*, const v1::RefundRequest* req, v1::RefundReply* reply) {
  return Answer("Refund", ledger_.Refund(*req), reply);
}

grpc::Status LedgerService::DebitBatch(grpc::ServerContext*, const v1::DebitBatchRequest* req,
                                       v1::DebitBatchReply* reply) {
  return Answer("DebitBatch", ledger_.DebitBatch(*req), reply);
}

grpc::Status LedgerService::CaptureBatch(grpc::ServerContext*, const v1::CaptureBatchRequest* req,
                                         v1::CaptureBatchReply* reply) {
  return Answer("CaptureBatch", ledger_.CaptureBatch(*req), reply);
}

grpc::Status LedgerService::RefundBatch(grpc::ServerContext*, const v1::RefundBatchRequest* req,
                                        v1::RefundBatchReply* reply) {
  return Answer("RefundBatch", ledger_.RefundBatch(*req), reply);
}

grpc::Status LedgerService::GetAccount(grpc::ServerContext*, const v1::AccountRequest* req, v1::AccountRecord* reply) {
  return Answer("GetAccount", admin_.GetAccount(req->account_id()), reply);
}

grpc::Status LedgerService::ListAccounts(grpc::ServerContext*, const v1::ListAccountsRequest* req,
                                         v1::ListAccountsReply* reply) {
  return Answer("ListAccounts", admin_.ListAccounts(*req), reply);
}

grpc::Status LedgerService::SetStatus(grpc::ServerContext*, const v1::SetStatusRequest* req, v1::AccountRecord* reply) {
  return Answer("SetStatus", admin_.SetStatus(*req), reply);
}

grpc::Status LedgerService::SetPrices(grpc::ServerContext*, const v1::SetPricesRequest* req, v1::AccountRecord* reply) {
  return Answer("SetPrices", admin_.SetPrices(*req), reply);
}

grpc::Status LedgerService::SetWeight(grpc::ServerContext*, const v1::SetWeightRequest* req, v1::AccountRecord* reply) {
  return Answer("SetWeight", admin_.SetWeight(*req), reply);
}

grpc::Status LedgerService::SetRateLimit(grpc::ServerContext*, const v1::SetRateLimitRequest* req,
                                         v1::AccountRecord* reply) {
  return Answer("SetRateLimit", admin_.SetRateLimit(*req), reply);
}

grpc::Status LedgerService::WebhookSecret(grpc::ServerContext*, const v1::WebhookSecretRequest* req,
                                          v1::WebhookSecretReply* reply) {
  return Answer("WebhookSecret", admin_.WebhookSecret(*req), reply);
}

grpc::Status LedgerService::CreateKey(grpc::ServerContext*, const v1::CreateKeyRequest* req,
                                      v1::CreateKeyReply* reply) {
  return Answer("CreateKey", admin_.CreateKey(req->account_id()), reply);
}

grpc::Status LedgerService::ListKeys(grpc::ServerContext*, const v1::AccountRequest* req, v1::ListKeysReply* reply) {
  return Answer("ListKeys", admin_.ListKeys(req->account_id()), reply);
}

grpc::Status LedgerService::RevokeKey(grpc::ServerContext*, const v1::RevokeKeyRequest* req,
                                      v1::RevokeKeyReply* reply) {
  return Answer("RevokeKey", admin_.RevokeKey(req->key_id()), reply);
}

grpc::Status LedgerService::History(grpc::ServerContext*, const v1::HistoryRequest* req, v1::HistoryReply* reply) {
  return Answer("History", books_.History(*req), reply);
}

grpc::Status LedgerService::Reconcile(grpc::ServerContext*, const v1::ReconcileRequest* req,
                                      v1::ReconcileReply* reply) {
  return Answer("Reconcile", books_.Reconcile(*req), reply);
}

}  // namespace smsgw::ledger
