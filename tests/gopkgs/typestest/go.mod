module example.com/typestest

go 1.24
