#include "pg/array.h"

#include <gtest/gtest.h>

namespace smsgw::pg {
namespace {

TEST(ArrayLiteralTest, QuotesTextAndWritesNull) {
  ArrayLiteral a;
  a.AddText("plain");
  a.AddNull();
  a.AddText("with \"quotes\", commas and \\ {braces}");
  a.AddText("");
  EXPECT_EQ(a.Finish(), R"({"plain",NULL,"with \"quotes\", commas and \\ {braces}",""})");
  ArrayLiteral n;
  n.AddInt(-5);
  n.AddInt(9223372036854775807LL);
  EXPECT_EQ(n.Finish(), "{-5,9223372036854775807}");
  EXPECT_EQ(ArrayLiteral().Finish(), "{}");
}

TEST(ArrayLiteralTest, WholeVectorShorthands) {
  EXPECT_EQ(IntArray({1, 2, 3}), "{1,2,3}");
  EXPECT_EQ(TextArray({"a", "b,c"}), R"({"a","b,c"})");
}

}  // namespace
}  // namespace smsgw::pg
