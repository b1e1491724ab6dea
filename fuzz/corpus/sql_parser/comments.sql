-- line comment
SELECT /* block /* nested */ comment */ a FROM t -- trailing
