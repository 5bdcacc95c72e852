module example.com/badinit

go 1.24
