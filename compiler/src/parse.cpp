// Lexing, parsing and AST building.
//
// The file is read one declaration at a time (DeclReader splits the token stream
// at declaration keywords): each declaration is parsed with SLL + bail-out and,
// only when that fails, again with full LL and error recovery; its AST is built
// by a typed walk over the parse-tree contexts, then its tokens and tree are
// freed. Memory stays bounded by the largest declaration, and a broken
// declaration cannot swallow the next one. No context outlives this file.
// lexFile (for tools) lexes the whole file at once.
#include "mtc/parse.h"

#include <antlr4-runtime.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <optional>

#include "MTreeLexer.h"
#include "MTreeParser.h"

namespace mtc {

// Whether parseFile reads metrics and params with HandParser (below). Tests
// turn it off to compare its ASTs with ANTLR's; declared where they use it.
namespace detail {
bool handParser = true;
}

using grammar::MTreeLexer;
using grammar::MTreeParser;
using L = MTreeLexer;

bool validUtf8(std::string_view s, size_t* bad) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || i + n > s.size()) { if (bad) *bad = i; return false; }
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) { if (bad) *bad = i; return false; }
    if (n == 2 && c < 0xC2) { if (bad) *bad = i; return false; }  // overlong
    uint32_t cp = 0;
    if (n > 1) { size_t j = i; cp = decodeUtf8(s, j); }
    if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      if (bad) *bad = i;
      return false;
    }
    if (c == 0) { if (bad) *bad = i; return false; }  // NUL bytes mean a binary file
    i += n;
  }
  return true;
}

const std::vector<std::string>& keywords() {
  // Keyword tokens are the lexer's literal names that are words: 'metric', 'over', ...
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    antlr4::ANTLRInputStream none("");
    MTreeLexer lexer(&none);
    const antlr4::dfa::Vocabulary& voc = lexer.getVocabulary();
    for (size_t t = 1; t <= voc.getMaxTokenType(); ++t) {
      std::string lit = voc.getLiteralName(t);
      if (lit.size() < 3 || lit.front() != '\'' || lit.back() != '\'') continue;
      std::string w = lit.substr(1, lit.size() - 2);
      if (std::all_of(w.begin(), w.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }))
        v.push_back(w);
    }
    return v;
  }();
  return k;
}

bool isKeyword(std::string_view word) {
  const auto& k = keywords();
  return std::find(k.begin(), k.end(), word) != k.end();
}

const std::vector<std::string>& declarationKeywords() {
  static const std::vector<std::string> k = [] {
    std::vector<std::string> v;
    for (int d = static_cast<int>(ast::DeclKind::Model); d <= static_cast<int>(ast::DeclKind::Recommend); ++d)
      v.emplace_back(ast::declKindName(static_cast<ast::DeclKind>(d)));
    return v;
  }();
  return k;
}

double parseNumberLiteral(std::string_view text, bool* percent) {
  std::string s;
  bool pct = false;
  for (char c : text) {
    if (c == '_') continue;
    if (c == '%') { pct = true; continue; }
    s += c;
  }
  if (percent) *percent = pct;
  if (pct) {
    // Shift the decimal exponent by -2 so 12.3% is the double nearest to 0.123.
    long exp = 0;
    size_t e = s.find_first_of("eE");
    std::string mant = s;
    if (e != std::string::npos) { exp = std::strtol(s.c_str() + e + 1, nullptr, 10); mant = s.substr(0, e); }
    s = mant + "e" + std::to_string(exp - 2);
  }
  return std::strtod(s.c_str(), nullptr);
}

namespace {

// The comparison a token writes (cmpOp), if it is one.
std::optional<ast::BinOp> comparisonOf(size_t tokenType) {
  using ast::BinOp;
  switch (tokenType) {
    case L::LT: return BinOp::Lt;
    case L::LE: return BinOp::Le;
    case L::GT: return BinOp::Gt;
    case L::GE: return BinOp::Ge;
    case L::EQEQ: return BinOp::Eq;
    case L::NEQ: return BinOp::Ne;
    default: return std::nullopt;
  }
}

// The `///` lines directly above the token at index `at` (tokenAt(i) gives the
// token at i < at), joined by line breaks: a blank line or code ends the block.
template <typename TokenAt>
std::string docCommentAbove(size_t at, TokenAt tokenAt) {
  std::vector<std::string> lines;
  int newlines = 0;
  for (size_t i = at; i-- > 0;) {
    const antlr4::Token* t = tokenAt(i);
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) break;
    if (t->getType() == L::NEWLINE) {
      if (++newlines > 1) break;  // a blank line ends the doc block
      continue;
    }
    if (t->getType() == L::WS) continue;
    if (t->getType() != L::DOC_COMMENT) break;
    newlines = 0;
    std::string s = t->getText().substr(3);
    if (!s.empty() && s[0] == ' ') s.erase(0, 1);
    lines.insert(lines.begin(), s);
  }
  std::string out;
  for (auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

TokKind kindOf(size_t type) {
  if (type >= L::MODEL && type <= L::NOT) return TokKind::Keyword;
  switch (type) {
    case L::ID: return TokKind::Ident;
    case L::INT: case L::FLOAT: case L::PERCENT: return TokKind::Number;
    case L::STRING: return TokKind::String;
    case L::DOC_COMMENT: return TokKind::DocComment;
    case L::LINE_COMMENT: case L::BLOCK_COMMENT: return TokKind::Comment;
    case L::NEWLINE: return TokKind::Newline;
    case L::WS: return TokKind::Space;
    case L::UNTERMINATED_STRING: case L::UNTERMINATED_COMMENT: case L::ERROR_CHAR: return TokKind::Error;
    case antlr4::Token::EOF: return TokKind::End;
    default: return TokKind::Punct;
  }
}

// Words that start a top-level declaration (`stage` only starts one inside a chain).
bool isDeclKeyword(size_t type) { return type >= L::MODEL && type <= L::RECOMMEND && type != L::STAGE; }

// The end location of a token that starts at `begin` with `text`.
Loc tokenEnd(Loc begin, std::string_view text) {
  Loc end = begin;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++end.line; end.col = 1; ++i;
    } else if (c == '\r') {
      ++i;
    } else {
      decodeUtf8(text, i);
      ++end.col;
    }
  }
  return end;
}

// ANTLR's own UTF-8 decoding grows its buffer bit by bit (measured: a fifth of
// the page faults of checking a 10,000-metric model). The text is known to be
// valid UTF-8 here: decode it once into a buffer of the right size.
class Utf8InputStream : public antlr4::ANTLRInputStream {
 public:
  explicit Utf8InputStream(std::string_view text) {
    _data.reserve(text.size());  // at most one code point per byte
    for (size_t i = 0; i < text.size();) _data.push_back(decodeUtf8(text, i));
    p = 0;
  }
  const std::u32string& data() const { return _data; }
};

// The lexer of grammar/MTreeLexer.g4, written out by hand: the same tokens
// (type, channel, start and stop indices, line and column) as the generated
// lexer, whose ATN simulation was a fifth of the time of checking a large
// model. The rules, longest match first and the earlier rule on a tie, as
// ANTLR resolves them: keywords over ID; `///` not followed by '/' is a
// DOC_COMMENT, `//` any other LINE_COMMENT; PERCENT over FLOAT over INT. Lines
// count '\n' only, and columns code points, as ANTLR's do. The tokens name
// the generated lexer as their source (for the parser's error recovery).
class HandLexer {
 public:
  HandLexer(Utf8InputStream* in, MTreeLexer* lexer) : in_(in), lexer_(lexer), d_(in->data()) {}

  std::unique_ptr<antlr4::Token> next() {
    const size_t n = d_.size();
    size_t start = i_, line = line_, col = col_;
    if (i_ >= n) return make(antlr4::Token::EOF, n, line, col);
    char32_t c = d_[i_];
    size_t type = 0;
    auto at = [&](size_t k) -> char32_t { return k < n ? d_[k] : 0; };
    auto digit = [](char32_t x) { return x >= '0' && x <= '9'; };
    auto idStart = [](char32_t x) { return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || x == '_'; };
    auto idPart = [&](char32_t x) { return idStart(x) || digit(x); };
    auto toEol = [&](size_t k) { while (k < n && d_[k] != '\n' && d_[k] != '\r') ++k; return k; };
    size_t end = i_ + 1;  // one past the token's last code point
    if (c == ' ' || c == '\t' || c == '\f' || c == 0xA0 || c == 0xFEFF) {
      while (end < n && (d_[end] == ' ' || d_[end] == '\t' || d_[end] == '\f' || d_[end] == 0xA0 || d_[end] == 0xFEFF)) ++end;
      type = L::WS;
    } else if (c == '\n') {
      type = L::NEWLINE;
    } else if (c == '\r') {
      if (at(end) == '\n') ++end;
      type = L::NEWLINE;
    } else if (c == '/' && at(i_ + 1) == '/') {
      type = at(i_ + 2) == '/' && at(i_ + 3) != '/' ? L::DOC_COMMENT : L::LINE_COMMENT;
      end = toEol(i_ + 2);
    } else if (c == '/' && at(i_ + 1) == '*') {
      size_t k = i_ + 2;
      while (k + 1 < n && !(d_[k] == '*' && d_[k + 1] == '/')) ++k;
      if (k + 1 < n) end = k + 2, type = L::BLOCK_COMMENT;
      else end = n, type = L::UNTERMINATED_COMMENT;
    } else if (c == '"') {
      size_t k = i_ + 1;
      while (k < n && d_[k] != '"' && d_[k] != '\r' && d_[k] != '\n') {
        if (d_[k] == '\\') {
          if (k + 1 >= n) break;
          k += 2;
        } else {
          ++k;
        }
      }
      if (k < n && d_[k] == '"') end = k + 1, type = L::STRING;
      else end = k, type = L::UNTERMINATED_STRING;
    } else if (digit(c)) {
      auto digits = [&](size_t k) {  // [0-9]+ ('_' [0-9]+)*, from a digit at k
        while (k < n && digit(d_[k])) ++k;
        while (k + 1 < n && d_[k] == '_' && digit(d_[k + 1])) {
          k += 2;
          while (k < n && digit(d_[k])) ++k;
        }
        return k;
      };
      auto exponent = [&](size_t k) -> size_t {  // [eE] [+-]? [0-9]+, or 0
        if (at(k) != 'e' && at(k) != 'E') return 0;
        ++k;
        if (at(k) == '+' || at(k) == '-') ++k;
        if (!digit(at(k))) return 0;
        while (k < n && digit(d_[k])) ++k;
        return k;
      };
      size_t d = digits(i_);
      size_t frac = at(d) == '.' && digit(at(d + 1)) ? digits(d + 1) : 0;
      size_t mant = frac ? frac : d;
      size_t e = exponent(mant);
      size_t num = e ? e : mant;
      if (at(num) == '%') end = num + 1, type = L::PERCENT;
      else if (frac || e) end = num, type = L::FLOAT;
      else end = d, type = L::INT;
    } else if (idStart(c)) {
      while (end < n && idPart(d_[end])) ++end;
      type = keyword(start, end);
    } else {
      char32_t c1 = at(i_ + 1);
      switch (c) {
        case '<':
          if (c1 == '-' && at(i_ + 2) == '>') end = i_ + 3, type = L::BIARROW;
          else if (c1 == '=') end = i_ + 2, type = L::LE;
          else type = L::LT;
          break;
        case '-': if (c1 == '>') end = i_ + 2, type = L::ARROW; else type = L::MINUS; break;
        case '.': if (c1 == '.') end = i_ + 2, type = L::DOTDOT; else type = L::DOT; break;
        case '>': if (c1 == '=') end = i_ + 2, type = L::GE; else type = L::GT; break;
        case '=': if (c1 == '=') end = i_ + 2, type = L::EQEQ; else type = L::ASSIGN; break;
        case '!': type = c1 == '=' ? (end = i_ + 2, L::NEQ) : L::ERROR_CHAR; break;
        case '+': type = L::PLUS; break;
        case '*': type = L::STAR; break;
        case '/': type = L::SLASH; break;
        case '^': type = L::CARET; break;
        case '~': type = L::TILDE; break;
        case '(': type = L::LPAREN; break;
        case ')': type = L::RPAREN; break;
        case '{': type = L::LBRACE; break;
        case '}': type = L::RBRACE; break;
        case '[': type = L::LBRACK; break;
        case ']': type = L::RBRACK; break;
        case ',': type = L::COMMA; break;
        case ':': type = L::COLON; break;
        default: type = L::ERROR_CHAR; break;
      }
    }
    for (size_t k = start; k < end; ++k) {
      if (d_[k] == '\n') ++line_, col_ = 0;
      else ++col_;
    }
    i_ = end;
    return make(type, start, line, col, end - 1);
  }

