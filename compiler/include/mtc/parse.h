// Lexing and parsing one .mtree file into an AST.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mtc/ast.h"
#include "mtc/diagnostics.h"
#include "mtc/source.h"

namespace mtc {

// Limits that keep malformed or hostile input from exhausting memory or stack.
struct ParseLimits {
  size_t maxTokens = 2'000'000;  // tokens in one file
  size_t maxNesting = 256;       // brackets plus right-recursive operators (^, unary -)
  size_t maxExprDepth = 10'000;  // depth of one expression's tree (operands of a chain)
};

// One token as the tools (fmt, lsp, highlighting tests) see it.
enum class TokKind { Keyword, Ident, Number, String, Punct, DocComment, Comment, Newline, Space, Error, End };
struct Token {
  TokKind kind;
  int type;          // the ANTLR token type (MTreeLexer::...)
  std::string text;
  Range range;
  size_t offset = 0;  // byte offset in the file
};

// Lexes a file completely (comments and whitespace included). Lexical errors go
// to diags when it is not null. Returns false when the file could not be lexed at
// all (invalid UTF-8, too many tokens).
bool lexFile(const SourceFile& file, std::vector<Token>& out, Diagnostics* diags,
             const ParseLimits& limits = {});

// Parses a file. Always returns an AST (possibly partial); syntax errors are in diags.
std::unique_ptr<ast::File> parseFile(const SourceFile& file, Diagnostics& diags,
                                     const ParseLimits& limits = {});

// Validates UTF-8; on failure returns the byte offset of the first bad byte.
bool validUtf8(std::string_view s, size_t* badOffset);

// The keywords of the language: the grammar's keyword tokens, read from the
// lexer's vocabulary (grammar/MTreeLexer.g4 is the only list).
const std::vector<std::string>& keywords();
bool isKeyword(std::string_view word);
// The keywords that start a top-level declaration or statement (`metric`,
// `describe`, ...): the names of ast::DeclKind.
const std::vector<std::string>& declarationKeywords();

// Parses a number literal as written (underscores, exponent, trailing %).
double parseNumberLiteral(std::string_view text, bool* percent = nullptr);

}  // namespace mtc
