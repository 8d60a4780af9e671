package store

import (
	"testing"
)

// FuzzDecodeRecords: no stored text, however garbled, makes decoding a case
// or an event panic — an unreadable record is an error, to be set aside —
// and a case that decodes can be written back.
func FuzzDecodeRecords(f *testing.F) {
	for _, seed := range []string{
		`{"v":3,"id":7,"r":"INC-1","o":1700000000,"nc":1700086400}`,
		`{"v":1,"id":7,"p":{"a":1700000000}}`,
		`{"v":1,"id":7,"p":{"e":"1w","a":1700000000},"zz":{"newer":[1,2]}}`,
		`{"k":"contact","t":1700000000,"a":"console:sam","e":"2w"}`,
		`{"t":"yesterday"}`, `not a case record {`, `[]`, `null`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if c, err := decodeCase(data); err == nil {
			if c == nil {
				t.Fatal("decodeCase gave no case and no error")
			}
			if _, err := encodeCase(c); err != nil {
				t.Fatalf("a decoded case does not encode: %v", err)
			}
		}
		_, _ = decodeEvent("1-0", 7, data)
	})
}