 private:
  Utf8InputStream* in_;
  MTreeLexer* lexer_;
  const std::u32string& d_;
  size_t i_ = 0, line_ = 1, col_ = 0;

  std::unique_ptr<antlr4::Token> make(size_t type, size_t start, size_t line, size_t col, size_t stop = SIZE_MAX) {
    if (type == antlr4::Token::EOF) stop = start - 1;
    size_t channel = type == L::DOC_COMMENT || type == L::LINE_COMMENT || type == L::BLOCK_COMMENT || type == L::NEWLINE || type == L::WS
                         ? antlr4::Token::HIDDEN_CHANNEL
                         : antlr4::Token::DEFAULT_CHANNEL;
    auto t = std::make_unique<antlr4::CommonToken>(std::make_pair<antlr4::TokenSource*, antlr4::CharStream*>(lexer_, in_), type, channel,
                                                   start, stop);
    t->setLine(line);
    t->setCharPositionInLine(col);
    return t;
  }

  // The keyword spelled by d_[b, e), or ID.
  size_t keyword(size_t b, size_t e) const {
    static const std::vector<std::pair<std::string, size_t>> words = [] {
      std::vector<std::pair<std::string, size_t>> v;
      antlr4::ANTLRInputStream none("");
      MTreeLexer lexer(&none);
      const antlr4::dfa::Vocabulary& voc = lexer.getVocabulary();
      for (size_t t = L::MODEL; t <= L::NOT; ++t) {
        std::string lit = voc.getLiteralName(t);
        v.emplace_back(lit.substr(1, lit.size() - 2), t);
      }
      return v;
    }();
    size_t len = e - b;
    if (len < 2 || len > 10) return L::ID;
    for (auto& [w, t] : words) {
      if (w.size() != len) continue;
      size_t k = 0;
      while (k < len && static_cast<char32_t>(static_cast<unsigned char>(w[k])) == d_[b + k]) ++k;
      if (k == len) return t;
    }
    return L::ID;
  }
};

struct Lexed {
  std::unique_ptr<Utf8InputStream> input;
  std::unique_ptr<MTreeLexer> lexer;  // the tokens' source; HandLexer makes them
  std::unique_ptr<HandLexer> hand;
  std::vector<std::unique_ptr<antlr4::Token>> tokens;  // all channels, EOF last
  bool ok = true;
};

// The EOF that ends one declaration's token stream stands on the next
// declaration's first word and carries its text (see chunkEnd).
bool isChunkEnd(const antlr4::Token* t) {
  if (t->getType() != antlr4::Token::EOF) return false;
  std::string s = t->getText();
  return !s.empty() && s != "<EOF>";
}

Range tokenRange(FileId file, const antlr4::Token* t) {
  Loc b{file, static_cast<uint32_t>(t->getLine()), static_cast<uint32_t>(t->getCharPositionInLine() + 1)};
  if (t->getType() == antlr4::Token::EOF && !isChunkEnd(t)) return Range{b, Loc{file, b.line, b.col + 1}};
  switch (t->getType()) {
    case L::NEWLINE: case L::BLOCK_COMMENT: case L::UNTERMINATED_COMMENT: return Range{b, tokenEnd(b, t->getText())};
    default: break;
  }
  // Other tokens stay on one line, and the input's indices count code points
  // as columns do: no need to copy the text out.
  size_t start = t->getStartIndex(), stop = t->getStopIndex();
  uint32_t width = stop != SIZE_MAX && stop + 1 >= start ? static_cast<uint32_t>(stop + 1 - start) : 0;
  return Range{b, Loc{file, b.line, b.col + width}};
}

void reportLexError(const SourceFile& file, const antlr4::Token* t, Diagnostics& diags) {
  Range r = tokenRange(file.id(), t);
  switch (t->getType()) {
    case L::UNTERMINATED_STRING:
      diags.report(DiagCode::Syntax, r, "unterminated string").note("a string ends with \" on the same line");
      break;
    case L::UNTERMINATED_COMMENT:
      diags.report(DiagCode::Syntax, Range{r.begin, Loc{r.begin.file, r.begin.line, r.begin.col + 2}},
                   "unterminated block comment");
      break;
    default: {
      std::string text = t->getText();
      diags.report(DiagCode::Syntax, r, fmt::format("unexpected character '{}'", text));
      break;
    }
  }
}

// Checks that the file is UTF-8 text and sets up the lexer over it.
Lexed openLexer(const SourceFile& file, Diagnostics* diags) {
  Lexed lx;
  const std::string& text = file.text();
  size_t bad = 0;
  if (!validUtf8(text, &bad)) {
    if (diags) {
      Loc l = file.locOf(bad);
      diags->report(DiagCode::Encoding, Range::point(l),
                    fmt::format("the file is not UTF-8 text (byte 0x{:02X} at offset {})",
                                static_cast<unsigned>(static_cast<unsigned char>(text[bad])), bad));
    }
    lx.ok = false;
    return lx;
  }
  try {
    lx.input = std::make_unique<Utf8InputStream>(text);
  } catch (const std::exception&) {
    if (diags) diags->report(DiagCode::Encoding, Range::point(Loc{file.id(), 1, 1}), "the file is not UTF-8 text");
    lx.ok = false;
    return lx;
  }
  lx.lexer = std::make_unique<MTreeLexer>(lx.input.get());
  lx.lexer->removeErrorListeners();
  lx.hand = std::make_unique<HandLexer>(lx.input.get(), lx.lexer.get());
  return lx;
}

Lexed lexAll(const SourceFile& file, Diagnostics* diags, const ParseLimits& limits) {
  Lexed lx = openLexer(file, diags);
  if (!lx.ok) return lx;
  while (true) {
    std::unique_ptr<antlr4::Token> t = lx.hand->next();
    bool eof = t->getType() == antlr4::Token::EOF;
    lx.tokens.push_back(std::move(t));
    if (eof) break;
    if (lx.tokens.size() > limits.maxTokens) {
      if (diags)
        diags->report(DiagCode::TooDeep, tokenRange(file.id(), lx.tokens.back().get()),
                      fmt::format("the file has more than {} tokens; mtc stops reading here", limits.maxTokens));
      lx.ok = false;
      return lx;
    }
  }
  return lx;
}

// ------------------------------------------------------------------ syntax errors

std::string describeToken(const antlr4::Token* t) {
  if (!t || (t->getType() == antlr4::Token::EOF && !isChunkEnd(t))) return "end of file";
  std::string s = t->getText();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return "'" + s + "'";
}

std::string describeExpected(const antlr4::misc::IntervalSet& set, const antlr4::dfa::Vocabulary& voc) {
  std::vector<std::string> items;
  auto add = [&](const std::string& s) {
    if (std::find(items.begin(), items.end(), s) == items.end()) items.push_back(s);
  };
  auto has = [&](size_t t) { return set.contains(static_cast<ssize_t>(t)); };
  // property keys may be any word, keywords included: inside a block (where
  // '}' is expected too) they are names, not declaration starts
  bool declStart = has(L::METRIC) && has(L::PARAM) && has(L::DESCRIBE) && !has(L::RBRACE);
  if (declStart) return "a declaration";
  bool name = has(L::ID);
  bool expression = name && has(L::INT) && has(L::LPAREN) && has(L::MINUS);
  if (expression) add("an expression");
  else if (name) add("a name");
  for (ssize_t type : set.toList()) {
    if (type == L::ID) continue;
    if (type >= L::MODEL && type <= L::NOT) {
      if (name) continue;
      if (declStart && type <= L::RECOMMEND) continue;
      add("'" + std::string(voc.getDisplayName(type).substr(1, voc.getDisplayName(type).size() - 2)) + "'");
      continue;
    }
    if (type == -1) { add("end of file"); continue; }
    if (expression && (type == L::INT || type == L::FLOAT || type == L::PERCENT || type == L::STRING ||
                       type == L::LPAREN || type == L::MINUS || type == L::PLUS))
      continue;
    switch (type) {
      case L::INT: case L::FLOAT: case L::PERCENT: add("a number"); break;
      case L::STRING: add("a string"); break;
      default: {
        std::string lit = voc.getLiteralName(type);
        add(lit.empty() ? voc.getDisplayName(type) : lit);
      }
    }
  }
  if (items.empty()) return {};
  if (items.size() > 8) items.resize(8), items.push_back("...");
  if (items.size() == 1) return items[0];
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += (i + 1 == items.size() ? " or " : ", ");
    out += items[i];
  }
  return out;
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(const SourceFile& f, Diagnostics& d) : file_(f), diags_(d) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr e) override {
    ++count_;
    // inside a declaration's rules, or between declarations (stray tokens)?
    if (auto* p = dynamic_cast<antlr4::Parser*>(recognizer))
      if (p->getContext() && !dynamic_cast<MTreeParser::FileContext*>(p->getContext())) inside_ = true;
    if (count_ > 50) return;  // recovery can cascade; the first ones matter
    // An error within three tokens of the previous one is usually a consequence
    // of the parser's recovery: keep quiet about it.
    if (offending && lastIndex_ != SIZE_MAX) {
      size_t idx = offending->getTokenIndex();
      if (idx >= lastIndex_ && significantBetween(recognizer, lastIndex_, idx) < 3) return;
    }
    if (offending) lastIndex_ = offending->getTokenIndex();
    Range r = offending ? tokenRange(file_.id(), offending)
                        : Range::point(Loc{file_.id(), static_cast<uint32_t>(line), static_cast<uint32_t>(col + 1)});
    std::string expected;
    if (auto* p = dynamic_cast<antlr4::Parser*>(recognizer)) {
      try {
        expected = describeExpected(p->getExpectedTokens(), p->getVocabulary());
        // a period starts with a number token, but "a number" would mislead
        auto* ctx = p->getContext();
        if (ctx && ctx->getRuleIndex() == MTreeParser::RulePeriod && expected == "a number")
          expected = "a period (like 2025-07)";
      } catch (...) {
      }
    }
    if (offending && offending->getType() == antlr4::Token::EOF && unclosedBracket(recognizer, offending, r)) return;
    std::string message;
    if (msg.rfind("missing ", 0) == 0 && !expected.empty())
      message = fmt::format("expected {} before {}", expected, describeToken(offending));
    else if (!expected.empty() && msg.rfind("no viable", 0) != 0)
      message = fmt::format("expected {}, found {}", expected, describeToken(offending));
    else
      message = fmt::format("unexpected {}", describeToken(offending));
    Diagnostic& d = diags_.report(DiagCode::Syntax, r, message);
    if (offending && offending->getType() != antlr4::Token::EOF && isDeclKeyword(offending->getType()) &&
        expected.find("a name") != std::string::npos)
      d.note(fmt::format("'{}' starts a declaration; it cannot be a name", offending->getText()));
    if (const antlr4::Token* num = numberBefore(recognizer, offending); num && offending->getType() == L::ID)
      d.note(fmt::format("a quantity in a formula is written in parentheses: ({} {})", num->getText(), offending->getText()));
  }
  size_t count() const { return count_; }

  // The number token right before t on the same line, if any (`a + 3 USD`).
  static const antlr4::Token* numberBefore(antlr4::Recognizer* r, const antlr4::Token* t) {
    auto* p = dynamic_cast<antlr4::Parser*>(r);
    if (!p || !t || t->getTokenIndex() == 0) return nullptr;
    auto* ts = p->getTokenStream();
    for (size_t i = t->getTokenIndex(); i-- > 0;) {
      const antlr4::Token* u = ts->get(i);
      if (u->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
      bool number = u->getType() == L::INT || u->getType() == L::FLOAT || u->getType() == L::PERCENT;
      return number && u->getLine() == t->getLine() ? u : nullptr;
    }
    return nullptr;
  }

  // At the end of a declaration, a bracket left open is the mistake to report
  // (a block missing its '}' would otherwise read "expected a property").
  bool unclosedBracket(antlr4::Recognizer* recognizer, antlr4::Token* end, Range r) {
    auto* p = dynamic_cast<antlr4::Parser*>(recognizer);
    if (!p) return false;
    auto* ts = p->getTokenStream();
    std::vector<antlr4::Token*> open;
    for (size_t i = 0; i < end->getTokenIndex() && i < ts->size(); ++i) {
      antlr4::Token* t = ts->get(i);
      switch (t->getType()) {
        case L::LPAREN: case L::LBRACK: case L::LBRACE: open.push_back(t); break;
        case L::RPAREN: case L::RBRACK: case L::RBRACE: if (!open.empty()) open.pop_back(); break;
        default: break;
      }
    }
    if (open.empty()) return false;
    size_t closer = open.back()->getType() == L::LPAREN ? L::RPAREN : open.back()->getType() == L::LBRACK ? L::RBRACK : L::RBRACE;
    bool expected = false;
    try {
      expected = p->getExpectedTokens().contains(closer);
    } catch (...) {
    }
    if (!expected) return false;
    std::string c = closer == L::RPAREN ? ")" : closer == L::RBRACK ? "]" : "}";
    diags_.report(DiagCode::Syntax, r, fmt::format("expected '{}' before {}", c, describeToken(end)))
        .note(tokenRange(file_.id(), open.back()), fmt::format("this '{}' is not closed", open.back()->getText()));
    return true;
  }
  // Token indices restart with each declaration's token stream.
  void startChunk() {
    lastIndex_ = SIZE_MAX;
    inside_ = false;
  }
  // Whether an error of this declaration's stream was inside a declaration's
  // rules (the declaration is broken), not only in stray tokens between them.
  bool recoveredInsideDeclaration() const { return inside_; }

 private:
  static size_t significantBetween(antlr4::Recognizer* r, size_t a, size_t b) {
    auto* p = dynamic_cast<antlr4::Parser*>(r);
    if (!p) return b - a;
    auto* ts = p->getTokenStream();
    size_t n = 0;
    for (size_t i = a + 1; i <= b && i < ts->size(); ++i)
      if (ts->get(i)->getChannel() == antlr4::Token::DEFAULT_CHANNEL) ++n;
    return n;
  }
  const SourceFile& file_;
  Diagnostics& diags_;
  size_t count_ = 0;
  size_t lastIndex_ = SIZE_MAX;
  bool inside_ = false;
};

