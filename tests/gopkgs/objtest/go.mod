module example.com/objtest

go 1.24
