" Vim compiler file: `mtc check` for mtree models.
" Diagnostics read `file:line:col: error: message [code]` (clang/rustc style).
if exists('current_compiler')
  finish
endif
let current_compiler = 'mtc'
let s:cpo_save = &cpo
set cpo&vim

if exists(':CompilerSet') != 2
  command -nargs=* CompilerSet setlocal <args>
endif

CompilerSet makeprg=mtc\ check\ %
CompilerSet errorformat=%f:%l:%c:\ %trror:\ %m,
      \%f:%l:%c:\ %tarning:\ %m,
      \%f:%l:%c:\ %tote:\ %m,
      \%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
