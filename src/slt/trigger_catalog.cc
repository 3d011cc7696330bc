#include "slt/trigger_catalog.h"

#include <cctype>
#include <vector>

#include "slt/statement_tokens.h"

namespace cleanroom::slt {
namespace {

// Reads tokens in order; names the statement kind in its errors.
class Reader {
 public:
  Reader(std::vector<Token> tokens, const char* statement)
      : tokens_(std::move(tokens)), statement_(statement) {}

  bool AtEnd() const { return pos_ >= tokens_.size(); }
  bool IsWord(std::string_view word, size_t ahead = 0) const {
    size_t p = pos_ + ahead;
    return p < tokens_.size() && tokens_[p].kind == Token::Kind::kWord && tokens_[p].text == word;
  }
  bool IsOther(char c) const {
    return !AtEnd() && tokens_[pos_].kind == Token::Kind::kOther && tokens_[pos_].text[0] == c;
  }
  bool EatWord(std::string_view word) {
    if (!IsWord(word)) return false;
    ++pos_;
    return true;
  }
  Status ExpectWord(std::string_view word) {
    if (EatWord(word)) return Status::OK();
    return Error("expected " + Upper(word));
  }
  // [schema.]name, lower-case (the schema is dropped).
  Result<std::string> Name(const char* what) {
    std::string name;
    for (int part = 0; part < 2; ++part) {
      if (AtEnd() || (tokens_[pos_].kind != Token::Kind::kWord &&
                      tokens_[pos_].kind != Token::Kind::kQuotedName)) {
        return Error(std::string("expected ") + what);
      }
      name = tokens_[pos_++].text;
      if (!IsOther('.')) break;
      ++pos_;
    }
    return name;
  }
  const Token& Next() { return tokens_[pos_++]; }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument(std::string(statement_) + ": " + what + " at token " +
                                   std::to_string(pos_ + 1));
  }

