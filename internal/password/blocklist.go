package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonText is the blocklist: one lowercased password a line; lines that
// start with '#' are comments.
//
//go:embed common.txt
var commonText string

// commonPasswords is the blocklist parsed from commonText. It is package
// state, which STYLE.md otherwise keeps out, and acceptable because it is
// derived only from the embedded file: built once per process on first use,
// behind its sync.Once, and never changed afterwards.
var commonPasswords = blocklist{text: commonText}

// minPiece is the fewest characters a word must keep for the rules that
// strip digits around it or join two words to apply.
const minPiece = 4

// blocklist answers whether a password is common; see the package comment.
type blocklist struct {
	text string
	once sync.Once
	set  map[string]struct{}
}

func (b *blocklist) load() {
	b.set = make(map[string]struct{})
	for line := range strings.Lines(b.text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b.set[comparisonForm(line)] = struct{}{}
	}
}

func (b *blocklist) has(s string) bool {
	b.once.Do(b.load)
	_, ok := b.set[s]
	return ok
}

// size returns the number of distinct entries.
func (b *blocklist) size() int {
	b.once.Do(b.load)
	return len(b.set)
}

func (b *blocklist) isCommon(password string) bool {
	form := comparisonForm(password)
	for _, c := range candidates(form) {
		if b.has(c) || isRun(c) || b.isRepetition(c) || b.isPair(c) {
			return true
		}
	}
	return anyCore(form, b.has)
}

// isRepetition reports whether s is a weak unit repeated at least twice,
// the last time possibly cut short.
func (b *blocklist) isRepetition(s string) bool {
	r := []rune(s)
	for period := 1; period <= len(r)/2; period++ {
		if hasPeriod(r, period) && b.isWeakUnit(string(r[:period])) {
			return true
		}
	}
	return false
}

func (b *blocklist) isWeakUnit(u string) bool {
	return utf8.RuneCountInString(u) <= 3 || isRun(u) || anyCore(u, b.has)
}

func hasPeriod(r []rune, period int) bool {
	for i := period; i < len(r); i++ {
		if r[i] != r[i-period] {
			return false
		}
	}
	return true
}

// isPair reports whether s is two weak pieces (blocklist entries or runs)
// of at least minPiece characters each.
func (b *blocklist) isPair(s string) bool {
	for i := range s {
		head, tail := s[:i], s[i:]
		if b.isWeakPiece(head) && b.isWeakPiece(tail) {
			return true
		}
	}
	return false
}

func (b *blocklist) isWeakPiece(s string) bool {
	return utf8.RuneCountInString(s) >= minPiece && (b.has(s) || isRun(s))
}

// comparisonForm lowercases s and drops whitespace and the separators
// '-', '_' and '.', so "Pass word-2024" compares as "password2024".
func comparisonForm(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// candidates returns form and, when at least minPiece characters remain,
// form without its leading and trailing digits and punctuation.
func candidates(form string) []string {
	core := strings.TrimFunc(form, isDigitOrPunct)
	if core == form || utf8.RuneCountInString(core) < minPiece {
		return []string{form}
	}
	return []string{form, core}
}

// anyCore reports whether match accepts a core of form: form less some
// leading and trailing digits and punctuation, at least minPiece characters
// long. Unlike candidates it also finds cores that themselves start or end
// with digits, like "if6was9" in "if6was9!2024".
func anyCore(form string, match func(core string) bool) bool {
	lead := len(form) - len(strings.TrimLeftFunc(form, isDigitOrPunct))
	trail := len(strings.TrimRightFunc(form, isDigitOrPunct))
	for i := 0; i <= lead; i++ {
		for j := len(form); j >= trail && j-i >= minPiece; j-- {
			if isBoundary(form, i) && isBoundary(form, j) &&
				utf8.RuneCountInString(form[i:j]) >= minPiece && match(form[i:j]) {
				return true
			}
		}
	}
	return false
}

func isBoundary(s string, i int) bool {
	return i == len(s) || utf8.RuneStart(s[i])
}

func isDigitOrPunct(r rune) bool {
	return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// Sequences that people type as runs. Cyclic ones wrap around
// ("7890123"); keyboard walks do not.
const (
	digits   = "0123456789"
	alphabet = "abcdefghijklmnopqrstuvwxyz"
)

// keyboardWalks holds one walk a line; the newlines keep a match from
// spanning two walks, since comparison forms never contain whitespace.
const keyboardWalks = "qwertyuiopasdfghjklzxcvbnm\n" + // rows, US
	"azertyuiopqsdfghjklmwxcvbn\n" + // rows, French
	"qwertzuiopasdfghjklyxcvbnm\n" + // rows, German
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p\n" + // columns, top down
	"zaq1xsw2cde3vfr4bgt5nhy6mju7ki8lo9p0\n" + // columns, bottom up
	"zaq12wsxcde34rfvbgt56yhnmju78iklo90p\n" + // columns, up and down
	"1qazxsw23edcvfr45tgbnhy67ujmki89olp0\n" + // columns, down and up
	"qazwsxedcrfvtgbyhnujmikolp\n" + // columns without digits
	"1q2w3e4r5t6y7u8i9o0p\n" + // digit row and top row, zigzag
	"q1w2e3r4t5y6u7i8o9p0"

// isRun reports whether s (at least two characters) is a stretch of
// consecutive digits or letters, ascending or descending, or of a keyboard
// walk, in either direction.
func isRun(s string) bool {
	if len(s) < 2 {
		return false
	}
	for _, dir := range [2]string{s, reverse(s)} {
		if inCycle(dir, digits) || inCycle(dir, alphabet) {
			return true
		}
		if strings.Contains(keyboardWalks, dir) {
			return true
		}
	}
	return false
}

// inCycle reports whether s is a substring of cycle repeated endlessly.
func inCycle(s, cycle string) bool {
	return strings.Contains(strings.Repeat(cycle, len(s)/len(cycle)+2), s)
}

func reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
