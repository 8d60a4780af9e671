package store

import "testing"

func TestRecordVersionReadsTheHeadOfARecord(t *testing.T) {
	tests := []struct {
		head string
		want int64
		ok   bool
	}{
		{`{"v":1,"id":3,"ref":"INC-1"`, 1, true},
		{`{"v":42}`, 42, true},
		{`{"v":1234567890123,"id":1`, 1234567890123, true},
		{`{"v":,"id":3`, 0, false},
		{`{"v":-1,"id":3`, 0, false},
		{`{"v":"1","id":3`, 0, false},
		{`{"id":3,"v":1`, 0, false},
		{`not a case`, 0, false},
		{`{"v":12345678901234567890123456`, 0, false}, // cut off by the 32-byte read
		{``, 0, false},
	}
	for _, tc := range tests {
		got, ok := recordVersion(tc.head)
		if got != tc.want || ok != tc.ok {
			t.Errorf("recordVersion(%q) = %d, %v; want %d, %v", tc.head, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzRecordVersion(f *testing.F) {
	f.Add(`{"v":7,"id":1`)
	f.Add(`{"v":`)
	f.Add(`{"v":99999999999999999999999}`)
	f.Fuzz(func(t *testing.T, head string) {
		if v, ok := recordVersion(head); ok && v < 0 {
			t.Fatalf("recordVersion(%q) = %d, true", head, v)
		}
	})
}
