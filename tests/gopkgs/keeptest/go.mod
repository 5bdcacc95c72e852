module example.com/keeptest

go 1.24
