module example.com/mutationtest

go 1.24