 private:
  static std::string Upper(std::string_view word) {
    std::string out(word);
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const char* statement_;
};

// The first words of `sql`, lower-case (up to `count`).
std::vector<std::string> LeadingWords(std::string_view sql, size_t count) {
  std::vector<std::string> words;
  auto tokens = TokenizeStatement(sql);
  if (!tokens.ok()) return words;
  for (const Token& t : *tokens) {
    if (words.size() == count || t.kind != Token::Kind::kWord) break;
    words.push_back(t.text);
  }
  return words;
}

// Whether the body statements (tokens between BEGIN and END) can have an effect: anything but
// SELECT statements, or a call of RAISE() (which aborts the triggering statement).
Status CheckBodyHasNoEffect(Reader& reader) {
  size_t statements = 0;
  int case_depth = 0;
  bool at_statement_start = true;
  while (true) {
    if (reader.AtEnd()) return reader.Error("the trigger body has no END");
    if (at_statement_start && case_depth == 0 && reader.IsWord("end")) {
      reader.Next();
      break;
    }
    const Token& token = reader.Next();
    if (at_statement_start) {
      at_statement_start = false;
      ++statements;
      if (token.kind != Token::Kind::kWord || token.text != "select") {
        return Status::Unimplemented(
            "a trigger whose body changes data (INSERT / UPDATE / DELETE) is not emulated: "
            "DuckDB has no triggers, and only bodies of SELECT statements have no effect");
      }
    }
    if (token.kind == Token::Kind::kWord) {
      if (token.text == "case") ++case_depth;
      if (token.text == "end" && case_depth > 0) --case_depth;
      if (token.text == "raise" && reader.IsOther('(')) {
        return Status::Unimplemented(
            "a trigger body calling RAISE() is not emulated: DuckDB has no triggers");
      }
    } else if (token.kind == Token::Kind::kOther && token.text == ";" && case_depth == 0) {
      at_statement_start = true;
    }
  }
  if (statements == 0) return reader.Error("the trigger body is empty");
  return Status::OK();
}

}  // namespace

bool TriggerCatalog::IsCreateTrigger(std::string_view sql) {
  auto words = LeadingWords(sql, 3);
  if (words.size() < 2 || words[0] != "create") return false;
  if (words[1] == "trigger") return true;
  return words.size() == 3 && (words[1] == "temp" || words[1] == "temporary") &&
         words[2] == "trigger";
}

bool TriggerCatalog::IsDropTrigger(std::string_view sql) {
  auto words = LeadingWords(sql, 2);
  return words.size() == 2 && words[0] == "drop" && words[1] == "trigger";
}

bool TriggerCatalog::IsDropTable(std::string_view sql) {
  auto words = LeadingWords(sql, 2);
  return words.size() == 2 && words[0] == "drop" && words[1] == "table";
}

Status TriggerCatalog::Create(std::string_view sql,
                              const std::function<bool(const std::string&)>& table_exists) {
  CR_ASSIGN_OR_RETURN(std::vector<Token> tokens, TokenizeStatement(sql));
  Reader reader(std::move(tokens), "CREATE TRIGGER");
  CR_RETURN_IF_ERROR(reader.ExpectWord("create"));
  if (!reader.EatWord("temp")) reader.EatWord("temporary");
  CR_RETURN_IF_ERROR(reader.ExpectWord("trigger"));
  bool if_not_exists = false;
  if (reader.IsWord("if") && reader.IsWord("not", 1) && reader.IsWord("exists", 2)) {
    reader.Next();
    reader.Next();
    reader.Next();
    if_not_exists = true;
  }
  CR_ASSIGN_OR_RETURN(std::string name, reader.Name("a trigger name"));
  if (!reader.EatWord("before") && !reader.EatWord("after") && reader.EatWord("instead")) {
    CR_RETURN_IF_ERROR(reader.ExpectWord("of"));
  }
  if (reader.EatWord("update")) {
    if (reader.EatWord("of")) {
      do {
        CR_ASSIGN_OR_RETURN(std::string column, reader.Name("a column name"));
        (void)column;
      } while (reader.IsOther(',') && (reader.Next(), true));
    }
  } else if (!reader.EatWord("insert") && !reader.EatWord("delete")) {
    return reader.Error("expected DELETE, INSERT or UPDATE");
  }
  CR_RETURN_IF_ERROR(reader.ExpectWord("on"));
  CR_ASSIGN_OR_RETURN(std::string table, reader.Name("a table name"));
  if (reader.EatWord("for")) {
    CR_RETURN_IF_ERROR(reader.ExpectWord("each"));
    CR_RETURN_IF_ERROR(reader.ExpectWord("row"));
  }
  if (reader.EatWord("when")) {
    // The condition only decides whether the body runs; the body has no effect either way.
    while (!reader.AtEnd() && !reader.IsWord("begin")) reader.Next();
  }
  CR_RETURN_IF_ERROR(reader.ExpectWord("begin"));
  CR_RETURN_IF_ERROR(CheckBodyHasNoEffect(reader));
  if (reader.IsOther(';')) reader.Next();
  if (!reader.AtEnd()) return reader.Error("unexpected text after END");
  if (table_of_.count(name) != 0) {
    if (if_not_exists) return Status::OK();
    return Status::AlreadyExists("CREATE TRIGGER: a trigger of that name already exists");
  }
  if (!table_exists(table)) return Status::NotFound("CREATE TRIGGER: no such table");
  table_of_[name] = table;
  return Status::OK();
}

Status TriggerCatalog::Drop(std::string_view sql) {
  CR_ASSIGN_OR_RETURN(std::vector<Token> tokens, TokenizeStatement(sql));
  Reader reader(std::move(tokens), "DROP TRIGGER");
  CR_RETURN_IF_ERROR(reader.ExpectWord("drop"));
  CR_RETURN_IF_ERROR(reader.ExpectWord("trigger"));
  bool if_exists = false;
  if (reader.IsWord("if") && reader.IsWord("exists", 1)) {
    reader.Next();
    reader.Next();
    if_exists = true;
  }
  CR_ASSIGN_OR_RETURN(std::string name, reader.Name("a trigger name"));
  if (reader.IsOther(';')) reader.Next();
  if (!reader.AtEnd()) return reader.Error("unexpected text after the trigger name");
  if (table_of_.erase(name) == 0 && !if_exists) {
    return Status::NotFound("DROP TRIGGER: no such trigger");
  }
  return Status::OK();
}

void TriggerCatalog::DropTableTriggers(std::string_view drop_table_sql) {
  auto tokens = TokenizeStatement(drop_table_sql);
  if (!tokens.ok()) return;
  Reader reader(std::move(tokens).value(), "DROP TABLE");
  if (!reader.EatWord("drop") || !reader.EatWord("table")) return;
  if (reader.IsWord("if") && reader.IsWord("exists", 1)) {
    reader.Next();
    reader.Next();
  }
  auto table = reader.Name("a table name");
  if (!table.ok()) return;
  for (auto it = table_of_.begin(); it != table_of_.end();) {
    it = it->second == *table ? table_of_.erase(it) : std::next(it);
  }
}

}  // namespace cleanroom::slt
