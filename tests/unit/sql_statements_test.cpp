// Every SQL statement smsgw sends is a constant of its source: values only ever travel as
// parameters ($1...), never inside the text (docs/security.md, "SQL"). This reads the C++
// sources of daemons/, lib/ and cmd/ and finds every place SQL text is handed to libpqxx
// (exec*, pg::Exec, prepare, COPY through tablereader/tablewriter/stream_*). The text must be
// string literals or a named constant (kSomething, sql::kSomething); the few exceptions are
// listed below with the reason each is safe. Building SQL with pqxx's quote/esc functions is
// refused outright. A new statement built by concatenation fails this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace smsgw {
namespace {

// (file under the source root, argument text) that may carry SQL text held in a variable.
const std::set<std::pair<std::string, std::string>> kAllowed = {
    // pg::Exec prepares the Query it is given: every Query is a named constant (kSomething).
    {"lib/pg/pg.h", "q.sql"},
    // Migrations are files of lib/pg/migrations compiled into the binary.
    {"lib/pg/migrate.cpp", "m.sql"},
    // DDL (partitions) cannot take parameters: the server formats it with %I and %L from a
    // parametrised query (report sql::kPartitionDdlFor, kDropPartitionDdl) and it is run as is.
    {"daemons/report/writer.cpp", "ddl"},
    // CopyInto's table: its only caller passes sql::kStagingTable.
    {"daemons/report/writer.cpp", "table"},
};

// The source with comments blanked (line breaks kept); string, character and raw string
// literals are kept as they are.
std::string WithoutComments(const std::string& src) {
  std::string out;
  out.reserve(src.size());
  size_t i = 0;
  while (i < src.size()) {
    if (src.compare(i, 2, "R\"") == 0 && (i == 0 || !std::isalnum(static_cast<unsigned char>(src[i - 1])))) {
      const size_t paren = src.find('(', i + 2);
      const std::string close = ")" + src.substr(i + 2, paren - i - 2) + "\"";
      const size_t end = src.find(close, paren);
      const size_t stop = end == std::string::npos ? src.size() : end + close.size();
      out.append(src, i, stop - i);
      i = stop;
    } else if (src[i] == '"' || src[i] == '\'') {
      const char quote = src[i];
      size_t j = i + 1;
      while (j < src.size() && src[j] != quote && src[j] != '\n') j += src[j] == '\\' ? 2 : 1;
      out.append(src, i, std::min(j + 1, src.size()) - i);
      i = j + 1;
    } else if (src.compare(i, 2, "//") == 0) {
      while (i < src.size() && src[i] != '\n') ++i;
    } else if (src.compare(i, 2, "/*") == 0) {
      const size_t end = src.find("*/", i + 2);
      const size_t stop = end == std::string::npos ? src.size() : end + 2;
      for (; i < stop; ++i) out += src[i] == '\n' ? '\n' : ' ';
    } else {
      out += src[i++];
    }
  }
  return out;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// The arguments of the call whose '(' is at `open`, split at top-level commas.
std::vector<std::string> Arguments(const std::string& src, size_t open) {
  std::vector<std::string> args(1);
  int depth = 0;
  for (size_t i = open + 1; i < src.size(); ++i) {
    const char c = src[i];
    if (src.compare(i, 2, "R\"") == 0) {
      const size_t paren = src.find('(', i + 2);
      const std::string close = ")" + src.substr(i + 2, paren - i - 2) + "\"";
      const size_t end = src.find(close, paren) + close.size();
      args.back() += src.substr(i, end - i);
      i = end - 1;
    } else if (c == '"' || c == '\'') {
      size_t j = i + 1;
      while (j < src.size() && src[j] != c) j += src[j] == '\\' ? 2 : 1;
      args.back() += src.substr(i, j - i + 1);
      i = j;
    } else if (c == '(' || c == '{' || c == '[') {
      ++depth;
      args.back() += c;
    } else if (c == ')' || c == '}' || c == ']') {
      if (depth-- == 0) break;
      args.back() += c;
    } else if (c == ',' && depth == 0) {
      args.emplace_back();
    } else {
      args.back() += c;
    }
  }
  for (std::string& a : args) a = Trim(a);
  return args;
}

// Only string literals, one after another ("a" "b", R"SQL(...)SQL"): a constant.
bool IsLiterals(const std::string& arg) {
  static const std::regex kLiterals(R"re(^(\s*("([^"\\]|\\.)*"|R"(\w*)\([\s\S]*?\)\4"))+\s*$)re");
  return std::regex_match(arg, kLiterals);
}

bool IsNamedConstant(const std::string& arg) {
  static const std::regex kConstant(R"(^((sql|pg|smsgw::\w+)::)*k[A-Z][A-Za-z0-9]*$)");
  return std::regex_match(arg, kConstant);
}

struct Finding {
  std::string where;  // "file:line"
  std::string what;
};

// Every place `src` (the file `name`) hands SQL text to libpqxx that is neither literals, a
// named constant, nor listed in kAllowed; and every use of pqxx's quoting functions.
std::vector<Finding> Audit(const std::string& name, const std::string& raw) {
  const std::string src = WithoutComments(raw);
  std::vector<Finding> out;
  auto line_of = [&](size_t pos) { return std::to_string(1 + std::count(src.begin(), src.begin() + pos, '\n')); };
  // (pattern whose last character is the call's '(', index of the SQL argument)
  const std::vector<std::pair<std::regex, size_t>> calls = {
      {std::regex(R"((\.|->)\s*(exec|exec0|exec1|exec_params|exec_params0|exec_params1)\s*\()"), 0},
      {std::regex(R"((\.|->)\s*exec_n\s*\()"), 1},
      {std::regex(R"(\bExec\s*\()"), 1},
      {std::regex(R"((\.|->)\s*prepare\s*\()"), 1},
      {std::regex(R"(\b(tablereader|tablewriter|stream_from|stream_to)\s+\w+\s*[({])"), 1},
  };
  for (const auto& [pattern, index] : calls) {
    for (auto it = std::sregex_iterator(src.begin(), src.end(), pattern); it != std::sregex_iterator(); ++it) {
      const size_t open = static_cast<size_t>(it->position() + it->length() - 1);
      const std::vector<std::string> args = Arguments(src, open);
      if (args.size() <= index) continue;  // another function of that name (Beast's buffer prepare)
      if (args[0].find('&') != std::string::npos) continue;  // a declaration: "pqxx::work& tx"
      const std::string& sql = args[index];
      if (IsLiterals(sql) || IsNamedConstant(sql) || kAllowed.count({name, sql}) > 0) continue;
      out.push_back({name + ":" + line_of(open), "SQL text built at run time: " + sql});
    }
  }
  static const std::regex kQuoting(R"((\.|->)\s*(quote|quote_name|quote_table|esc|esc_raw|esc_like)\s*\()");
  for (auto it = std::sregex_iterator(src.begin(), src.end(), kQuoting); it != std::sregex_iterator(); ++it) {
    out.push_back({name + ":" + line_of(static_cast<size_t>(it->position())),
                   "quotes a value into SQL text: " + it->str()});
  }
  return out;
}

TEST(SqlStatementsTest, TheAuditFindsStatementsBuiltAtRunTime) {
  const std::string bad = R"cpp(
    tx.exec("SELECT * FROM t WHERE id = " + std::to_string(id));
    pqxx::result r = Exec(tx, query, id);
    tx.exec0(text);
    conn->prepare("q", "SELECT " + column);
    pqxx::tablereader copy(tx, "(SELECT 1 WHERE a = " + a + ")");
    tx.exec_params(sql, 1);
    std::string s = "DROP TABLE " + tx.quote_name(name);
  )cpp";
  const std::vector<Finding> found = Audit("x.cpp", bad);
  EXPECT_EQ(found.size(), 7u);
  const std::string good = R"cpp(
    tx.exec1("SELECT coalesce(max(version), 0) FROM schema_migrations");
    Exec(tx, sql::kUpsertMessages);
    pg::Exec(tx, kInsertAccount, name, price)[0][0];
    tx.exec_params("INSERT INTO t VALUES ($1, $2)", a, b);
    pqxx::tablereader copy(tx, kExportCopy);
    buffer_.prepare(4096);
    // tx.exec("SELECT " + in_a_comment);
    tx.exec(R"SQL(SELECT "x" FROM y)SQL");
  )cpp";
  for (const Finding& f : Audit("x.cpp", good)) ADD_FAILURE() << f.where << ": " << f.what;
}

TEST(SqlStatementsTest, EverySqlStatementOfSmsgwIsAConstant) {
  namespace fs = std::filesystem;
  const fs::path root(SMSGW_SOURCE_DIR);
  int files = 0;
  for (const char* dir : {"daemons", "lib", "cmd"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".h")) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      const std::string name = fs::relative(entry.path(), root).generic_string();
      ++files;
      for (const Finding& f : Audit(name, text.str())) ADD_FAILURE() << f.where << ": " << f.what;
    }
  }
  EXPECT_GT(files, 100);  // the tree was found
}

}  // namespace
}  // namespace smsgw
