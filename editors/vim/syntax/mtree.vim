" Vim syntax file
" Language:    mtree (business metric models; LANGUAGE.md in the mtc repository)
" Filenames:   *.mtree
"
" Vim gives the item defined last priority among matches that start at the same
" column, so the order below matters: operators before comments (`/` vs `//`),
" numbers before percents and periods, property keys after keywords.

if exists('b:current_syntax')
  finish
endif
let s:cpo_save = &cpo
set cpo&vim

syn case match
syn sync fromstart

" ---- operators and punctuation
syn match mtreeDelimiter "[,:.()\[\]]"
syn match mtreeOperator "<->\|->\|\.\.\|<=\|>=\|==\|!=\|[-+*/^~<>=]"
syn match mtreeArrow "<->\|->"
syn match mtreeRange "\.\."

" ---- keywords (soft: a word followed by `:` is a property key instead)
" declarations whose next word is the declared name
syn match mtreeDecl "\<\%(model\|source\|constraint\|event\|goal\|benchmark\|function\)\>\%(\s*:\)\@!" nextgroup=mtreeDeclName skipwhite
syn match mtreeDecl "\<\%(unit\|dimension\|chain\|stage\)\>\%(\s*:\)\@!" nextgroup=mtreeTypeName skipwhite
syn match mtreeDecl "\<\%(metric\|param\)\>\%(\s*:\)\@!" nextgroup=mtreeTypedName skipwhite
syn match mtreeDecl "\<\%(import\|relation\)\>\%(\s*:\)\@!"
syn match mtreeDeclName "\h\w*" contained
syn match mtreeTypeName "\h\w*" contained
" metric/param NAME "title": UNIT by DIM, DIM
syn match mtreeTypedName "\h\w*" contained nextgroup=mtreeTitle,mtreeTypeColon skipwhite
syn region mtreeTitle start=+"+ end=+"\|$+ contained contains=mtreeEscape nextgroup=mtreeTypeColon skipwhite
syn match mtreeTypeColon ":" contained nextgroup=mtreeUnitExpr skipwhite
syn match mtreeUnitExpr "\%(\h\w*\|\d\+\|(\)\%(\s*[*/^()]\s*-\=\%(\h\w*\|\d\+\)\=\)*" contained contains=mtreeUnitOp nextgroup=mtreeDimsBy skipwhite
syn match mtreeUnitOp "[*/^()-]" contained
syn match mtreeDimsBy "\<by\>" contained nextgroup=mtreeDimList skipwhite
syn match mtreeDimList "\h\w*\%(\s*,\s*\h\w*\)*" contained contains=mtreeDelimiter

syn match mtreeStatement "\<\%(describe\|diagnose\|forecast\|seek\|simulate\|recommend\)\>\%(\s*:\)\@!"
syn match mtreeStatement "\<optimize\>\%(\s*:\)\@!" nextgroup=mtreeDeclName skipwhite

syn match mtreeKeyword "\<\%(by\|over\|from\|at\|vs\|to\|for\|varying\|vary\|maximize\|minimize\|integer\|subject\|previous\|external\|internal\)\>\%(\s*:\)\@!"
syn match mtreeKeyword "\<same\s\+period\s\+last\s\+year\>"
syn match mtreeLogical "\<\%(and\|or\|not\)\>\%(\s*:\)\@!"
syn keyword mtreeRelationKind deterministic probabilistic causal compositional

" ---- functions (only where called)
syn match mtreeBuiltin "\<\%(sum\|mean\|min\|max\|if\|abs\|log\|exp\|sqrt\|clamp\|lag\|delta\|pct_change\|cumsum\|rolling_mean\|rolling_sum\|ytd\|yoy\|share\|hill\|saturate\|adstock\)\>\ze\s*("
syn match mtreeBuiltin "\<\%(csv\|sqlite\|postgres\|env\)\>\ze\s*("
syn match mtreeBuiltin "\<\%(normal\|lognormal\|uniform\|triangular\|beta\)\>\ze\s*("