// ------------------------------------------------------------------ AST building

// Whether a syntax error (from the parser or the AST builder) was reported
// since diagnostic number `from`. Other errors the builder reports, like a
// second objective in an optimize, leave the declaration to be checked.
bool syntaxErrorSince(const Diagnostics& diags, size_t from) {
  const auto& all = diags.all();
  for (size_t i = from; i < all.size(); ++i)
    if (all[i].id == DiagCode::Syntax || all[i].id == DiagCode::TooDeep) return true;
  return false;
}


// The text of a string literal: its quotes removed, its escapes decoded.
std::string unquote(const std::string& s) {
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 2 < s.size()) {
      char n = s[++i];
      switch (n) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        default: out += n; break;
      }
    } else {
      out += c;
    }
  }
  return out;
}

using P = MTreeParser;
using namespace ast;

class Builder {
 public:
  // `clean`: the tree came from a parse without errors, so its shape is exactly
  // the grammar's and children can be taken by position, without dynamic_cast
  // (which was a sixth of the time of checking a large model).
  Builder(const SourceFile& f, antlr4::CommonTokenStream& ts, Diagnostics& d, const ParseLimits& lim, bool clean)
      : file_(f), tokens_(ts), diags_(d), limits_(lim), clean_(clean) {}

  // A slice map read without the parser (literalParamMap): sliceMap() takes it
  // for the map whose '{' starts at character index `at`.
  void prebuilt(size_t at, std::unique_ptr<SliceMap> m) {
    preAt_ = at;
    pre_ = std::move(m);
  }

  // Appends the declarations of one parse tree to `out`.
  void buildInto(File& out, P::FileContext* ctx, bool recoveredInside) {
    if (!ctx) return;
    for (P::DeclContext* d : ctx->decl()) {
      size_t before = diags_.all().size();
      std::unique_ptr<Decl> decl = buildDecl(d);
      if (decl) {
        // broken: the parser recovered inside it (not merely from stray tokens
        // after it), or building it found a syntax error
        decl->broken = recoveredInside || syntaxErrorSince(diags_, before);
        decl->file = file_.id();
        decl->range = range(d);
        decl->doc = docComment(d->getStart());
        out.decls.push_back(std::move(decl));
      }
    }
  }

 private:
  const SourceFile& file_;
  antlr4::CommonTokenStream& tokens_;
  Diagnostics& diags_;
  const ParseLimits& limits_;
  bool clean_;
  bool depthReported_ = false;
  size_t preAt_ = SIZE_MAX;
  std::unique_ptr<SliceMap> pre_;

  // The only child of c, as T, in a clean tree; nullptr otherwise.
  template <typename T>
  T* sole(antlr4::ParserRuleContext* c) const {
    return clean_ && c->children.size() == 1 ? static_cast<T*>(c->children[0]) : nullptr;
  }

  Range range(const antlr4::Token* t) const { return tokenRange(file_.id(), t); }
  Range range(antlr4::ParserRuleContext* c) const {
    if (!c || !c->getStart()) return {};
    Range b = range(c->getStart());
    const antlr4::Token* stop = c->getStop();
    if (!stop || stop->getTokenIndex() < c->getStart()->getTokenIndex()) return b;
    return Range{b.begin, range(stop).end};
  }
  Range range(antlr4::tree::TerminalNode* n) const { return n ? range(n->getSymbol()) : Range{}; }

  std::string textOf(antlr4::ParserRuleContext* c) const {
    if (!c || !c->getStart() || !c->getStop()) return {};
    return tokens_.getText(c->getStart(), c->getStop());
  }

  // `///` comments directly above a declaration.
  std::string docComment(antlr4::Token* start) {
    if (!start) return {};
    return docCommentAbove(start->getTokenIndex(), [&](size_t i) { return tokens_.get(i); });
  }

  // A rule's text: its token's when it spans one (names and keys), without
  // RuleContext::getText's walk over the tree into a stream.
  static std::string text(antlr4::ParserRuleContext* c) {
    return c->getStart() == c->getStop() ? c->getStart()->getText() : c->getText();
  }

  Ident ident(P::IdentContext* c) {
    if (!c) return {};
    return Ident{text(c), range(c)};
  }

  void setTitle(Decl& d, antlr4::tree::TerminalNode* s) {
    if (!s) return;
    d.title = unquote(s->getText());
    d.titleRange = range(s);
  }

  // ---- units
  void unitExpr(P::UnitExprContext* c, int sign, UnitExpr& out) {
    if (!c) return;
    int op = 1;
    for (auto* child : c->children) {
      if (auto* t = dynamic_cast<antlr4::tree::TerminalNode*>(child)) {
        op = t->getSymbol()->getType() == L::SLASH ? -1 : 1;
        continue;
      }
      auto* f = dynamic_cast<P::UnitFactorContext*>(child);
      if (!f) continue;
      int power = 1;
      // After error recovery `^` may lack its exponent (`m^` then `)`): the last
      // INT is then the base, or there is none.
      auto ints = f->INT();
      if (f->CARET() && !ints.empty() && ints.back()->getSymbol()->getTokenIndex() > f->CARET()->getSymbol()->getTokenIndex()) {
        long p = std::strtol(ints.back()->getText().c_str(), nullptr, 10);
        if (f->MINUS()) p = -p;
        power = static_cast<int>(std::clamp<long>(p, -64, 64));
      }
      if (f->unitExpr()) {
        unitExpr(f->unitExpr(), sign * op * power, out);
      } else if (f->ident()) {
        out.terms.push_back(UnitTerm{text(f->ident()), sign * op * power, range(f)});
      } else if (!f->INT().empty() && f->INT(0)->getText() != "1") {
        diags_.report(DiagCode::Syntax, range(f), "a unit factor is a unit name or 1");
      }
    }
  }
  UnitExpr unitExpr(P::UnitExprContext* c) {
    UnitExpr u;
    if (!c) return u;
    u.range = range(c);
    unitExpr(c, 1, u);
    return u;
  }

