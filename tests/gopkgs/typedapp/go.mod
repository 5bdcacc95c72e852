module example.com/typedapp

go 1.24
