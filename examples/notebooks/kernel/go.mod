module github.com/gorgonia-bnn/bnn/examples/notebooks/kernel

go 1.26

// gomacro v0.0.0-20240506 cannot convert the go/types Alias nodes that Go 1.23+
// produce by default.
godebug gotypesalias=0

tool github.com/cosmos72/gomacro

require (
	github.com/cosmos72/gomacro v0.0.0-20240506194242-2ff796e3da10
	github.com/go-zeromq/zmq4 v0.14.1
)

require (
	github.com/go-zeromq/goczmq/v4 v4.2.2 // indirect
	github.com/mattn/go-runewidth v0.0.15 // indirect
	github.com/peterh/liner v1.2.2 // indirect
	github.com/rivo/uniseg v0.2.0 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)
