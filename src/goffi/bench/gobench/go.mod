module goffi.local/gobench

go 1.24