  // ---- periods and durations
  PeriodLit period(P::PeriodContext* c) {
    PeriodLit p;
    if (!c) return p;
    p.range = range(c);
    // Tokens must be adjacent: `2025-07`, never `2025 - 07`.
    size_t a = c->getStart()->getTokenIndex(), b = c->getStop() ? c->getStop()->getTokenIndex() : a;
    for (size_t i = a; i <= b && i < tokens_.size(); ++i) {
      antlr4::Token* t = tokens_.get(i);
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) p.spaced = true;
      else p.text += t->getText();
    }
    return p;
  }
  PeriodSpanLit periodSpan(P::PeriodSpanContext* c) {
    PeriodSpanLit s;
    if (!c) return s;
    s.range = range(c);
    auto ps = c->period();
    if (!ps.empty()) s.from = period(ps[0]);
    if (ps.size() > 1) s.to = period(ps[1]);
    return s;
  }
  DurationLit duration(P::DurationContext* c) {
    DurationLit d;
    if (!c) return d;
    d.range = range(c);
    if (c->INT()) d.count = static_cast<long long>(parseNumberLiteral(c->INT()->getText()));
    d.unit = ident(c->ident());
    return d;
  }

  // ---- property blocks
  PropBlock propBlock(P::PropBlockContext* c) {
    PropBlock b;
    if (!c) return b;
    b.present = true;
    b.range = range(c);
    for (P::PropEntryContext* e : c->propEntry()) b.entries.push_back(propEntry(e));
    return b;
  }
  PropEntry propEntry(P::PropEntryContext* e) {
    PropEntry pe;
    pe.key = e->key() ? Ident{text(e->key()), range(e->key())} : Ident{};
    pe.range = range(e);
    if (e->propValue())
      for (P::PropItemContext* it : e->propValue()->propItem()) {
        PropItem item;
        item.range = range(it);
        item.text = textOf(it);
        if (it->duration()) {
          item.kind = PropItem::Kind::Duration;
          item.duration = duration(it->duration());
        } else if (it->periodSpanValue()) {
          item.kind = PropItem::Kind::PeriodSpan;
          auto ps = it->periodSpanValue()->period();
          item.span.range = item.range;
          if (!ps.empty()) item.span.from = period(ps[0]);
          if (ps.size() > 1) item.span.to = period(ps[1]);
        } else {
          item.kind = PropItem::Kind::Expr;
          item.expr = expr(it->expr());
        }
        pe.values.push_back(std::move(item));
      }
    return pe;
  }

  // ---- slice maps and distributions
  std::unique_ptr<SliceMap> sliceMap(P::SliceMapContext* c) {
    if (pre_ && c && c->getStart() && c->getStart()->getStartIndex() == preAt_) return std::move(pre_);
    auto m = std::make_unique<SliceMap>();
    if (!c) return m;
    m->range = range(c);
    for (P::SliceEntryContext* e : c->sliceEntry()) {
      SliceEntry se;
      se.key = e->key() ? Ident{text(e->key()), range(e->key())} : Ident{};
      se.range = range(e);
      if (e->sliceMap()) se.nested = sliceMap(e->sliceMap());
      else se.value = expr(e->expr());
      if (e->distribution()) se.dist = distribution(e->distribution());
      m->entries.push_back(std::move(se));
    }
    return m;
  }
  Distribution distribution(P::DistributionContext* c) {
    Distribution d;
    d.name = ident(c->ident());
    d.range = range(c);
    for (auto* e : c->expr()) d.args.push_back(expr(e));
    return d;
  }

  std::vector<Ident> idents(const std::vector<P::IdentContext*>& v, size_t from = 0) {
    std::vector<Ident> out;
    for (size_t i = from; i < v.size(); ++i) out.push_back(ident(v[i]));
    return out;
  }

  // ---- expressions
  ExprPtr errorExpr(Range r) { return std::make_unique<Expr>(ExprKind::Number, r); }

  ExprPtr binary(BinOp op, ExprPtr l, ExprPtr r) {
    Range rg{l->range.begin, r->range.end};
    auto e = std::make_unique<Expr>(ExprKind::Binary, rg);
    e->binop = op;
    e->lhs = std::move(l);
    e->rhs = std::move(r);
    return e;
  }

  // Left-folds a flat operator chain `a op b op c`.
  template <typename Sub, typename F>
  ExprPtr chain(antlr4::ParserRuleContext* c, F&& sub) {
    ExprPtr acc;
    BinOp op = BinOp::Add;
    size_t operands = 0;
    for (size_t i = 0; i < c->children.size(); ++i) {
      antlr4::tree::ParseTree* child = c->children[i];
      // a clean `a (op b)*` tree alternates operands and operators
      auto* t = clean_ ? (i % 2 ? static_cast<antlr4::tree::TerminalNode*>(child) : nullptr)
                       : dynamic_cast<antlr4::tree::TerminalNode*>(child);
      if (t) {
        switch (t->getSymbol()->getType()) {
          case L::PLUS: op = BinOp::Add; break;
          case L::MINUS: op = BinOp::Sub; break;
          case L::STAR: op = BinOp::Mul; break;
          case L::SLASH: op = BinOp::Div; break;
          case L::AND: op = BinOp::And; break;
          case L::OR: op = BinOp::Or; break;
          default: break;
        }
        continue;
      }
      auto* s = clean_ ? static_cast<Sub*>(child) : dynamic_cast<Sub*>(child);
      if (!s) continue;
      if (++operands > limits_.maxExprDepth) {
        if (!depthReported_)
          diags_.report(DiagCode::TooDeep, range(s),
                        fmt::format("this expression has more than {} operands in one chain", limits_.maxExprDepth));
        depthReported_ = true;
        return acc ? std::move(acc) : errorExpr(range(c));
      }
      ExprPtr e = sub(s);
      acc = acc ? binary(op, std::move(acc), std::move(e)) : std::move(e);
    }
    return acc ? std::move(acc) : errorExpr(range(c));
  }

 public:
  ExprPtr expr(P::ExprContext* c) {
    if (!c) return errorExpr(range(c));
    P::OrExprContext* o = clean_ ? sole<P::OrExprContext>(c) : c->orExpr();
    if (!o) return errorExpr(range(c));
    return chain<P::AndExprContext>(o, [&](P::AndExprContext* a) {
      return chain<P::NotExprContext>(a, [&](P::NotExprContext* n) { return notExpr(n); });
    });
  }

 private:
  ExprPtr notExpr(P::NotExprContext* c) {
    if (auto* cmp = sole<P::CmpExprContext>(c)) {  // the common case: no `not`, no comparison
      if (auto* add = sole<P::AddExprContext>(cmp)) return addExpr(add);
    }
    if (c->NOT()) {
      auto e = std::make_unique<Expr>(ExprKind::Unary, range(c));
      e->unop = UnOp::Not;
      e->lhs = c->notExpr() ? notExpr(c->notExpr()) : errorExpr(range(c));
      return e;
    }
    P::CmpExprContext* cmp = c->cmpExpr();
    if (!cmp) return errorExpr(range(c));
    auto adds = cmp->addExpr();
    if (adds.empty()) return errorExpr(range(c));
    ExprPtr l = addExpr(adds[0]);
    if (adds.size() < 2 || !cmp->cmpOp()) return l;
    BinOp op = comparisonOf(cmp->cmpOp()->getStart()->getType()).value_or(BinOp::Lt);
    return binary(op, std::move(l), addExpr(adds[1]));
  }

 public:
  ExprPtr addExpr(P::AddExprContext* c) {
    return chain<P::MulExprContext>(c, [&](P::MulExprContext* m) {
      return chain<P::UnaryExprContext>(m, [&](P::UnaryExprContext* u) { return unaryExpr(u); });
    });
  }

 private:
  ExprPtr unaryExpr(P::UnaryExprContext* c) {
    if (auto* pw = sole<P::PowExprContext>(c)) {  // the common case: no sign, no power
      if (auto* pf = sole<P::PostfixExprContext>(pw)) return postfix(pf);
    }
    if (c->unaryExpr()) {
      auto e = std::make_unique<Expr>(ExprKind::Unary, range(c));
      e->unop = c->MINUS() ? UnOp::Neg : UnOp::Plus;
      e->lhs = unaryExpr(c->unaryExpr());
      return e;
    }
    P::PowExprContext* p = c->powExpr();
    if (!p || !p->postfixExpr()) return errorExpr(range(c));
    ExprPtr base = postfix(p->postfixExpr());
    if (p->CARET() && p->unaryExpr()) return binary(BinOp::Pow, std::move(base), unaryExpr(p->unaryExpr()));
    return base;
  }

  ExprPtr postfix(P::PostfixExprContext* c) {
    if (auto* pr = sole<P::PrimaryContext>(c)) return primary(pr);
    ExprPtr base = c->primary() ? primary(c->primary()) : errorExpr(range(c));
    if (c->LBRACK()) {
      auto e = std::make_unique<Expr>(ExprKind::Index, range(c));
      e->lhs = std::move(base);
      for (P::SliceSelContext* s : c->sliceSel()) {
        auto ids = s->ident();
        SliceSel sel;
        if (ids.size() == 2) {
          sel.dim = ident(ids[0]);
          sel.value = ident(ids[1]);
        } else if (!ids.empty()) {
          sel.value = ident(ids[0]);
        }
        e->selectors.push_back(std::move(sel));
      }
      return e;
    }
    return base;
  }

  ExprPtr number(P::NumberContext* n, Range r) {
    auto e = std::make_unique<Expr>(ExprKind::Number, r);
    if (!n) return e;
    e->text = n->getText();
    e->number = parseNumberLiteral(e->text, &e->percent);
    checkFinite(*e);
    return e;
  }

  // A literal too large for a double (1e999) is an error, never infinity.
  void checkFinite(const ast::Expr& e) {
    if (std::isfinite(e.number)) return;
    diags_.report(DiagCode::InvalidExpr, e.range, fmt::format("the number {} is out of range", e.text))
        .note("numbers are double precision: at most about 1.8e308 in size");
  }

  ExprPtr primary(P::PrimaryContext* c) {
    Range r = range(c);
    if (clean_) {  // the alternative from the first token; names and numbers are the common case
      switch (c->getStart()->getType()) {
        case L::INT: case L::FLOAT: case L::PERCENT:
          return number(static_cast<P::NumberLitContext*>(c)->number(), r);
        case L::STRING: case L::LPAREN: break;
        default:
          if (c->children.size() == 1) {
            auto e = std::make_unique<Expr>(ExprKind::Name, r);
            auto* q = static_cast<P::QualifiedNameContext*>(c->children[0]);
            for (size_t i = 0; i < q->children.size(); i += 2)
              e->path.push_back(ident(static_cast<P::IdentContext*>(q->children[i])));
            return e;
          }
      }
    }
    if (auto* n = dynamic_cast<P::NumberLitContext*>(c)) return number(n->number(), r);
    if (auto* s = dynamic_cast<P::StringLitContext*>(c)) {
      auto e = std::make_unique<Expr>(ExprKind::String, r);
      e->text = unquote(s->STRING()->getText());
      return e;
    }
    if (auto* q = dynamic_cast<P::QuantityLitContext*>(c)) {
      auto e = number(q->number(), r);
      e->kind = ExprKind::Quantity;
      if (q->MINUS()) e->number = -e->number;
      e->unit = unitExpr(q->unitExpr());
      return e;
    }
    if (auto* p = dynamic_cast<P::ParenExprContext*>(c)) {
      ExprPtr inner = expr(p->expr());
      inner->range = r;  // include the parentheses
      return inner;
    }
    if (auto* call = dynamic_cast<P::CallExprContext*>(c)) {
      auto e = std::make_unique<Expr>(ExprKind::Call, r);
      e->callee = ident(call->ident());
      if (P::CallArgsContext* a = call->callArgs()) {
        for (auto* x : a->expr()) e->args.push_back(expr(x));
        e->over = idents(a->ident());
        if (a->OVER()) e->overRange = Range{range(a->OVER()).begin, range(a).end};
      }
      return e;
    }
    if (auto* n = dynamic_cast<P::NameRefContext*>(c)) {
      auto e = std::make_unique<Expr>(ExprKind::Name, r);
      if (n->qualifiedName()) e->path = idents(n->qualifiedName()->ident());
      return e;
    }
    return errorExpr(r);
  }

  // ---- declarations
  template <typename T>
  std::unique_ptr<T> start(antlr4::ParserRuleContext* c) {
    auto d = std::make_unique<T>();
    d->range = range(c);
    d->keywordRange = range(c->getStart());
    return d;
  }

  std::unique_ptr<Decl> buildDecl(P::DeclContext* d) {
    if (auto* c = d->modelDecl()) {
      auto m = start<ModelDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->importDecl()) {
      auto m = start<ImportDecl>(c);
      if (c->STRING()) { m->path = unquote(c->STRING()->getText()); m->pathRange = range(c->STRING()); }
      return m;
    }
    if (auto* c = d->unitDecl()) {
      auto m = start<UnitDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      if (c->number()) {
        m->factor = parseNumberLiteral(c->number()->getText());
        if (!std::isfinite(*m->factor))
          diags_.report(DiagCode::InvalidExpr, range(c->number()), fmt::format("the number {} is out of range", c->number()->getText()));
        m->base = unitExpr(c->unitExpr());
      }
      return m;
    }
    if (auto* c = d->dimensionDecl()) {
      auto m = start<DimensionDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      for (auto* v : c->dimValue()) {
        DimValueDecl dv{ident(v->ident()), std::nullopt};
        if (v->STRING()) dv.title = unquote(v->STRING()->getText());
        m->values.push_back(dv);
      }
      if (c->FROM()) {
        m->fromSource = true;
        if (c->qualifiedName()) m->from = idents(c->qualifiedName()->ident());
      }
      return m;
    }
    if (auto* c = d->chainDecl()) {
      auto m = start<ChainDecl>(c);
      auto ids = c->ident();
      if (!ids.empty()) m->name = ident(ids[0]);
      if (ids.size() > 1) m->chainKind = ident(ids[1]);
      setTitle(*m, c->STRING());
      for (auto* s : c->stageDecl()) {
        StageDecl sd;
        sd.name = ident(s->ident());
        if (s->STRING()) sd.title = unquote(s->STRING()->getText());
        sd.doc = docComment(s->getStart());
        sd.props = propBlock(s->propBlock());
        sd.range = range(s);
        m->stages.push_back(std::move(sd));
      }
      return m;
    }
    if (auto* c = d->sourceDecl()) {
      auto m = start<SourceDecl>(c);
      auto ids = c->ident();
      if (!ids.empty()) m->name = ident(ids[0]);
      if (ids.size() > 1) m->function = ident(ids[1]);
      for (auto* a : c->sourceArg()) {
        StringArg arg{a->STRING() ? unquote(a->STRING()->getText()) : std::string(), range(a), std::nullopt};
        if (a->ident()) arg.call = ident(a->ident());
        m->args.push_back(std::move(arg));
      }
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->paramDecl()) {
      auto m = start<ParamDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->unit = unitExpr(c->unitExpr());
      if (c->dimsClause()) m->dims = idents(c->dimsClause()->ident());
      if (auto* v = c->paramValue()) {
        if (v->sliceMap()) m->map = sliceMap(v->sliceMap());
        else m->value = expr(v->expr());
      }
      if (c->distribution()) m->dist = distribution(c->distribution());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->metricDecl()) {
      auto m = start<MetricDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->unit = unitExpr(c->unitExpr());
      if (c->dimsClause()) m->dims = idents(c->dimsClause()->ident());
      if (c->expr()) m->formula = expr(c->expr());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->relationDecl()) {
      auto m = start<RelationDecl>(c);
      auto ids = c->ident();
      if (ids.size() > 0) m->from = ident(ids[0]);
      if (ids.size() > 1) m->to = ident(ids[1]);
      if (ids.size() > 2) m->relKind = ident(ids[2]);
      m->bidirectional = c->BIARROW() != nullptr;
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->constraintDecl()) {
      auto m = start<ConstraintDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->expr = expr(c->expr());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->eventDecl()) {
      auto m = start<EventDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->when = periodSpan(c->periodSpan());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->goalDecl()) {
      auto m = start<GoalDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      m->expr = expr(c->expr());
      if (c->period()) m->by = period(c->period());
      m->props = propBlock(c->propBlock());
      return m;
    }
    if (auto* c = d->benchmarkDecl()) {
      auto m = start<BenchmarkDecl>(c);
      m->name = ident(c->ident());
      setTitle(*m, c->STRING());
      if (c->sliceMap()) m->levels = std::move(*sliceMap(c->sliceMap()));
      return m;
    }
    if (auto* c = d->functionDecl()) {
      auto m = start<FunctionDecl>(c);
      auto ids = c->ident();
      if (!ids.empty()) m->name = ident(ids[0]);
      m->params = idents(ids, 1);
      m->body = expr(c->expr());
      return m;
    }
    if (auto* c = d->statement()) return statement(c);
    return nullptr;
  }

  std::unique_ptr<Decl> statement(P::StatementContext* c) {
    if (auto* s = dynamic_cast<P::DescribeStmtContext*>(c)) {
      auto m = start<DescribeStmt>(s);
      if (s->nameList()) m->metrics = idents(s->nameList()->ident());
      if (auto* r = s->describeRange()) {
        auto ps = r->period();
        if (r->FROM()) {
          if (!ps.empty()) m->from = period(ps[0]);
          if (ps.size() > 1) m->to = period(ps[1]);
        } else if (r->TO()) {
          if (!ps.empty()) m->to = period(ps[0]);
        } else if (r->periodSpan()) {
          m->at = periodSpan(r->periodSpan());
        }
      }
      m->props = propBlock(s->propBlock());
      return m;
    }
    if (auto* s = dynamic_cast<P::DiagnoseStmtContext*>(c)) {
      auto m = start<DiagnoseStmt>(s);
      m->name = m->metric = ident(s->ident());
      m->at = period(s->period());
      if (auto* v = s->vsTarget()) {
        m->vsWritten = true;
        m->vsRange = range(v);
        if (v->period()) {
          m->vs = DiagnoseStmt::Vs::Period;
          m->vsPeriod = period(v->period());
        } else {
          std::string words;
          for (auto* i : v->ident()) words += (words.empty() ? "" : " ") + i->getText();
          if (words == "previous") m->vs = DiagnoseStmt::Vs::Previous;
          else if (words == "same period last year") m->vs = DiagnoseStmt::Vs::SameLastYear;
          else
            diags_.report(DiagCode::Syntax, m->vsRange,
                          fmt::format("expected a period, 'previous' or 'same period last year' after 'vs', found '{}'", words));
        }
      }
      m->props = propBlock(s->propBlock());
      m->name = Ident{};
      return m;
    }
    if (auto* s = dynamic_cast<P::ForecastStmtContext*>(c)) {
      auto m = std::make_unique<ForecastStmt>(DeclKind::Forecast);
      m->range = range(s);
      m->keywordRange = range(s->getStart());
      if (s->nameList()) m->metrics = idents(s->nameList()->ident());
      m->horizon = duration(s->duration());
      m->props = propBlock(s->propBlock());
      return m;
    }
    if (auto* s = dynamic_cast<P::SimulateStmtContext*>(c)) {
      auto m = std::make_unique<ForecastStmt>(DeclKind::Simulate);
      m->range = range(s);
      m->keywordRange = range(s->getStart());
      if (s->nameList()) m->metrics = idents(s->nameList()->ident());
      m->horizon = duration(s->duration());
      m->props = propBlock(s->propBlock());
      return m;
    }
    if (auto* s = dynamic_cast<P::SeekStmtContext*>(c)) {
      auto m = start<SeekStmt>(s);
      m->goal = ident(s->ident());
      if (s->nameList()) m->varying = idents(s->nameList()->ident());
      m->props = propBlock(s->propBlock());
      return m;
    }
    if (auto* s = dynamic_cast<P::RecommendStmtContext*>(c)) {
      auto m = start<RecommendStmt>(s);
      m->goal = ident(s->ident());
      m->props = propBlock(s->propBlock());
      return m;
    }
    if (auto* s = dynamic_cast<P::OptimizeStmtContext*>(c)) {
      auto m = start<OptimizeStmt>(s);
      if (s->ident()) m->name = ident(s->ident());
      for (P::OptItemContext* it : s->optItem()) {
        if (auto* o = dynamic_cast<P::ObjectiveItemContext*>(it)) {
          ++m->objectiveCount;
          if (!m->hasObjective) {
            m->hasObjective = true;
            m->maximize = o->MAXIMIZE() != nullptr;
            m->objective = expr(o->expr());
            m->objectiveRange = range(o);
          } else {
            diags_.report(DiagCode::Duplicate, range(o), "an optimize has one objective")
                .note(m->objectiveRange, "the first objective is here");
          }
        } else if (auto* v = dynamic_cast<P::VaryItemContext*>(it)) {
          VaryClause vc;
          vc.integer = v->INTEGER() != nullptr;
          vc.vars = idents(v->ident());
          vc.range = range(v);
          for (P::BoundContext* b : v->bound()) {
            Bound bd;
            switch (b->getStart()->getType()) {
              case L::GE: bd.op = BinOp::Ge; break;
              case L::GT: bd.op = BinOp::Gt; break;
              case L::LE: bd.op = BinOp::Le; break;
              case L::LT: bd.op = BinOp::Lt; break;
              default: bd.op = BinOp::Eq; break;
            }
            bd.value = b->addExpr() ? addExpr(b->addExpr()) : errorExpr(range(b));
            bd.range = range(b);
            vc.bounds.push_back(std::move(bd));
          }
          m->vary.push_back(std::move(vc));
        } else if (auto* st = dynamic_cast<P::SubjectToItemContext*>(it)) {
          for (P::NamedExprContext* ne : st->namedExpr())
            m->subjectTo.push_back(NamedExpr{ident(ne->ident()), expr(ne->expr()), range(ne)});
        } else if (auto* pp = dynamic_cast<P::OptPropItemContext*>(it)) {
          if (pp->propEntry()) m->props.entries.push_back(propEntry(pp->propEntry()));
          m->props.present = true;
        }
      }
      return m;
    }
    return nullptr;
  }
};

