// `mtc fmt`: the canonical layout of a .mtree file. The style is described in
// docs/fmt-diff.md; in short:
//
//   - the author's line breaks are kept (a one-line block stays on one line);
//     blank lines collapse to at most one, none at the start or end of a block
//     or of the file; a `{` alone on a line joins the line before it;
//   - two spaces of indentation per block level; a line that continues a
//     declaration or an entry is indented four more, and so is the content of
//     parentheses opened on an earlier line;
//   - one space around binary operators, `=`, `~`, `->`, `..`, after `,` and `:`;
//     none inside `( )` and `[ ]`, before `(` of a call, around `.`, after a
//     unary sign, and around `*`, `/`, `^` in units (`USD/patient`);
//   - periods written without spaces (`2025-07`) stay that way;
//   - entries of a property block written on one line are separated by two
//     spaces (`{ stage: acquisition  data: history.leads }`);
//   - the values of `subject to` entries on consecutive lines are aligned;
//   - trailing `//` comments on consecutive lines are aligned, two spaces after
//     the longest line of the run.
//
// The formatter never changes a significant token: the result is re-lexed and
// compared with the input before it is returned.
#include "mtc/format.h"

#include <algorithm>
#include <optional>

#include "MTreeLexer.h"
#include "mtc/diagnostics.h"
#include "mtc/parse.h"
#include "mtc/source.h"

namespace mtc {
namespace {

using L = grammar::MTreeLexer;

constexpr int kBlockIndent = 2;         // per `{ }` level
constexpr int kContinuationIndent = 4;  // a line that continues an entry; `( [` content
constexpr int kCommentGap = 2;          // spaces before an aligned trailing comment

// One code token or comment, with what separated it from the item before it.
struct Item {
  const Token* tok;
  int newlinesBefore = 0;  // line breaks between the previous item and this one
  bool spaceBefore = false;  // any whitespace or line break before it
  bool isComment() const { return tok->kind == TokKind::Comment || tok->kind == TokKind::DocComment; }
};

enum class FrameKind { Paren, Bracket, Prop, SliceMap, DimList, Chain, Optimize, SubjectTo };

struct Frame {
  FrameKind kind;
  int inner = 0;        // indentation of the lines inside
  int close = 0;        // indentation of a line that starts with the closer
  int unitFrom = -1;    // a quantity literal `(100 USD/patient)`: items after this index are a unit
  bool unitHeader = false;  // opened inside a declared unit (`USD/(patient*month)`)
  int id = 0;
  bool brace() const { return kind != FrameKind::Paren && kind != FrameKind::Bracket; }
  bool entries() const {  // blocks made of `key: value` entries
    return kind == FrameKind::Prop || kind == FrameKind::SubjectTo || kind == FrameKind::Optimize;
  }
};

// One output line before alignment.
struct Line {
  int indent = 0;
  std::string code;        // without indentation
  std::string trailing;    // a trailing line comment
  bool blank = false;
  bool ownComment = false; // the line is a comment only
  bool multiline = false;  // holds a block comment spanning lines (never aligned)
  int alignGroup = -1;     // a `subject to` entry: the block's id
  size_t keyEnd = 0;       // ... and where its `name:` ends in code
  bool endsWithComment = false;  // the last thing on the line so far is a block comment
};

bool isDeclKeyword(int t) {
  switch (t) {
    case L::MODEL: case L::IMPORT: case L::UNIT: case L::DIMENSION: case L::CHAIN: case L::SOURCE:
    case L::PARAM: case L::METRIC: case L::RELATION: case L::CONSTRAINT: case L::EVENT: case L::GOAL:
    case L::BENCHMARK: case L::FUNCTION: case L::DESCRIBE: case L::DIAGNOSE: case L::FORECAST:
    case L::SEEK: case L::SIMULATE: case L::OPTIMIZE: case L::RECOMMEND:
      return true;
    default:
      return false;
  }
}
bool isNumber(int t) { return t == L::INT || t == L::FLOAT || t == L::PERCENT; }
bool isWord(int t) { return t == L::ID || (t >= L::MODEL && t <= L::NOT); }
// Tokens after which a `-` or `+` is binary.
bool endsOperand(int t) {
  return t == L::ID || isNumber(t) || t == L::STRING || t == L::RPAREN || t == L::RBRACK;
}
bool isOptItemKeyword(int t) {
  return t == L::MAXIMIZE || t == L::MINIMIZE || t == L::VARY || t == L::SUBJECT;
}

size_t codePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\f')) s.pop_back();
  return s;
}

class Formatter {
 public:
  explicit Formatter(const std::vector<Token>& toks) { collect(toks); }

