package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newConfig(e *env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration and where each value came from",
		Long: `config prints every configuration key with its effective value and its source: default (built
in), file (config.yaml or --config), or env (a STANCE_* variable). Flags of other commands
override these for that command only.`,
		Example: `  stance config
  STANCE_MODEL_C=3 stance config --config bench/configs/mawqif.yaml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" && format != "jsonl" && format != "csv" {
				return usageErr("--format %q: want table, json, jsonl or csv", format)
			}
			_, v, err := loadSettings(e.configPath, e.configSet, cmd.Flags(), nil)
			if err != nil {
				return err
			}
			type entry struct {
				Key    string `json:"key"`
				Value  any    `json:"value"`
				Source string `json:"source"`
			}
			keys := v.AllKeys()
			sort.Strings(keys)
			var out []entry
			for i, k := range keys {
				if i+1 < len(keys) && strings.HasPrefix(keys[i+1], k+".") {
					continue // a map whose entries follow
				}
				source := "default"
				if v.InConfig(k) {
					source = "file"
				}
				if _, ok := os.LookupEnv("STANCE_" + strings.ToUpper(strings.ReplaceAll(k, ".", "_"))); ok {
					source = "env"
				}
				out = append(out, entry{k, v.Get(k), source})
			}
			switch format {
			case "json":
				return writeJSON(e.stdout, out)
			case "jsonl":
				return writeJSONLines(e.stdout, out)
			case "csv":
				cw := csv.NewWriter(e.stdout)
				cw.Write([]string{"key", "value", "source"})
				for _, en := range out {
					cw.Write([]string{en.Key, fmt.Sprint(en.Value), en.Source})
				}
				cw.Flush()
				return cw.Error()
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "key\tvalue\tsource")
			for _, en := range out {
				fmt.Fprintf(tw, "%s\t%v\t%s\n", en.Key, en.Value, en.Source)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json, jsonl or csv")
	return cmd
}