// Nesting that the recursive-descent parser turns into stack depth: brackets and
// right-recursive operators (^ and prefix -, +, not). Checked before parsing so
// that `((((...))))` ten thousand deep is an error, not a stack overflow.
bool checkNesting(const SourceFile& file, const std::vector<antlr4::Token*>& toks, Diagnostics& diags,
                  const ParseLimits& limits) {
  std::vector<size_t> chain{0};
  size_t total = 0;
  size_t prev = L::LBRACE;  // start: anything that allows a prefix operator
  auto prefixPosition = [](size_t t) {
    return !(t == L::ID || t == L::INT || t == L::FLOAT || t == L::PERCENT || t == L::STRING ||
             t == L::RPAREN || t == L::RBRACK || t == L::RBRACE || (t >= L::MODEL && t <= L::NOT && t != L::NOT));
  };
  for (antlr4::Token* t : toks) {
    size_t type = t->getType();
    bool grow = false;
    switch (type) {
      case L::LPAREN: case L::LBRACK: case L::LBRACE:
        chain.push_back(0);
        ++total;
        grow = true;
        break;
      case L::RPAREN: case L::RBRACK: case L::RBRACE:
        if (chain.size() > 1) { total -= chain.back() + 1; chain.pop_back(); }
        break;
      case L::CARET: ++chain.back(); ++total; grow = true; break;
      case L::MINUS: case L::PLUS: case L::NOT:
        if (prefixPosition(prev)) { ++chain.back(); ++total; grow = true; }
        else { total -= chain.back(); chain.back() = 0; }
        break;
      case L::STAR: case L::SLASH: case L::COMMA: case L::COLON: case L::LT: case L::LE: case L::GT:
      case L::GE: case L::EQEQ: case L::NEQ: case L::AND: case L::OR: case L::ASSIGN:
        total -= chain.back();
        chain.back() = 0;
        break;
      default: break;
    }
    prev = type;
    if (grow && total > limits.maxNesting) {
      diags.report(DiagCode::TooDeep, tokenRange(file.id(), t),
                   fmt::format("nested more than {} levels deep here", limits.maxNesting))
          .note("mtc limits nesting of brackets and of ^ or prefix operators to keep parsing safe");
      return false;
    }
  }
  return true;
}

// ------------------------------------------------------------------ declarations one by one

// The end of one declaration's token stream: an EOF token placed on the next
// declaration's first word and carrying its text, so a message about an
// unfinished declaration reads "found 'metric'" at the right place.
std::unique_ptr<antlr4::Token> chunkEnd(const Lexed& lx, const antlr4::Token& next) {
  auto t = std::make_unique<antlr4::CommonToken>(
      std::make_pair<antlr4::TokenSource*, antlr4::CharStream*>(lx.lexer.get(), lx.input.get()), antlr4::Token::EOF,
      antlr4::Token::DEFAULT_CHANNEL, next.getStartIndex(), next.getStopIndex());
  t->setLine(next.getLine());
  t->setCharPositionInLine(next.getCharPositionInLine());
  t->setText(next.getText());
  return t;
}