  std::string run() {
    for (size_t i = 0; i < items_.size(); ++i) {
      if (items_[i].isComment()) comment(i);
      else code(i);
    }
    finishLine();
    alignSubjectTo();
    alignComments();
    return render();
  }

 private:
  std::vector<Item> items_;
  std::vector<bool> glued_;  // item i follows item i-1 with no space (periods)
  std::vector<Frame> frames_;
  std::vector<Line> lines_;
  Line cur_;
  bool lineOpen_ = false;
  int frameIds_ = 0;
  int lastCode_ = -1;       // index of the last code item
  int declKeyword_ = -1;    // the keyword of the current top-level declaration
  bool headerUnit_ = false; // in the declared unit of a metric or param, or a unit's definition
  bool unitAfterNumber_ = false;  // `unit k = 1000 g`: the unit starts after the number
  bool seenHeaderColon_ = false;
  bool unary_ = false;      // the last code item is a unary sign

  void collect(const std::vector<Token>& toks) {
    int nl = 0;
    bool space = false;
    for (const Token& t : toks) {
      switch (t.kind) {
        case TokKind::Newline: ++nl; space = true; continue;
        case TokKind::Space: space = true; continue;
        case TokKind::End: continue;
        case TokKind::Keyword: case TokKind::Ident: case TokKind::Number: case TokKind::String: case TokKind::Punct: case TokKind::DocComment:
        case TokKind::Comment: case TokKind::Error: break;
      }
      items_.push_back(Item{&t, nl, space});
      nl = 0;
      space = false;
    }
    // `2025-07`, `2025-Q3`, `2025-07-30`: a `-` written tight between a number and
    // a number or word stays tight (the parser tells periods by their adjacency).
    glued_.assign(items_.size(), false);
    for (size_t i = 1; i + 1 < items_.size(); ++i) {
      const Item& a = items_[i - 1];
      const Item& m = items_[i];
      const Item& b = items_[i + 1];
      if (m.tok->type == L::MINUS && a.tok->type == L::INT && !m.spaceBefore && !b.spaceBefore &&
          (b.tok->type == L::INT || b.tok->type == L::ID)) {
        glued_[i] = glued_[i + 1] = true;  // each joins the item before it
      }
    }
  }

  int type(int i) const { return i < 0 ? -1 : items_[static_cast<size_t>(i)].tok->type; }
  const Frame* top() const { return frames_.empty() ? nullptr : &frames_.back(); }
  int base() const { return frames_.empty() ? 0 : frames_.back().inner; }

  int nextCode(size_t i) const {
    for (size_t j = i + 1; j < items_.size(); ++j)
      if (!items_[j].isComment()) return static_cast<int>(j);
    return -1;
  }

  // `key:` at the level of the innermost block.
  bool isKeyEntry(size_t i) const {
    int n = nextCode(i);
    return isWord(type(static_cast<int>(i))) && n >= 0 && type(n) == L::COLON;
  }

  // Whether item i starts an entry of the innermost block (or a declaration at the top level).
  bool startsEntry(size_t i) const {
    int t = type(static_cast<int>(i));
    const Frame* f = top();
    if (!f) return isDeclKeyword(t);
    switch (f->kind) {
      case FrameKind::Prop: case FrameKind::SubjectTo: return isKeyEntry(i);
      case FrameKind::Optimize: return isOptItemKeyword(t) || isKeyEntry(i);
      case FrameKind::Chain: return t == L::STAGE;
      case FrameKind::DimList: case FrameKind::SliceMap:
        return type(lastCode_) == L::COMMA || type(lastCode_) == L::LBRACE;
      case FrameKind::Paren: case FrameKind::Bracket: return true;
    }
    return true;
  }

  // The indentation of a line that starts with code item i.
  int indentFor(size_t i) const {
    int t = type(static_cast<int>(i));
    if (t == L::RBRACE || t == L::RPAREN || t == L::RBRACK) return top() ? top()->close : 0;
    if (t == L::LBRACE) return base();
    return startsEntry(i) ? base() : base() + kContinuationIndent;
  }

