#pragma once

#include "ledger/admin.h"
#include "ledger/books.h"
#include "ledger/ledger.h"
#include "ledger/topups.h"
#include "proto/smsgw.grpc.pb.h"

namespace smsgw::ledger {

// The gRPC face of Ledger, TopUps, Admin and Books: converts Status to gRPC status and nothing else.
class LedgerService final : public v1::Ledger::Service {
 public:
  LedgerService(Ledger& ledger, Admin& admin, TopUps& topups, Books& books)
      : ledger_(ledger), admin_(admin), topups_(topups), books_(books) {}

  grpc::Status CreateAccount(grpc::ServerContext*, const v1::CreateAccountRequest* req,
                             v1::CreateAccountReply* reply) override;
  grpc::Status TopUp(grpc::ServerContext*, const v1::TopUpRequest* req, v1::TopUpReply* reply) override;
  grpc::Status GetBalance(grpc::ServerContext*, const v1::GetBalanceRequest* req, v1::BalanceReply* reply) override;
  grpc::Status Debit(grpc::ServerContext*, const v1::DebitRequest* req, v1::DebitReply* reply) override;
  grpc::Status Capture(grpc::ServerContext*, const v1::CaptureRequest* req, v1::CaptureReply* reply) override;
  grpc::Status Refund(grpc::ServerContext*, const v1::RefundRequest* req, v1::RefundReply* reply) override;
  grpc::Status DebitBatch(grpc::ServerContext*, const v1::DebitBatchRequest* req, v1::DebitBatchReply* reply) override;
  grpc::Status CaptureBatch(grpc::ServerContext*, const v1::CaptureBatchRequest* req,
                            v1::CaptureBatchReply* reply) override;
  grpc::Status RefundBatch(grpc::ServerContext*, const v1::RefundBatchRequest* req,
                           v1::RefundBatchReply* reply) override;

  grpc::Status GetAccount(grpc::ServerContext*, const v1::AccountRequest* req, v1::AccountRecord* reply) override;
  grpc::Status ListAccounts(grpc::ServerContext*, const v1::ListAccountsRequest* req,
                            v1::ListAccountsReply* reply) override;
  grpc::Status SetStatus(grpc::ServerContext*, const v1::SetStatusRequest* req, v1::AccountRecord* reply) override;
  grpc::Status SetPrices(grpc::ServerContext*, const v1::SetPricesRequest* req, v1::AccountRecord* reply) override;
  grpc::Status SetWeight(grpc::ServerContext*, const v1::SetWeightRequest* req, v1::AccountRecord* reply) override;
  grpc::Status SetRateLimit(grpc::ServerContext*, const v1::SetRateLimitRequest* req,
                            v1::AccountRecord* reply) override;
  grpc::Status WebhookSecret(grpc::ServerContext*, const v1::WebhookSecretRequest* req,
                             v1::WebhookSecretReply* reply) override;
  grpc::Status CreateKey(grpc::ServerContext*, const v1::CreateKeyRequest* req, v1::CreateKeyReply* reply) override;
  grpc::Status ListKeys(grpc::ServerContext*, const v1::AccountRequest* req, v1::ListKeysReply* reply) override;
  grpc::Status RevokeKey(grpc::ServerContext*, const v1::RevokeKeyRequest* req, v1::RevokeKeyReply* reply) override;
  grpc::Status History(grpc::ServerContext*, const v1::HistoryRequest* req, v1::HistoryReply* reply) override;
  grpc::Status Reconcile(grpc::ServerContext*, const v1::ReconcileRequest* req, v1::ReconcileReply* reply) override;

 private:
  Ledger& ledger_;
  Admin& admin_;
  TopUps& topups_;
  Books& books_;
};

}  // namespace smsgw::ledger