" ---- numbers, periods, durations, quantities
syn match mtreeNumber "\<\d\+\%(_\d\+\)*\>"
syn match mtreeFloat "\<\d\+\%(_\d\+\)*\%(\.\d\+\%(_\d\+\)*\%([eE][+-]\=\d\+\)\=\|[eE][+-]\=\d\+\)\>"
syn match mtreePercent "\<\d\+\%(_\d\+\)*\%(\.\d\+\%(_\d\+\)*\)\=\%([eE][+-]\=\d\+\)\=%"
" 3 months, 12 weeks, 1 year
syn match mtreeDuration "\<\d\+\%(_\d\+\)*\ze\s\+\%(days\=\|weeks\=\|months\=\|quarters\=\|years\=\)\>" nextgroup=mtreeTimeUnit skipwhite
syn match mtreeTimeUnit "\<\%(days\=\|weeks\=\|months\=\|quarters\=\|years\=\)\>" contained
" the unit of a quantity in a formula: (100 USD/patient)
syn match mtreeQuantityUnit "\%((\s*-\=\s*\d[0-9_]*\%(\.\d[0-9_]*\)\=\%([eE][+-]\=\d\+\)\=\s\+\)\@40<=\h\w*\%(\s*[*/]\s*\%(\h\w*\|\d\+\)\|\s*^\s*-\=\d\+\)*\%(\s*)\)\@=" contains=mtreeUnitOp
" 2025-07, 2025-Q3, 2025-W31, 2025-07-30: only when the whole token is a period
syn match mtreePeriod "\%([^.]\.\)\@<!\<\d\{4}-\%([Qq][1-4]\|[Ww]\%(0[1-9]\|[1-4]\d\|5[0-3]\)\|\%(0[1-9]\|1[0-2]\)\%(-\%(0[1-9]\|[12]\d\|3[01]\)\)\=\)\%(\w\|%\|\.\d\|-\w\)\@!"
" a bare year where a period is expected: after at/vs/from/to/by, and around `..`
syn match mtreePeriod "\%(\<\%(at\|vs\|from\|to\|by\)\s\+\)\@<=\d\{4}\>\%(%\|\.\d\|-\)\@!"
syn match mtreePeriod "\%([^.]\.\)\@<!\<\d\{4}\>\ze\s*\.\.\%(\.\)\@!"
syn match mtreePeriod "\%(\.\.\s*\)\@<=\d\{4}\>\%(%\|\.\d\|-\)\@!"

" ---- blocks: `name:` starts an entry
" (`contains=TOP,x` would exclude x: the block-only items name the block with containedin)
syn region mtreeBlock matchgroup=mtreeBrace start="{" end="}" transparent fold contains=TOP
syn match mtreeProperty "\<\h\w*\ze\s*:" contained containedin=mtreeBlock
syn region mtreeRoleList matchgroup=mtreeProperty start="\<role\ze\s*:" end="$\|\%(}\|\<\h\w*\s*:\)\@=" contained containedin=mtreeBlock contains=mtreeRole,mtreeDelimiter,mtreeLineComment,mtreeBlockComment,mtreeDocComment
syn region mtreeClassList matchgroup=mtreeProperty start="\<class\ze\s*:" end="$\|\%(}\|\<\h\w*\s*:\)\@=" contained containedin=mtreeBlock contains=mtreeClass,mtreeDelimiter,mtreeLineComment,mtreeBlockComment,mtreeDocComment
syn keyword mtreeRole input output leading lagging diagnostic north_star contained
syn keyword mtreeClass qualitative quantitative vanity actionable efficiency effectiveness strategic tactical operational contained
syn match mtreeAggValue "\%(\<agg\s*:\s*\)\@<=\<\%(sum\|mean\|last\|min\|max\)\>" contained containedin=mtreeBlock
syn match mtreeGrainValue "\%(\<grain\s*:\s*\)\@<=\<\%(day\|week\|month\|quarter\|year\)\>" contained containedin=mtreeBlock

" ---- strings and comments (last: they win over everything above)
syn match mtreeEscape "\\." contained
syn region mtreeString start=+"+ end=+"\|$+ contains=mtreeEscape,@Spell
syn keyword mtreeTodo TODO FIXME XXX NOTE contained
syn match mtreeLineComment "//.*$" contains=mtreeTodo,@Spell
" `///` is a doc comment; `////` an ordinary one
syn match mtreeDocComment "///\%(/\)\@!.*$" contains=mtreeTodo,@Spell
syn region mtreeBlockComment start="/\*" end="\*/" contains=mtreeTodo,@Spell fold

hi def link mtreeOperator      Operator
hi def link mtreeArrow         Operator
hi def link mtreeRange         Operator
hi def link mtreeUnitOp        Operator
hi def link mtreeDelimiter     Delimiter
hi def link mtreeBrace         Delimiter
hi def link mtreeDecl          Keyword
hi def link mtreeStatement     Statement
hi def link mtreeKeyword       Keyword
hi def link mtreeDimsBy        Keyword
hi def link mtreeLogical       Operator
hi def link mtreeDeclName      Function
hi def link mtreeTypedName     Function
hi def link mtreeTypeName      Type
hi def link mtreeTitle         String
hi def link mtreeTypeColon     Delimiter
hi def link mtreeUnitExpr      Type
hi def link mtreeQuantityUnit  Type
hi def link mtreeDimList       Type
hi def link mtreeRelationKind  Constant
hi def link mtreeBuiltin       Function
hi def link mtreeNumber        Number
hi def link mtreeFloat         Float
hi def link mtreePercent       Number
hi def link mtreeDuration      Number
hi def link mtreeTimeUnit      Type
hi def link mtreePeriod        Constant
hi def link mtreeProperty      Identifier
hi def link mtreeRole          Constant
hi def link mtreeClass         Constant
hi def link mtreeAggValue      Constant
hi def link mtreeGrainValue    Constant
hi def link mtreeEscape        SpecialChar
hi def link mtreeString        String
hi def link mtreeTodo          Todo
hi def link mtreeLineComment   Comment
hi def link mtreeDocComment    SpecialComment
hi def link mtreeBlockComment  Comment

let b:current_syntax = 'mtree'
let &cpo = s:cpo_save
unlet s:cpo_save
