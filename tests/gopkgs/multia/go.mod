module example.com/multia

go 1.24
