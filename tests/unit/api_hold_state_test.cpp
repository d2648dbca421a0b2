// smsgw-api: reading the ledger's hold values, and the status a read shows from the report's
// status and the hold (reviews m3, m4).
#include <gtest/gtest.h>

#include "api/hold_state.h"

namespace smsgw::api {
namespace {

TEST(ApiHoldStateTest, ParsesEveryStateAndRefusesTheRest) {
  EXPECT_EQ(ParseHold("held:10")->state, HoldState::kHeld);
  EXPECT_EQ(ParseHold("held:10")->cost, 10);
  EXPECT_EQ(ParseHold("charged:25")->state, HoldState::kCharged);
  EXPECT_EQ(ParseHold("refunded:0")->state, HoldState::kRefunded);
  EXPECT_EQ(ParseHold("expired:7")->state, HoldState::kExpired);
  EXPECT_EQ(ParseHold("held:10:1796000000000")->cost, 10);  // a held hold carries its expiry
  EXPECT_FALSE(ParseHold("void:0"));  // a refund that came before its debit: no hold
  for (const char* bad : {"", "held", "held:", "held:x", "held:10x", "sent:10", ":10"}) {
    EXPECT_FALSE(ParseHold(bad)) << bad;
  }
}

TEST(ApiHoldStateTest, TheShownStatusIsNeverLowerThanTheHoldImplies) {
  using v1::MessageStatus;
  const Hold held{HoldState::kHeld, 10}, charged{HoldState::kCharged, 10}, refunded{HoldState::kRefunded, 10},
      expired{HoldState::kExpired, 10};
  struct Case {
    MessageStatus reported;
    std::optional<Hold> hold;
    MessageStatus shown;
  };
  const Case cases[] = {
      {v1::STATUS_UNSPECIFIED, std::nullopt, v1::STATUS_UNSPECIFIED},  // unknown to both: 404
      {v1::STATUS_UNSPECIFIED, held, v1::STATUS_ACCEPTED},
      {v1::STATUS_ACCEPTED, held, v1::STATUS_ACCEPTED},
      {v1::STATUS_ACCEPTED, charged, v1::STATUS_SUBMITTED},  // m3: captured, report lagging
      {v1::STATUS_UNSPECIFIED, charged, v1::STATUS_SUBMITTED},
      {v1::STATUS_SUBMITTED, charged, v1::STATUS_SUBMITTED},
      {v1::STATUS_DELIVERED, charged, v1::STATUS_DELIVERED},
      {v1::STATUS_ACCEPTED, refunded, v1::STATUS_CANCELED},  // m4: refunded before sending
      {v1::STATUS_UNSPECIFIED, refunded, v1::STATUS_CANCELED},
      {v1::STATUS_SUBMITTED, refunded, v1::STATUS_FAILED},  // refunded after its last attempt
      {v1::STATUS_UNDELIVERED, refunded, v1::STATUS_UNDELIVERED},  // a final status stays
      {v1::STATUS_ACCEPTED, expired, v1::STATUS_EXPIRED},
      {v1::STATUS_CANCELED, expired, v1::STATUS_CANCELED},
      {v1::STATUS_SUBMITTED, std::nullopt, v1::STATUS_SUBMITTED},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ShownStatus(c.reported, c.hold), c.shown)
        << v1::MessageStatus_Name(c.reported) << " with hold " << (c.hold ? static_cast<int>(c.hold->state) : -1);
  }
}

}  // namespace
}  // namespace smsgw::api