  bool inUnit(size_t i) const {
    if (headerUnit_) return true;
    for (const Frame& f : frames_)
      if (f.unitHeader || (f.unitFrom >= 0 && static_cast<int>(i) > f.unitFrom)) return true;
    return false;
  }

  void newLine(int indent, int newlines) {
    finishLine();
    // At most one blank line; none after `{` or before `}`, none at the top.
    bool afterOpen = !lines_.empty() && !lines_.back().code.empty() &&
                     lines_.back().code.back() == '{';
    if (newlines >= 2 && !lines_.empty() && !afterOpen) {
      Line blank;
      blank.blank = true;
      lines_.push_back(std::move(blank));
    }
    cur_ = Line{};
    cur_.indent = indent;
    lineOpen_ = true;
  }

  void finishLine() {
    if (!lineOpen_) return;
    lines_.push_back(std::move(cur_));
    cur_ = Line{};
    lineOpen_ = false;
  }

  void append(const std::string& sep, const std::string& text) {
    if (!cur_.code.empty()) cur_.code += sep;
    cur_.code += text;
  }

  void comment(size_t i) {
    const Item& it = items_[i];
    const bool block = it.tok->type == L::BLOCK_COMMENT;
    std::string text = block ? it.tok->text : rstrip(it.tok->text);
    if (lineOpen_ && it.newlinesBefore == 0 && !block) {  // a trailing comment
      cur_.trailing = text;
      return;
    }
    if (!lineOpen_ || it.newlinesBefore > 0) {
      // A comment that starts a line sits where the next code would, or inside
      // the block when the next code closes it.
      int n = nextCode(i);
      int indent = 0;
      if (n < 0) indent = 0;
      else if (type(n) == L::RBRACE || type(n) == L::RPAREN || type(n) == L::RBRACK) indent = base();
      else indent = indentFor(static_cast<size_t>(n));
      newLine(indent, it.newlinesBefore);
      cur_.ownComment = true;
    }
    append(" ", text);
    cur_.endsWithComment = true;
    if (text.find('\n') != std::string::npos) cur_.multiline = true;
  }

  std::string spaceBetween(size_t i) const {
    const int p = type(lastCode_), c = type(static_cast<int>(i));
    const Frame* f = top();
    if (lastCode_ < 0 || cur_.endsWithComment) return " ";
    if (glued_[i] && lastCode_ + 1 == static_cast<int>(i)) return "";
    if (c == L::COMMA || c == L::RPAREN || c == L::RBRACK || c == L::COLON || c == L::DOT) return "";
    if (p == L::LPAREN || p == L::LBRACK || p == L::DOT) return "";
    if (c == L::LBRACK) return "";
    if (c == L::LPAREN && p == L::ID) return "";
    if (p == L::LBRACE) return c == L::RBRACE ? "" : " ";
    if ((p == L::MINUS || p == L::PLUS) && unary_) return "";
    if (inUnit(i)) {
      auto tight = [](int t) { return t == L::STAR || t == L::SLASH || t == L::CARET; };
      if (tight(p) || tight(c)) return "";
    }
    // Entries of a property block written on one line: two spaces apart.
    if (f && f->entries() && c != L::RBRACE && startsEntry(i)) return "  ";
    return " ";
  }

  void code(size_t i) {
    const Item& it = items_[i];
    const int t = it.tok->type;
    bool joinBrace = t == L::LBRACE && lastCode_ >= 0 && lastCode_ + 1 == static_cast<int>(i);
    if (!lineOpen_ || (it.newlinesBefore > 0 && !joinBrace)) {
      newLine(indentFor(i), it.newlinesBefore);
      markEntry(i);
      append("", it.tok->text);
    } else {
      markEntry(i);
      append(spaceBetween(i), it.tok->text);
    }
    cur_.endsWithComment = false;
    update(i);
  }

  // A `subject to` entry starting its line: remember where its name ends, for alignment.
  void markEntry(size_t i) {
    const Frame* f = top();
    if (!f || f->kind != FrameKind::SubjectTo || !cur_.code.empty() || !isKeyEntry(i)) return;
    cur_.alignGroup = f->id;
    cur_.keyEnd = items_[i].tok->text.size() + 1;  // `name:`
  }

