module example.com/namedtest

go 1.24
