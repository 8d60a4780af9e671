package pathway

// Incident references are compared without regard to case: INC-20, inc-20
// and Inc-20 are the same reference. A reference is ASCII (CheckRef), so
// upper-casing ASCII letters is the whole normalisation, and the store's
// scripts can do the same with string.upper.

// NormalRef is the form a reference is found by: ASCII letters upper-cased,
// surrounding spaces removed.
func NormalRef(ref string) string {
	b := []byte(ref)
	start, end := 0, len(b)
	for start < end && (b[start] == ' ' || b[start] == '\t') {
		start++
	}
	for end > start && (b[end-1] == ' ' || b[end-1] == '\t') {
		end--
	}
	b = b[start:end]
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// SameRef reports whether two references name the same incident.
func SameRef(a, b string) bool {
	return a != "" && b != "" && NormalRef(a) == NormalRef(b)
}

// LooksLikeRef reports whether a word has the shape of an incident
// reference, so it may be looked up as one.
func LooksLikeRef(s string) bool {
	return len(s) <= MaxRefLen && isRef(s)
}
