package main

import (
	"fmt"
	"io"
	"os"

	"github.com/roster-dev/roster/internal/model"
)

// modelCommand is `roster model check FILE` and `roster model show PRESET`.
func modelCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, usage)
		return 0
	}
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: roster model check FILE | roster model show PRESET")
		return 2
	}
	switch args[0] {
	case "check":
		data, err := os.ReadFile(args[1]) // #nosec G703 -- `roster model check FILE`: the operator names the file to read
		if err != nil {
			fmt.Fprintln(stderr, "roster model check:", err)
			return 1
		}
		if _, err := model.Parse(args[1], data); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: ok\n", args[1])
		return 0
	case "show":
		src, ok := model.PresetSource(args[1])
		if !ok {
			fmt.Fprintf(stderr, "roster model show: unknown preset %q (presets: %v)\n", args[1], model.PresetNames())
			return 1
		}
		_, _ = stdout.Write(src)
		return 0
	}
	fmt.Fprintln(stderr, "usage: roster model check FILE | roster model show PRESET")
	return 2
}
