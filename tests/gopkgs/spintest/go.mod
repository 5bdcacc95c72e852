module example.com/spintest

go 1.24