  void update(size_t i) {
    const int t = type(static_cast<int>(i));
    const int prev = type(lastCode_);
    unary_ = (t == L::MINUS || t == L::PLUS) && !glued_[i] && !endsOperand(prev);
    // The declaration this token belongs to, and whether we are in its unit.
    if (frames_.empty()) {
      if (isDeclKeyword(t)) {
        declKeyword_ = t;
        headerUnit_ = false;
        unitAfterNumber_ = false;
        seenHeaderColon_ = false;
      } else if (headerUnit_ && (t == L::BY || t == L::ASSIGN || t == L::LBRACE || t == L::TILDE)) {
        headerUnit_ = false;
      } else if (t == L::COLON && !seenHeaderColon_ && (declKeyword_ == L::METRIC || declKeyword_ == L::PARAM)) {
        seenHeaderColon_ = true;
        headerUnit_ = true;
      } else if (t == L::ASSIGN && declKeyword_ == L::UNIT) {
        unitAfterNumber_ = true;
      } else if (unitAfterNumber_ && isNumber(t)) {
        unitAfterNumber_ = false;
        headerUnit_ = true;
      }
    }
    switch (t) {
      case L::LPAREN: case L::LBRACK: {
        Frame f{t == L::LPAREN ? FrameKind::Paren : FrameKind::Bracket};
        f.close = cur_.indent;
        f.inner = cur_.indent + kContinuationIndent;
        f.unitHeader = inUnit(i);
        if (t == L::LPAREN) f.unitFrom = quantityNumber(i);
        push(f);
        break;
      }
      case L::LBRACE: {
        Frame f{blockKind(prev)};
        f.close = base();
        f.inner = base() + kBlockIndent;
        headerUnit_ = false;
        push(f);
        break;
      }
      case L::RPAREN: case L::RBRACK: case L::RBRACE:
        if (!frames_.empty()) frames_.pop_back();
        break;
      default: break;
    }
    lastCode_ = static_cast<int>(i);
  }

  void push(Frame f) {
    f.id = ++frameIds_;
    frames_.push_back(f);
  }

  // `(100 USD/patient)`, `(-5 USD)`: a quantity literal; returns the index of its number.
  int quantityNumber(size_t open) const {
    int a = nextCode(open);
    if (a >= 0 && type(a) == L::MINUS) a = nextCode(static_cast<size_t>(a));
    if (a < 0 || !isNumber(type(a))) return -1;
    int b = nextCode(static_cast<size_t>(a));
    if (b < 0) return -1;
    int tb = type(b);
    return (isWord(tb) || tb == L::LPAREN || tb == L::INT) ? a : -1;
  }

  FrameKind blockKind(int prev) const {
    const Frame* f = top();
    if (!f) {
      switch (declKeyword_) {
        case L::CHAIN: return FrameKind::Chain;
        case L::DIMENSION: return FrameKind::DimList;
        case L::OPTIMIZE: return FrameKind::Optimize;
        case L::BENCHMARK: return FrameKind::SliceMap;
        case L::PARAM: return prev == L::ASSIGN ? FrameKind::SliceMap : FrameKind::Prop;
        default: return FrameKind::Prop;
      }
    }
    if (f->kind == FrameKind::Optimize && prev == L::TO) return FrameKind::SubjectTo;
    if (f->kind == FrameKind::SliceMap) return FrameKind::SliceMap;
    return FrameKind::Prop;
  }

  // The values of consecutive one-line `subject to` entries start in one column.
  void alignSubjectTo() {
    for (size_t a = 0; a < lines_.size();) {
      if (lines_[a].alignGroup < 0) { ++a; continue; }
      size_t b = a;
      size_t width = 0;
      while (b < lines_.size() && lines_[b].alignGroup == lines_[a].alignGroup) {
        width = std::max(width, codePoints(lines_[b].code.substr(0, lines_[b].keyEnd)));
        ++b;
      }
      for (size_t k = a; k < b; ++k) {
        Line& l = lines_[k];
        size_t w = codePoints(l.code.substr(0, l.keyEnd));
        if (l.keyEnd < l.code.size() && l.code[l.keyEnd] == ' ') l.code.insert(l.keyEnd, width - w, ' ');
      }
      a = b;
    }
  }

