module example.com/valuetest

go 1.24
