module example.com/chantest

go 1.24