// Reads the lexer's tokens one declaration at a time, so that only one
// declaration's tokens and parse tree are alive at once.
//
// A declaration starts at a declaration keyword not followed by ':' (as a
// property key would be) that is outside any bracket or first on its line.
// Inside valid text those words can only start declarations, so the split is
// exact; in broken text, the line rule resynchronises after an unclosed bracket
// or an unfinished formula. The comments and blank lines before a declaration
// belong to it (its `///` doc comment stays in reach).
class DeclReader {
 public:
  DeclReader(Lexed& lx, const SourceFile& file, Diagnostics& diags, const ParseLimits& limits)
      : lx_(lx), file_(file), diags_(diags), limits_(limits) {}

  // The next declaration's tokens, hidden ones included, ending with an EOF
  // token; lexErrors tells whether a lexical error was dropped from them.
  // False at the end of the file, or when it has too many tokens.
  bool next(std::vector<std::unique_ptr<antlr4::Token>>& out, bool& lexErrors) {
    out.clear();
    lexErrors = false;
    if (done_) return false;
    while (true) {
      std::unique_ptr<antlr4::Token> t = take();
      if (!t) return false;
      if (kindOf(t->getType()) == TokKind::Error) {  // reported and dropped
        reportLexError(file_, t.get(), diags_);
        lexErrors = true;
        continue;
      }
      size_t type = t->getType();
      if (type == antlr4::Token::EOF) {
        cur_.push_back(std::move(t));
        out = std::move(cur_);
        done_ = true;
        return true;
      }
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) {
        cur_.push_back(std::move(t));
        continue;
      }
      if (lastSig_ != SIZE_MAX && isDeclKeyword(type) && startsDeclaration(*t)) {
        // cur_ up to its last significant token is the finished declaration
        out.assign(std::make_move_iterator(cur_.begin()), std::make_move_iterator(cur_.begin() + lastSig_ + 1));
        out.push_back(chunkEnd(lx_, *t));
        std::vector<std::unique_ptr<antlr4::Token>> rest(std::make_move_iterator(cur_.begin() + lastSig_ + 1),
                                                         std::make_move_iterator(cur_.end()));
        cur_ = std::move(rest);
        depth_ = 0;
        push(std::move(t));
        return true;
      }
      switch (type) {
        case L::LPAREN: case L::LBRACK: case L::LBRACE: ++depth_; break;
        case L::RPAREN: case L::RBRACK: case L::RBRACE: if (depth_ > 0) --depth_; break;
        default: break;
      }
      push(std::move(t));
    }
  }

 private:
  Lexed& lx_;
  const SourceFile& file_;
  Diagnostics& diags_;
  const ParseLimits& limits_;
  std::vector<std::unique_ptr<antlr4::Token>> cur_;  // the declaration being read
  std::deque<std::unique_ptr<antlr4::Token>> ahead_;  // read from the lexer to look ahead
  size_t lastSig_ = SIZE_MAX;                         // index in cur_ of its last significant token
  size_t prevLine_ = 0;                               // line of the previous significant token
  size_t lastType_ = 0;                               // its type
  size_t depth_ = 0;                                  // open brackets
  size_t count_ = 0;
  bool done_ = false;

  void push(std::unique_ptr<antlr4::Token> t) {
    prevLine_ = t->getLine();
    lastType_ = t->getType();
    lastSig_ = cur_.size();
    cur_.push_back(std::move(t));
  }

  std::unique_ptr<antlr4::Token> pull() {
    std::unique_ptr<antlr4::Token> t = lx_.hand->next();
    if (++count_ > limits_.maxTokens && t->getType() != antlr4::Token::EOF) {
      diags_.report(DiagCode::TooDeep, tokenRange(file_.id(), t.get()),
                    fmt::format("the file has more than {} tokens; mtc stops reading here", limits_.maxTokens));
      done_ = true;
      return nullptr;
    }
    return t;
  }
  std::unique_ptr<antlr4::Token> take() {
    if (done_) return nullptr;
    if (!ahead_.empty()) {
      auto t = std::move(ahead_.front());
      ahead_.pop_front();
      return t;
    }
    return pull();
  }

  bool startsDeclaration(const antlr4::Token& t) {
    // the next significant token: ':' makes t a property key
    bool keyed = false;
    for (size_t i = 0;; ++i) {
      if (i == ahead_.size()) {
        auto n = pull();
        if (!n) break;
        ahead_.push_back(std::move(n));
      }
      const antlr4::Token& n = *ahead_[i];
      if (n.getType() == antlr4::Token::EOF) break;
      if (n.getChannel() != antlr4::Token::DEFAULT_CHANNEL || kindOf(n.getType()) == TokKind::Error) continue;
      keyed = n.getType() == L::COLON;
      break;
    }
    if (keyed) return false;
    if (t.getLine() != prevLine_) return true;
    // mid-line: only after a token that can end a declaration (in `describe
    // metric` the keyword is a misused name, not a new declaration)
    return depth_ == 0 && canEnd(lastType_);
  }
  static bool canEnd(size_t type) {
    switch (type) {
      case L::ID: case L::INT: case L::FLOAT: case L::PERCENT: case L::STRING:
      case L::RPAREN: case L::RBRACK: case L::RBRACE: return true;
      default: return type >= L::MODEL && type <= L::NOT && !isDeclKeyword(type);  // soft keywords name things
    }
  }
};

// Names a declaration with a syntax error declares, read from its tokens: the
// word after its keyword, and for a chain or a dimension every word in it (its
// stages, its values). The checker does not report them as unknown elsewhere.
void brokenNames(const SourceFile& file, antlr4::CommonTokenStream& tokens, std::vector<ast::Ident>& out) {
  std::vector<antlr4::Token*> sig;
  for (size_t i = 0; i < tokens.size(); ++i) {
    antlr4::Token* t = tokens.get(i);
    if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL && t->getType() != antlr4::Token::EOF) sig.push_back(t);
  }
  if (sig.size() < 2) return;
  switch (sig[0]->getType()) {
    case L::UNIT: case L::DIMENSION: case L::CHAIN: case L::SOURCE: case L::PARAM: case L::METRIC:
    case L::CONSTRAINT: case L::EVENT: case L::GOAL: case L::BENCHMARK: case L::FUNCTION: case L::OPTIMIZE: break;
    default: return;  // statements and relations declare no names
  }
  auto nameLike = [](size_t type) { return type == L::ID || (type >= L::MODEL && type <= L::NOT && !isDeclKeyword(type)); };
  bool all = sig[0]->getType() == L::CHAIN || sig[0]->getType() == L::DIMENSION;
  for (size_t i = 1; i < sig.size(); ++i) {
    if (!all && i > 1) break;
    if (nameLike(sig[i]->getType())) out.push_back(ast::Ident{sig[i]->getText(), tokenRange(file.id(), sig[i])});
  }
}

// A param's value written as a map of plain numbers (`{ g1: { a: 3, b: 4 }, ...}`,
// the bulk of a large LP's data), read without the parser: through ANTLR every
// number is a dozen rule levels (expr, orExpr, ... primary, number), which took
// most of the time of parsing such a model. When the declaration is `param ...
// = {` and the map holds only keys, ':', numbers, ',' and nested maps, returns
// the map (the AST the builder would make of it: the same ranges, texts and
// values) and sets `reduced` to copies of the declaration's tokens with the
// map's inside left out (its '{' and '}' kept: the parser sees an empty map,
// which the builder replaces by this one, found by its '{' at `at`). Returns
// nullptr otherwise; then the declaration is parsed as usual.
class LiteralMapReader {
 public:
  LiteralMapReader(const SourceFile& f, const std::vector<antlr4::Token*>& sig) : file_(f), sig_(sig) {}
  std::unique_ptr<ast::SliceMap> map(size_t& i) {
    auto m = std::make_unique<ast::SliceMap>();
    const antlr4::Token* open = sig_[i++];
    while (sig_[i]->getType() != L::RBRACE) {
      const antlr4::Token* k = sig_[i];
      size_t kt = k->getType();
      if (!(kt == L::ID || (kt >= L::MODEL && kt <= L::NOT)) || sig_[i + 1]->getType() != L::COLON) return nullptr;
      i += 2;
      ast::SliceEntry se;
      Range kr = tokenRange(file_.id(), k);
      se.key = ast::Ident{k->getText(), kr};
      size_t vt = sig_[i]->getType();
      if (vt == L::LBRACE) {
        se.nested = map(i);
        if (!se.nested) return nullptr;
        se.range = Range{kr.begin, se.nested->range.end};
      } else if (vt == L::INT || vt == L::FLOAT || vt == L::PERCENT) {
        const antlr4::Token* n = sig_[i++];
        Range r = tokenRange(file_.id(), n);
        auto e = std::make_unique<ast::Expr>(ast::ExprKind::Number, r);
        e->text = n->getText();
        e->number = parseNumberLiteral(e->text, &e->percent);
        if (!std::isfinite(e->number)) return nullptr;  // out of range: the parser's path reports it
        se.value = std::move(e);
        se.range = Range{kr.begin, r.end};
      } else {
        return nullptr;
      }
      m->entries.push_back(std::move(se));
      if (sig_[i]->getType() == L::COMMA) ++i;
      else if (sig_[i]->getType() != L::RBRACE) return nullptr;
    }
    m->range = Range{tokenRange(file_.id(), open).begin, tokenRange(file_.id(), sig_[i]).end};
    ++i;
    return m;
  }

 private:
  const SourceFile& file_;
  const std::vector<antlr4::Token*>& sig_;
};

std::unique_ptr<ast::SliceMap> literalParamMap(const SourceFile& file, const std::vector<std::unique_ptr<antlr4::Token>>& toks,
                                               const std::vector<antlr4::Token*>& sig,
                                               std::vector<std::unique_ptr<antlr4::Token>>& reduced, size_t& at) {
  if (sig.size() < 4 || sig[0]->getType() != L::PARAM) return nullptr;
  size_t i = 1, depth = 0;
  for (; i + 1 < sig.size(); ++i) {
    size_t t = sig[i]->getType();
    if (t == L::LPAREN || t == L::LBRACK || t == L::LBRACE) ++depth;
    else if ((t == L::RPAREN || t == L::RBRACK || t == L::RBRACE) && depth) --depth;
    else if (t == L::ASSIGN && depth == 0) break;
  }
  if (i + 1 >= sig.size() || sig[i + 1]->getType() != L::LBRACE) return nullptr;
  size_t open = i + 1, pos = open;
  auto m = LiteralMapReader(file, sig).map(pos);
  if (!m || m->entries.empty()) return nullptr;
  const antlr4::Token* first = sig[open];
  const antlr4::Token* last = sig[pos - 1];
  reduced.clear();
  bool inside = false;
  for (auto& t : toks) {
    if (t.get() == last) inside = false;
    if (!inside) reduced.push_back(std::make_unique<antlr4::CommonToken>(t.get()));
    if (t.get() == first) inside = true;
  }
  at = first->getStartIndex();
  return m;
}

// The declarations that make up most of a large model (metrics and params),
// parsed by hand straight into their AST: through ANTLR every operand of a
// formula is a dozen rule levels (enterRule, exitRule, a context each, the
// builder's walk over them), which was most of the time of checking a
// 10,000-metric model. The grammar's rules are followed one for one and the
// AST is the one Builder makes of the same text (ranges, texts, values), but
// only for text that is plainly valid: at anything else (a syntax error, a
// number out of range, `not`, a keyword used as a name in a formula, the rare
// forms where the grammar needs more than one token of look-ahead) decl()
// returns nullptr without reporting, and the declaration goes through ANTLR
// and Builder as before, which report what is wrong. So the diagnostics are
// ANTLR's, and the accepted text has one derivation in the grammar: the parse
// cannot differ from ANTLR's. tests/unit/parse_test.cpp compares the two ASTs
// on every .mtree file of the repository.
class HandParser {
 public:
  HandParser(const SourceFile& f, const std::vector<std::unique_ptr<antlr4::Token>>& toks, const ParseLimits& lim)
      : file_(f), toks_(toks), limits_(lim) {
    sig_.reserve(toks.size());
    for (size_t i = 0; i < toks.size(); ++i)
      if (toks[i]->getChannel() == antlr4::Token::DEFAULT_CHANNEL) sig_.push_back(toks[i].get()), pos_.push_back(i);
  }

