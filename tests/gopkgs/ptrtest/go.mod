module example.com/ptrtest

go 1.24