  // Trailing comments on consecutive lines share a column (as gofmt does).
  void alignComments() {
    for (size_t a = 0; a < lines_.size();) {
      auto aligned = [&](const Line& l) { return !l.trailing.empty() && !l.multiline && !l.code.empty(); };
      if (!aligned(lines_[a])) { ++a; continue; }
      size_t b = a;
      size_t width = 0;
      while (b < lines_.size() && aligned(lines_[b])) {
        width = std::max(width, static_cast<size_t>(lines_[b].indent) + codePoints(lines_[b].code));
        ++b;
      }
      for (size_t k = a; k < b; ++k) {
        Line& l = lines_[k];
        size_t w = static_cast<size_t>(l.indent) + codePoints(l.code);
        l.code += std::string(width - w + kCommentGap, ' ') + l.trailing;
        l.trailing.clear();
      }
      a = b;
    }
  }

  std::string render() {
    // No blank lines at the end, nor before a closing brace.
    std::string out;
    for (size_t k = 0; k < lines_.size(); ++k) {
      const Line& l = lines_[k];
      if (l.blank) {
        if (k + 1 >= lines_.size()) continue;
        const std::string& next = lines_[k + 1].code;
        if (!next.empty() && next[0] == '}' && !lines_[k + 1].ownComment) continue;
        out += '\n';
        continue;
      }
      std::string text = l.code;
      if (!l.trailing.empty()) text += std::string(l.code.empty() ? 0 : static_cast<size_t>(kCommentGap), ' ') + l.trailing;
      if (!text.empty()) out += std::string(static_cast<size_t>(l.indent), ' ');
      out += text;
      out += '\n';
    }
    return out;
  }
};

// The significant tokens and the comments of a text, to check that formatting
// kept them; a `-` also records whether it is glued into a period (`2025-07`).
struct Fingerprint {
  std::vector<std::pair<int, std::string>> code;
  std::vector<bool> glued;
  std::vector<std::string> comments;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

Fingerprint fingerprint(const std::vector<Token>& toks) {
  Fingerprint f;
  std::vector<const Token*> code;
  for (const Token& t : toks) {
    if (t.kind == TokKind::Newline || t.kind == TokKind::Space || t.kind == TokKind::End) continue;
    if (t.kind == TokKind::Comment || t.kind == TokKind::DocComment) f.comments.push_back(rstrip(t.text));
    else code.push_back(&t);
  }
  auto adjacent = [](const Token* a, const Token* b) { return a->offset + a->text.size() == b->offset; };
  for (size_t i = 0; i < code.size(); ++i) {
    f.code.emplace_back(code[i]->type, code[i]->text);
    bool g = code[i]->type == L::MINUS && i > 0 && i + 1 < code.size() && code[i - 1]->type == L::INT &&
             (code[i + 1]->type == L::INT || code[i + 1]->type == L::ID) && adjacent(code[i - 1], code[i]) &&
             adjacent(code[i], code[i + 1]);
    f.glued.push_back(g);
  }
  return f;
}

}  // namespace

FormatResult formatSource(const std::string& path, const std::string& text) {
  FormatResult r;
  SourceManager sm;
  Diagnostics diags;
  FileId id = sm.add(path, text);
  const SourceFile& file = sm.file(id);
  parseFile(file, diags);
  std::vector<Token> toks;
  if (diags.hasErrors() || !lexFile(file, toks, nullptr)) {
    r.errors = renderAll(sm, diags);
    return r;
  }
  std::string out = Formatter(toks).run();

  // The safety net: the same significant tokens, periods and comments, so the
  // same parse (whitespace is never significant to the parser otherwise).
  // (Nothing to check when the text was already canonical.)
  SourceManager sm2;
  const SourceFile& file2 = sm2.file(sm2.add(path, out));
  std::vector<Token> toks2;
  if (out != text && (!lexFile(file2, toks2, nullptr) || !(fingerprint(toks) == fingerprint(toks2)))) {
    r.errors = path + ": error: mtc fmt could not format this file without changing it (a bug; please report it)\n";
    return r;
  }
  r.ok = true;
  r.text = std::move(out);
  return r;
}

}  // namespace mtc