  // The declaration, or nullptr: parse it with ANTLR.
  std::unique_ptr<Decl> decl() {
    if (sig_.size() < 2) return nullptr;
    try {
      std::unique_ptr<Decl> d;
      switch (type(0)) {
        case L::METRIC: d = metric(); break;
        case L::PARAM: d = param(); break;
        default: return nullptr;
      }
      if (type(0) != antlr4::Token::EOF) return nullptr;  // more than one declaration: ANTLR's file rule
      d->file = file_.id();
      d->range = span(0, p_ - 1);
      d->doc = docComment();
      return d;
    } catch (const Bail&) {
      return nullptr;
    }
  }

 private:
  struct Bail {};
  const SourceFile& file_;
  const std::vector<std::unique_ptr<antlr4::Token>>& toks_;
  const ParseLimits& limits_;
  std::vector<antlr4::Token*> sig_;  // the significant tokens, the chunk's EOF last
  std::vector<size_t> pos_;          // their indices in toks_
  size_t p_ = 0;                     // the next significant token

  [[noreturn]] static void bail() { throw Bail{}; }
  // The type of the k-th token from here (EOF past the end).
  size_t type(size_t k) const { return p_ + k < sig_.size() ? sig_[p_ + k]->getType() : antlr4::Token::EOF; }
  antlr4::Token* take() {
    if (p_ >= sig_.size() || sig_[p_]->getType() == antlr4::Token::EOF) bail();
    return sig_[p_++];
  }
  antlr4::Token* expect(size_t t) {
    if (type(0) != t) bail();
    return take();
  }
  bool accept(size_t t) {
    if (type(0) != t) return false;
    ++p_;
    return true;
  }
  Range range(const antlr4::Token* t) const { return tokenRange(file_.id(), t); }
  // The range of the significant tokens a..b, as Builder::range of a rule.
  Range span(size_t a, size_t b) const { return Range{range(sig_[a]).begin, range(sig_[b]).end}; }
  Range since(size_t a) const { return span(a, p_ - 1); }

  // grammar rule `ident` (soft keywords name things) and `key` (any word)
  static bool isIdent(size_t t) { return t == L::ID || t == L::STAGE || (t >= L::MAXIMIZE && t <= L::NOT); }
  static bool isKey(size_t t) { return t == L::ID || (t >= L::MODEL && t <= L::NOT); }
  static bool isNumber(size_t t) { return t == L::INT || t == L::FLOAT || t == L::PERCENT; }
  Ident ident() {
    if (!isIdent(type(0))) bail();
    antlr4::Token* t = take();
    return Ident{t->getText(), range(t)};
  }
  Ident key() {
    if (!isKey(type(0))) bail();
    antlr4::Token* t = take();
    return Ident{t->getText(), range(t)};
  }
  std::vector<Ident> identList() {  // ident (COMMA ident)*
    std::vector<Ident> v;
    v.push_back(ident());
    while (accept(L::COMMA)) v.push_back(ident());
    return v;
  }

  // Builder::docComment, over this declaration's tokens
  std::string docComment() const {
    return docCommentAbove(pos_[0], [&](size_t i) { return toks_[i].get(); });
  }
  // the text of significant tokens a..b and everything between them
  std::string textOf(size_t a, size_t b) const {
    std::string s;
    for (size_t i = pos_[a]; i <= pos_[b]; ++i) s += toks_[i]->getText();
    return s;
  }

  // ---- declarations
  template <typename T>
  std::unique_ptr<T> start() {
    auto d = std::make_unique<T>();
    d->keywordRange = range(take());
    d->name = ident();
    if (type(0) == L::STRING) {
      antlr4::Token* s = take();
      d->title = unquote(s->getText());
      d->titleRange = range(s);
    }
    expect(L::COLON);
    d->unit = unitExpr();
    if (accept(L::BY)) d->dims = identList();
    return d;
  }
  // METRIC ident STRING? COLON unitExpr dimsClause? (ASSIGN expr)? propBlock?
  std::unique_ptr<Decl> metric() {
    auto m = start<MetricDecl>();
    if (accept(L::ASSIGN)) m->formula = expr();
    if (type(0) == L::LBRACE) m->props = propBlock();
    return m;
  }
  // PARAM ident STRING? COLON unitExpr dimsClause? ASSIGN paramValue (TILDE distribution)? propBlock?
  std::unique_ptr<Decl> param() {
    auto m = start<ParamDecl>();
    expect(L::ASSIGN);
    if (type(0) == L::LBRACE) m->map = sliceMap();
    else m->value = expr();
    if (accept(L::TILDE)) m->dist = distribution();
    if (type(0) == L::LBRACE) m->props = propBlock();
    return m;
  }

  // ---- units: unitFactor ((STAR | SLASH) unitFactor)*, as Builder::unitExpr
  UnitExpr unitExpr() {
    UnitExpr u;
    size_t a = p_;
    unitTerms(1, u);
    u.range = since(a);
    return u;
  }
  void unitTerms(int sign, UnitExpr& out) {
    int op = 1;
    while (true) {
      // (ident | INT | LPAREN unitExpr RPAREN) (CARET MINUS? INT)?
      size_t a = p_;
      size_t t = type(0);
      UnitExpr inner;
      Ident name;
      if (isIdent(t)) {
        name = ident();
      } else if (t == L::INT) {
        if (take()->getText() != "1") bail();  // Builder reports it
      } else if (t == L::LPAREN) {
        take();
        unitTerms(1, inner);
        expect(L::RPAREN);
      } else {
        bail();
      }
      int power = 1;
      if (accept(L::CARET)) {
        bool minus = accept(L::MINUS);
        long pw = std::strtol(expect(L::INT)->getText().c_str(), nullptr, 10);
        if (minus) pw = -pw;
        power = static_cast<int>(std::clamp<long>(pw, -64, 64));
      }
      int f = sign * op * power;
      if (t == L::LPAREN) {
        for (UnitTerm& u : inner.terms) out.terms.push_back(UnitTerm{std::move(u.name), f * u.power, u.range});
      } else if (t != L::INT) {
        out.terms.push_back(UnitTerm{std::move(name.name), f, since(a)});
      }
      if (type(0) == L::STAR) op = 1;
      else if (type(0) == L::SLASH) op = -1;
      else return;
      take();
    }
  }

