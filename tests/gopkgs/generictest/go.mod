module example.com/generictest

go 1.24
