module example.com/multib

go 1.24
