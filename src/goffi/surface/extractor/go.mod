module goffi.local/extractor

go 1.24
