#include "sql/parser/lexer.h"

#include "sql/catalog.h"

namespace cleanroom::sql {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(std::string_view text, const LexerOptions& options) : text_(text), options_(options) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    tokens.reserve(text_.size() / 4 + 2);
    while (true) {
      CR_RETURN_IF_ERROR(SkipSpaceAndComments());
      Token token;
      token.pos = Pos();
      if (i_ >= text_.size()) {
        token.kind = TokenKind::kEnd;
        tokens.push_back(std::move(token));
        return tokens;
      }
      unsigned char c = static_cast<unsigned char>(text_[i_]);
      if ((c == 'x' || c == 'X') && i_ + 1 < text_.size() && text_[i_ + 1] == '\'') {
        // A blob literal x'0A1B': a kString token marked by lower == "x".
        Advance();
        token.kind = TokenKind::kString;
        CR_RETURN_IF_ERROR(ReadQuoted('\'', token, false));
        token.lower = "x";
      } else if (IsIdentStart(c)) {
        size_t start = i_;
        while (i_ < text_.size() && IsIdentChar(static_cast<unsigned char>(text_[i_]))) Advance();
        token.kind = TokenKind::kIdentifier;
        token.text = std::string(text_.substr(start, i_ - start));
        token.lower = ToLowerAscii(token.text);
      } else if (IsDigit(c) || (c == '.' && i_ + 1 < text_.size() &&
                                IsDigit(static_cast<unsigned char>(text_[i_ + 1])))) {
        CR_RETURN_IF_ERROR(ReadNumber(token));
      } else if (c == '\'' || (c == '"' && !options_.double_quote_is_identifier)) {
        token.kind = TokenKind::kString;
        CR_RETURN_IF_ERROR(ReadQuoted(static_cast<char>(c), token, /*backslash_escapes=*/true));
      } else if (c == '`' || c == '"') {
        token.kind = TokenKind::kQuotedIdentifier;
        CR_RETURN_IF_ERROR(ReadQuoted(static_cast<char>(c), token, false));
        token.lower = ToLowerAscii(token.text);
      } else if (c == '[' && options_.double_quote_is_identifier) {
        // SQLite also accepts [name] as a quoted identifier.
        size_t start = ++i_;
        while (i_ < text_.size() && text_[i_] != ']') Advance();
        if (i_ >= text_.size()) return SqlError(text_, token.pos, "unterminated [identifier]");
        token.kind = TokenKind::kQuotedIdentifier;
        token.text = std::string(text_.substr(start, i_ - start));
        token.lower = ToLowerAscii(token.text);
        Advance();
      } else {
        CR_RETURN_IF_ERROR(ReadSymbol(token));
      }
      tokens.push_back(std::move(token));
    }
  }

 private:
  SourcePos Pos() const { return SourcePos{line_, static_cast<int>(i_ - line_start_) + 1, i_}; }
  void Advance() {
    if (text_[i_] == '\n') {
      ++line_;
      line_start_ = i_ + 1;
    }
    ++i_;
  }

  Status SkipSpaceAndComments() {
    while (i_ < text_.size()) {
      char c = text_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        Advance();
      } else if (c == '-' && i_ + 1 < text_.size() && text_[i_ + 1] == '-') {
        while (i_ < text_.size() && text_[i_] != '\n') Advance();
      } else if (c == '/' && i_ + 1 < text_.size() && text_[i_ + 1] == '*') {
        SourcePos start = Pos();
        Advance();
        Advance();
        while (i_ + 1 < text_.size() && !(text_[i_] == '*' && text_[i_ + 1] == '/')) Advance();
        if (i_ + 1 >= text_.size()) return SqlError(text_, start, "unterminated comment");
        Advance();
        Advance();
      } else {
        break;
      }
    }
    return Status::OK();
  }

  Status ReadNumber(Token& token) {
    token.kind = TokenKind::kNumber;
    size_t start = i_;
    while (i_ < text_.size() && IsDigit(static_cast<unsigned char>(text_[i_]))) Advance();
    if (i_ < text_.size() && text_[i_] == '.') {
      Advance();
      while (i_ < text_.size() && IsDigit(static_cast<unsigned char>(text_[i_]))) Advance();
    }
    if (i_ < text_.size() && (text_[i_] == 'e' || text_[i_] == 'E')) {
      size_t save = i_;
      Advance();
      if (i_ < text_.size() && (text_[i_] == '+' || text_[i_] == '-')) Advance();
      if (i_ < text_.size() && IsDigit(static_cast<unsigned char>(text_[i_]))) {
        while (i_ < text_.size() && IsDigit(static_cast<unsigned char>(text_[i_]))) Advance();
      } else {
        i_ = save;  // "1e" followed by a name: the number ends before the e
      }
    }
    // Spark's literal suffixes: 1L 1S 1Y 1.5D 1.5F 1.5BD.
    if (i_ < text_.size()) {
      char s = static_cast<char>(text_[i_] | 0x20);
      size_t len = 0;
      if (s == 'b' && i_ + 1 < text_.size() && (text_[i_ + 1] | 0x20) == 'd') {
        len = 2;
      } else if (s == 'l' || s == 's' || s == 'y' || s == 'd' || s == 'f') {
        len = 1;
      }
      if (len > 0 &&
          (i_ + len >= text_.size() || !IsIdentChar(static_cast<unsigned char>(text_[i_ + len])))) {
        for (size_t k = 0; k < len; ++k) Advance();
      }
    }
    token.text = std::string(text_.substr(start, i_ - start));
    if (i_ < text_.size() && IsIdentStart(static_cast<unsigned char>(text_[i_])) &&
        text_[i_] != 'e' && text_[i_] != 'E') {
      // "12abc" is neither a number nor a name.
      return SqlError(text_, token.pos, "invalid number");
    }
    return Status::OK();
  }

  Status ReadQuoted(char quote, Token& token, bool backslash_escapes) {
    SourcePos start = Pos();
    Advance();
    std::string out;
    while (true) {
      if (i_ >= text_.size()) {
        return SqlError(text_, start,
                        quote == '\'' || token.kind == TokenKind::kString
                            ? "unterminated string literal"
                            : "unterminated quoted identifier");
      }
      char c = text_[i_];
      if (c == quote) {
        if (i_ + 1 < text_.size() && text_[i_ + 1] == quote) {  // doubled quote
          out.push_back(quote);
          Advance();
          Advance();
          continue;
        }
        Advance();
        break;
      }
      if (c == '\\' && backslash_escapes && spark_escapes_ && i_ + 1 < text_.size()) {
        Advance();
        char e = text_[i_];
        switch (e) {
          case 'n':
            out.push_back('\n');
            break;
          case 't':
            out.push_back('\t');
            break;
          case 'r':
            out.push_back('\r');
            break;
          case '0':
            out.push_back('\0');
            break;
          case 'b':
            out.push_back('\b');
            break;
          case 'Z':
            out.push_back('\x1a');
            break;
          // Spark keeps the backslash of \% and \_ so LIKE patterns stay escaped.
          case '%':
            out += "\\%";
            break;
          case '_':
            out += "\\_";
            break;
          default:
            out.push_back(e);
            break;
        }
        Advance();
        continue;
      }
      out.push_back(c);
      Advance();
    }
    token.text = std::move(out);
    return Status::OK();
  }

  Status ReadSymbol(Token& token) {
    token.kind = TokenKind::kSymbol;
    static constexpr std::string_view kThree[] = {"<=>"};
    static constexpr std::string_view kTwo[] = {"<=", ">=", "<>", "!=", "==", "||",
                                                "::", "<<", ">>", "//", "->"};
    std::string_view rest = text_.substr(i_);
    for (std::string_view s : kThree) {
      if (rest.substr(0, 3) == s) return Take(token, 3);
    }
    for (std::string_view s : kTwo) {
      if (rest.substr(0, 2) == s) return Take(token, 2);
    }
    switch (rest[0]) {
      case '(':
      case ')':
      case ',':
      case '.':
      case ';':
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
      case '=':
      case '<':
      case '>':
      case '&':
      case '|':
      case '^':
      case '~':
      case '!':
      case '[':
      case ']':
      case '{':
      case '}':
      case ':':
      case '?':
        return Take(token, 1);
      default:
        return SqlError(text_, token.pos, "unexpected character");
    }
  }
  Status Take(Token& token, size_t n) {
    token.text = std::string(text_.substr(i_, n));
    for (size_t k = 0; k < n; ++k) Advance();
    return Status::OK();
  }

  std::string_view text_;
  LexerOptions options_;
  // Spark reads backslash escapes in string literals; SQL-standard dialects do not.
  bool spark_escapes_ = !options_.double_quote_is_identifier;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text, const LexerOptions& options) {
  return Lexer(text, options).Run();
}

}  // namespace cleanroom::sql
