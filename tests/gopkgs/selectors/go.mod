module example.com/selectors

go 1.24
