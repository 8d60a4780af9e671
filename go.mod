module hppbot

go 1.26
