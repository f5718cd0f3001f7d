package metrics

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var fAvgSpecRE = regexp.MustCompile(`^f_avg\((.+)\)$`)

// Resolve fits a configured metric spec to a head's classes: f_avg's class names are matched
// without case (configuration keys and values often arrive lower-cased), so that
// f_avg(FAVOR,AGAINST) serves SemEval's FAVOR and Mawqif's Favor alike. A spec that is empty,
// or does not apply to the classes, becomes macro_f1, with a note saying why.
func Resolve(spec string, classes []string) (resolved, note string) {
	if spec == "" {
		return "macro_f1", ""
	}
	m := fAvgSpecRE.FindStringSubmatch(spec)
	if m == nil {
		if _, err := ParseMetric(spec, classes); err != nil {
			return "macro_f1", fmt.Sprintf("metric %s does not apply (%v); macro_f1 reported", spec, err)
		}
		return spec, ""
	}
	var named []string
	for _, n := range strings.Split(m[1], ",") {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(classes, func(c string) bool { return strings.EqualFold(c, n) })
		if i < 0 {
			return "macro_f1", fmt.Sprintf("metric %s names class %s, which this head lacks; macro_f1 reported", spec, n)
		}
		named = append(named, classes[i])
	}
	return "f_avg(" + strings.Join(named, ",") + ")", ""
}