  // ---- periods and durations, as Builder::period and Builder::duration
  // period : INT (MINUS (INT | ID) (MINUS INT)?)? ; the end of the one at k
  size_t periodEnd(size_t k) const {
    if (type(k) != L::INT) return 0;
    ++k;
    if (type(k) == L::MINUS && (type(k + 1) == L::INT || type(k + 1) == L::ID)) {
      k += 2;
      if (type(k) == L::MINUS && type(k + 1) == L::INT) k += 2;
    }
    return k;
  }
  PeriodLit period() {
    PeriodLit pl;
    size_t a = p_, e = p_ + periodEnd(0);
    if (e == p_) bail();
    p_ = e;
    pl.range = since(a);
    for (size_t i = pos_[a]; i <= pos_[e - 1]; ++i) {
      const antlr4::Token* t = toks_[i].get();
      if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) pl.spaced = true;
      else pl.text += t->getText();
    }
    return pl;
  }

  // item (COMMA item)*
  template <typename F>
  auto commaList(F item) {
    std::vector<decltype(item())> v;
    do v.push_back(item());
    while (accept(L::COMMA));
    return v;
  }

  // ---- property blocks: LBRACE propEntry* RBRACE
  PropBlock propBlock() {
    PropBlock b;
    b.present = true;
    size_t a = p_;
    expect(L::LBRACE);
    while (!accept(L::RBRACE)) {
      // propEntry : key COLON propItem (COMMA propItem)*
      PropEntry pe;
      size_t ea = p_;
      pe.key = key();
      expect(L::COLON);
      pe.values = commaList([&] { return propItem(); });
      pe.range = since(ea);
      // the next entry's key, or '}' (anything else: ANTLR says what is wrong)
      if (type(0) != L::RBRACE && !(isKey(type(0)) && type(1) == L::COLON)) bail();
      b.entries.push_back(std::move(pe));
    }
    b.range = since(a);
    return b;
  }
  // propItem : duration | periodSpanValue | expr
  PropItem propItem() {
    PropItem item;
    size_t a = p_;
    size_t pe = periodEnd(0);
    if (pe && type(pe) == L::DOTDOT) {  // periodSpanValue : period DOTDOT period
      item.kind = PropItem::Kind::PeriodSpan;
      item.span.from = period();
      expect(L::DOTDOT);
      item.span.to = period();
    } else if (type(0) == L::INT && isIdent(type(1))) {  // duration : INT ident
      if (type(2) == L::COLON) bail();  // `3` then the key of the next entry
      item.kind = PropItem::Kind::Duration;
      antlr4::Token* n = take();
      item.duration.count = static_cast<long long>(parseNumberLiteral(n->getText()));
      item.duration.unit = ident();
      item.duration.range = since(a);
    } else {
      item.kind = PropItem::Kind::Expr;
      item.expr = expr();
    }
    item.range = since(a);
    if (item.kind == PropItem::Kind::PeriodSpan) item.span.range = item.range;
    item.text = textOf(a, p_ - 1);
    return item;
  }

  // ---- slice maps: LBRACE (sliceEntry (COMMA sliceEntry)* COMMA?)? RBRACE
  std::unique_ptr<SliceMap> sliceMap() {
    auto m = std::make_unique<SliceMap>();
    size_t a = p_;
    expect(L::LBRACE);
    while (type(0) != L::RBRACE) {
      // sliceEntry : key COLON ( sliceMap | expr (TILDE distribution)? )
      SliceEntry se;
      size_t ea = p_;
      se.key = key();
      expect(L::COLON);
      if (type(0) == L::LBRACE) {
        se.nested = sliceMap();
      } else {
        se.value = expr();
        if (accept(L::TILDE)) se.dist = distribution();
      }
      se.range = since(ea);
      m->entries.push_back(std::move(se));
      if (!accept(L::COMMA)) break;
    }
    expect(L::RBRACE);
    m->range = since(a);
    return m;
  }
  // distribution : ident LPAREN expr (COMMA expr)* RPAREN
  Distribution distribution() {
    Distribution d;
    size_t a = p_;
    d.name = ident();
    expect(L::LPAREN);
    d.args = commaList([&] { return expr(); });
    expect(L::RPAREN);
    d.range = since(a);
    return d;
  }

  // ---- expressions, one function per rule
  ExprPtr binary(BinOp op, ExprPtr l, ExprPtr r) {
    auto e = std::make_unique<Expr>(ExprKind::Binary, Range{l->range.begin, r->range.end});
    e->binop = op;
    e->lhs = std::move(l);
    e->rhs = std::move(r);
    return e;
  }
  // A flat chain `a op b op c`, left-folded; `opOf` gives the operator of a token, or nothing.
  template <typename Sub, typename Op>
  ExprPtr chain(Sub sub, Op opOf) {
    ExprPtr acc = (this->*sub)();
    size_t operands = 1;
    while (std::optional<BinOp> op = opOf(type(0))) {
      take();
      if (++operands > limits_.maxExprDepth) bail();  // Builder reports it
      acc = binary(*op, std::move(acc), (this->*sub)());
    }
    return acc;
  }
  ExprPtr expr() {  // expr : orExpr ; orExpr : andExpr (OR andExpr)*
    return chain(&HandParser::andExpr, [](size_t t) { return t == L::OR ? std::optional(BinOp::Or) : std::nullopt; });
  }
  ExprPtr andExpr() {  // andExpr : notExpr (AND notExpr)*
    return chain(&HandParser::cmpExpr, [](size_t t) { return t == L::AND ? std::optional(BinOp::And) : std::nullopt; });
  }
  // notExpr : NOT notExpr | cmpExpr. `not` is also a name (`not (x)` is both a
  // negation and a call): left to ANTLR, which resolves it.
  // cmpExpr : addExpr (cmpOp addExpr)?
  ExprPtr cmpExpr() {
    if (type(0) == L::NOT) bail();
    ExprPtr l = addExpr();
    std::optional<BinOp> cmp = comparisonOf(type(0));
    if (!cmp) return l;
    BinOp op = *cmp;
    take();
    return binary(op, std::move(l), addExpr());
  }
  ExprPtr addExpr() {  // addExpr : mulExpr ((PLUS | MINUS) mulExpr)*
    return chain(&HandParser::mulExpr, [](size_t t) {
      return t == L::PLUS ? std::optional(BinOp::Add) : t == L::MINUS ? std::optional(BinOp::Sub) : std::nullopt;
    });
  }
  ExprPtr mulExpr() {  // mulExpr : unaryExpr ((STAR | SLASH) unaryExpr)*
    return chain(&HandParser::unaryExpr, [](size_t t) {
      return t == L::STAR ? std::optional(BinOp::Mul) : t == L::SLASH ? std::optional(BinOp::Div) : std::nullopt;
    });
  }
  // unaryExpr : (MINUS | PLUS) unaryExpr | powExpr ; powExpr : postfixExpr (CARET unaryExpr)?
  ExprPtr unaryExpr() {
    if (type(0) == L::MINUS || type(0) == L::PLUS) {
      size_t a = p_;
      bool minus = take()->getType() == L::MINUS;
      ExprPtr operand = unaryExpr();
      auto e = std::make_unique<Expr>(ExprKind::Unary, since(a));
      e->unop = minus ? UnOp::Neg : UnOp::Plus;
      e->lhs = std::move(operand);
      return e;
    }
    ExprPtr base = postfix();
    if (!accept(L::CARET)) return base;
    return binary(BinOp::Pow, std::move(base), unaryExpr());
  }
  // postfixExpr : primary (LBRACK sliceSel (COMMA sliceSel)* RBRACK)? ; sliceSel : ident (COLON ident)?
  ExprPtr postfix() {
    size_t a = p_;
    ExprPtr base = primary();
    if (!accept(L::LBRACK)) return base;
    std::vector<SliceSel> sels;
    do {
      SliceSel sel;
      Ident first = ident();
      if (accept(L::COLON)) {
        sel.dim = std::move(first);
        sel.value = ident();
      } else {
        sel.value = std::move(first);
      }
      sels.push_back(std::move(sel));
    } while (accept(L::COMMA));
    expect(L::RBRACK);
    auto e = std::make_unique<Expr>(ExprKind::Index, since(a));
    e->lhs = std::move(base);
    e->selectors = std::move(sels);
    return e;
  }
  ExprPtr number(antlr4::Token* n, Range r) {
    auto e = std::make_unique<Expr>(ExprKind::Number, r);
    e->text = n->getText();
    e->number = parseNumberLiteral(e->text, &e->percent);
    if (!std::isfinite(e->number)) bail();  // Builder reports it
    return e;
  }
  ExprPtr primary() {
    size_t a = p_;
    size_t t = type(0);
    if (isNumber(t)) {  // numberLit
      antlr4::Token* n = take();
      return number(n, range(n));
    }
    if (t == L::STRING) {  // stringLit
      antlr4::Token* s = take();
      auto e = std::make_unique<Expr>(ExprKind::String, range(s));
      e->text = unquote(s->getText());
      return e;
    }
    if (t == L::LPAREN) {
      // quantityLit `( -? number unitExpr )` when a unit follows the number;
      // otherwise parenExpr `( expr )` (the two never read the same text)
      size_t k = type(1) == L::MINUS ? 2 : 1;
      if (isNumber(type(k)) && (isIdent(type(k + 1)) || type(k + 1) == L::INT || type(k + 1) == L::LPAREN)) {
        take();
        bool minus = accept(L::MINUS);
        antlr4::Token* n = take();
        UnitExpr unit = unitExpr();
        expect(L::RPAREN);
        auto e = number(n, since(a));
        e->kind = ExprKind::Quantity;
        if (minus) e->number = -e->number;
        e->unit = std::move(unit);
        return e;
      }
      take();
      ExprPtr inner = expr();
      expect(L::RPAREN);
      inner->range = since(a);  // the parentheses included
      return inner;
    }
    // callExpr and nameRef; a keyword as a name in a formula is left to ANTLR
    if (t != L::ID) bail();
    if (type(1) == L::LPAREN) {  // callExpr : ident LPAREN callArgs? RPAREN
      Ident callee = ident();
      take();
      auto e = std::make_unique<Expr>(ExprKind::Call, Range{});
      e->callee = std::move(callee);
      if (type(0) != L::RPAREN) {
        // callArgs : expr (COMMA expr)* (OVER ident (COMMA ident)*)? | OVER ident (COMMA ident)*
        if (type(0) == L::OVER) bail();  // `over` as the first argument's name, or the clause
        size_t ca = p_;
        do e->args.push_back(expr());
        while (accept(L::COMMA));
        if (type(0) == L::OVER) {
          size_t oa = p_;
          take();
          e->over = identList();
          e->overRange = Range{range(sig_[oa]).begin, since(ca).end};
        }
      }
      expect(L::RPAREN);
      e->range = since(a);
      return e;
    }
    // nameRef : qualifiedName ; qualifiedName : ident (DOT ident)*
    auto e = std::make_unique<Expr>(ExprKind::Name, Range{});
    e->path.push_back(ident());
    while (accept(L::DOT)) e->path.push_back(ident());
    e->range = since(a);
    return e;
  }
};

// SLL with bail-out first (fast, no error reports); on failure, full LL with
// error recovery and reports. When the declaration holds a lexical error (an
// unterminated string, a stray character), that error was reported and the
// parse errors it causes are not.
// The SLL parse alone: the tree, or nullptr when it fails.
MTreeParser::FileContext* parseSll(MTreeParser& parser, antlr4::CommonTokenStream& tokens) {
  parser.setTokenStream(&tokens);
  parser.removeErrorListeners();
  try {
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    return parser.file();
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  return nullptr;
}

MTreeParser::FileContext* parseChunk(MTreeParser& parser, antlr4::CommonTokenStream& tokens,
                                     SyntaxErrorListener& listener, bool lexErrors, const SourceFile& file,
                                     Diagnostics& diags, bool& clean) {
  parser.setTokenStream(&tokens);
  parser.removeErrorListeners();
  listener.startChunk();
  MTreeParser::FileContext* tree = nullptr;
  try {
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException&) {
    tree = nullptr;
  } catch (const antlr4::RecognitionException&) {
    tree = nullptr;
  }
  clean = tree != nullptr;
  if (tree) return tree;
  tokens.seek(0);
  parser.reset();
  if (!lexErrors) parser.addErrorListener(&listener);
  parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
  try {
    tree = parser.file();
  } catch (const std::exception& e) {
    if (!lexErrors)
      diags.report(DiagCode::Syntax, tokenRange(file.id(), tokens.get(0)), fmt::format("the parser stopped: {}", e.what()));
    return nullptr;
  }
  return tree;
}

}  // namespace

bool lexFile(const SourceFile& file, std::vector<Token>& out, Diagnostics* diags, const ParseLimits& limits) {
  Lexed lx = lexAll(file, diags, limits);
  if (!lx.ok) return false;
  for (auto& t : lx.tokens) {
    Token tok;
    tok.type = static_cast<int>(t->getType());
    tok.kind = kindOf(t->getType());
    tok.text = t->getType() == antlr4::Token::EOF ? "" : t->getText();
    tok.range = tokenRange(file.id(), t.get());
    tok.offset = file.offset(tok.range.begin.line, tok.range.begin.col);
    if (tok.kind == TokKind::Error && diags) reportLexError(file, t.get(), *diags);
    out.push_back(std::move(tok));
  }
  return true;
}

std::unique_ptr<ast::File> parseFile(const SourceFile& file, Diagnostics& diags, const ParseLimits& limits) {
  auto out = std::make_unique<ast::File>();
  out->id = file.id();
  Lexed lx = openLexer(file, &diags);
  if (!lx.ok) return out;

  // Parse declaration by declaration: each one's tokens and parse tree are freed
  // as soon as its AST is built (memory stays bounded by the largest
  // declaration), and a broken declaration cannot swallow the next one.
  DeclReader reader(lx, file, diags, limits);
  MTreeParser parser(nullptr);
  parser.removeErrorListeners();
  SyntaxErrorListener listener(file, diags);
  std::vector<std::unique_ptr<antlr4::Token>> toks;
  bool lexErrors = false;
  while (reader.next(toks, lexErrors)) {
    size_t diagsBefore = diags.all().size();
    std::vector<antlr4::Token*> significant;
    for (auto& t : toks)
      if (t->getChannel() == antlr4::Token::DEFAULT_CHANNEL) significant.push_back(t.get());
    bool nested = checkNesting(file, significant, diags, limits);

    if (nested && !lexErrors && detail::handParser) {
      if (std::unique_ptr<ast::Decl> d = HandParser(file, toks, limits).decl()) {
        out->decls.push_back(std::move(d));
        toks.clear();
        continue;
      }
    }

    size_t first = out->decls.size();
    // A param whose value is a map of plain numbers: its map read directly, the
    // rest parsed as usual (SLL); anything unexpected, and it is parsed whole.
    auto finish = [&](antlr4::CommonTokenStream& tokens) {
      // A declaration with a syntax error is kept (tools use what was recovered),
      // marked so that the checker does not pile follow-on errors on it.
      if (lexErrors || !nested)
        for (size_t i = first; i < out->decls.size(); ++i) out->decls[i]->broken = true;
      bool anyBroken = false;
      for (size_t i = first; i < out->decls.size(); ++i) anyBroken |= out->decls[i]->broken;
      bool errors = lexErrors || !nested || syntaxErrorSince(diags, diagsBefore);
      if (anyBroken || (errors && first == out->decls.size())) brokenNames(file, tokens, out->brokenNames);
      parser.setTokenStream(nullptr);  // frees this declaration's parse tree
      toks.clear();
    };
    if (nested && !lexErrors) {
      std::vector<std::unique_ptr<antlr4::Token>> reduced;
      size_t at = 0;
      if (auto map = literalParamMap(file, toks, significant, reduced, at)) {
        antlr4::ListTokenSource source(std::move(reduced));
        antlr4::CommonTokenStream tokens(&source);
        tokens.fill();
        if (MTreeParser::FileContext* tree = parseSll(parser, tokens)) {
          Builder b(file, tokens, diags, limits, true);
          b.prebuilt(at, std::move(map));
          b.buildInto(*out, tree, false);
          finish(tokens);
          continue;
        }
        parser.setTokenStream(nullptr);
      }
    }

    antlr4::ListTokenSource source(std::move(toks));
    antlr4::CommonTokenStream tokens(&source);
    tokens.fill();
    if (nested) {
      bool clean = false;
      MTreeParser::FileContext* tree = parseChunk(parser, tokens, listener, lexErrors, file, diags, clean);
      Builder b(file, tokens, diags, limits, clean);
      b.buildInto(*out, tree, listener.recoveredInsideDeclaration());
    }
    finish(tokens);
  }
  return out;
}

}  // namespace mtc
