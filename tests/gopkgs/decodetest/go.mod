module example.com/decodetest

go 1.24
