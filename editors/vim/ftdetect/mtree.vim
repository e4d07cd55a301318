" mtree business metric models (LANGUAGE.md)
autocmd BufRead,BufNewFile *.mtree setfiletype mtree
